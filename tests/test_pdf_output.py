"""PDFs are written whole or not at all: beside the target, then renamed; `print --out DIR` is refused (exit 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfbase.pdfdoc import PDFDocument

from reception_desk import printing
from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.printing.common import RenderResult
from reception_desk.services import days, print_data
from tests.helpers import DAY

OLD = b"%PDF-1.4 the good older printout\n%%EOF\n"


def _day_data(tmp_path: Path) -> tuple[Database, int]:
    db = Database(f"sqlite:///{tmp_path / 'day.sqlite3'}")
    upgrade_to_head(db.engine)
    info, _ = days.create_day(db, DAY)
    return db, info.id


def _renderers(db: Database, day_id: int) -> dict[str, Callable[[Path], RenderResult]]:
    """A canvas-drawn renderer (slips, receipts) and a platypus one (lists, summary) of each kind."""
    return {
        "slips": lambda out: printing.HandoverSlipRenderer().render([], out),
        "receipts": lambda out: printing.ReceiptRenderer().render([], out),
        "schedule": lambda out: printing.RoomScheduleRenderer().render(print_data.room_queues(db, day_id), out),
        "summary": lambda out: printing.DaySummaryRenderer().render(print_data.day_summary(db, day_id), out),
    }


@pytest.mark.parametrize("kind", ["slips", "receipts", "schedule", "summary"])
def test_a_renderer_failing_midway_leaves_the_older_pdf(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, day_id = _day_data(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "printout.pdf"
    target.write_bytes(OLD)

    def fail(self: PDFDocument, canvas: object) -> bytes:
        raise RuntimeError("killed while writing the PDF")

    monkeypatch.setattr(PDFDocument, "GetPDFData", fail)
    with pytest.raises(RuntimeError):
        _renderers(db, day_id)[kind](target)
    assert target.read_bytes() == OLD
    assert [p.name for p in folder.iterdir()] == ["printout.pdf"]  # no temporary file left behind

    monkeypatch.undo()
    result = _renderers(db, day_id)[kind](target)
    assert result.pages >= 1 and target.read_bytes().startswith(b"%PDF") and target.read_bytes() != OLD
    assert [p.name for p in folder.iterdir()] == ["printout.pdf"]
    db.dispose()


@pytest.mark.parametrize(
    "what",
    [
        ["slips", "--all"],
        ["list"],
        ["summary"],
        ["bulletin", "--day", DAY.isoformat()],
        ["report", "--day", DAY.isoformat()],
    ],
)
def test_print_out_naming_a_directory_is_refused_in_chinese(
    what: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _day_data(tmp_path)
    url = db.url
    db.dispose()
    folder = tmp_path / "printouts"
    folder.mkdir()
    code = main(
        ["--db", url, "--today", (DAY + dt.timedelta(days=1)).isoformat(), "print", *what, "--out", str(folder)]
    )
    _, err = capsys.readouterr()
    assert code == 2, err
    assert "内部错误" not in err and "文件夹" in err and str(folder) in err
    assert list(folder.iterdir()) == []
