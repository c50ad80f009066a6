"""`reception-desk print …`: the demo day's slips, every document kind, missing glyphs on stderr, exit 2."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services import days, print_data
from reception_desk.services.demo import create_demo_day
from tests.test_printing_data import PEOPLE, build_day

NO_GLYPH = "\U00030000"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _texts(path: Path) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages]


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    """An SQLite file holding the demo day."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    create_demo_day(db, seed=2006)
    db.dispose()
    return url


def test_print_slips_all_prints_every_handed_over_case_of_the_demo_day(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "slips.pdf"
    code, stdout, stderr = _run(capsys, "--db", demo_url, "print", "slips", "--all", "--out", str(out))
    assert code == 0, stderr
    assert stderr == ""
    db = Database(demo_url)
    expected = [d.case_no for d in print_data.day_cases(db, days.find_day(db).id)]
    db.dispose()
    assert expected
    texts = _texts(out)
    printed = [m.group() for t in texts if "交　办　单" in t and (m := re.search(r"JF-\d{8}-\d{2}-\d{3}", t))]
    assert printed == expected
    assert f"{len(expected)} 份" in stdout and str(out) in stdout


def test_every_document_kind_prints(demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = {
        "receipts": ["--room", "3"],
        "receipts-thermal": ["--all", "--thermal"],
        "handover": ["--department", "征收办"],
        "schedule": ["--room", "7"],
        "list": [],
        "summary": [],
    }
    for name, extra in runs.items():
        out = tmp_path / f"{name}.pdf"
        code, _, stderr = _run(capsys, "--db", demo_url, "print", name.split("-")[0], *extra, "--out", str(out))
        assert code == 0, (name, stderr)
        texts = _texts(out)
        assert texts and all(not re.search(r"\d{17}[\dX]", t) for t in texts), name
    assert "征收办" in _texts(tmp_path / "handover.pdf")[0]
    assert "第7接待室接待安排表" in _texts(tmp_path / "schedule.pdf")[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["slips", "--case", "JF-20991231-01-001"], "JF-20991231-01-001"),
        (["receipts", "--department", "不存在的局"], "不存在的局"),
        (["schedule", "--room", "42"], "42"),
        (["slips"], "--all"),
    ],
)
def test_unknown_case_department_or_room_exits_2_with_one_line(
    demo_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "none.pdf"
    code, stdout, stderr = _run(capsys, "--db", demo_url, "print", *argv, "--out", str(out))
    assert code == 2
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and message in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_missing_glyphs_are_named_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'glyph.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    people = (dataclasses.replace(PEOPLE[0], name=f"王{NO_GLYPH}"), *PEOPLE[1:])
    built = build_day(db, people)
    db.dispose()
    out = tmp_path / "slips.pdf"
    code, stdout, stderr = _run(capsys, "--db", url, "print", "slips", "--all", "--out", str(out))
    assert code == 0 and "4 份" in stdout
    assert len(stderr.strip().splitlines()) == 1
    assert "U+30000" in stderr and NO_GLYPH in stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert built.day_id > 0
