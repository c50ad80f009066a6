"""The command line: JSON shapes, the nearest day, exit codes and one-line errors (never a traceback)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.models import Batch
from reception_desk.services import days, registrations


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "联系电话", "来访人数", "问题类别", "反映问题及诉求"])
    ws.append(["王学德", "11010519491231002X", "13805701234", "1", "劳动社保", "公司拖欠工资三个月"])
    ws.append(["李秀英", "", "13905709876", "6人", "拆迁", "征地补偿款未到位"])
    ws.append(["", "", "", "", "", "没有姓名的一行"])
    wb.save(path)
    return path


def test_import_assign_registrations_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    sheet = _sheet(tmp_path / "预登记.xlsx")
    code, out, _ = _run(capsys, "--db", url, "import", str(sheet), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"imported", "people", "rejected", "warnings", "duplicates"}
    assert report["imported"] == 2 and report["people"] == 7
    assert report["rejected"] == [{"row": 4, "reason": report["rejected"][0]["reason"]}]
    assert "姓名" in report["rejected"][0]["reason"]

    code, out, _ = _run(capsys, "--db", url, "assign", "--json")
    assert code == 0
    assigned = json.loads(out)
    assert assigned["assigned"] == 2
    assert sum(assigned["rooms"].values()) == 2 and all(isinstance(k, str) for k in assigned["rooms"])

    code, out, _ = _run(capsys, "--db", url, "registrations", "--json")
    rows = json.loads(out)
    assert {r["name"] for r in rows} == {"王学德", "李秀英"}
    li = next(r for r in rows if r["name"] == "李秀英")
    assert li["theme"] == "土地拆迁" and li["headcount"] == 6 and "collective" in li["flags"]
    assert li["room"] in (1, 2) and li["status"] == "registered" and li["reg_no"]

    # the import created a day dated today, the nearest day
    db = Database(url)
    assert days.find_day(db).date == dt.date.today()
    db.dispose()


def test_nearest_day_is_chosen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'days.sqlite3'}"
    today = dt.date.today()
    for offset in (-30, 3, 40):
        assert _run(capsys, "--db", url, "day", "create", "--date", str(today + dt.timedelta(days=offset)))[0] == 0
    db = Database(url)
    assert days.find_day(db).date == today + dt.timedelta(days=3)
    db.dispose()


def test_export_and_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'e.sqlite3'}"
    sheet = _sheet(tmp_path / "s.xlsx")
    assert _run(capsys, "--db", url, "import", str(sheet))[0] == 0
    csv_file = tmp_path / "out.csv"
    assert _run(capsys, "--db", url, "export", "registrations", str(csv_file))[0] == 0
    content = csv_file.read_text(encoding="utf-8-sig")
    assert "王学德" in content and "110105********002X" in content and "11010519491231002X" not in content
    xlsx = tmp_path / "out.xlsx"
    assert _run(capsys, "--db", url, "export", "registrations", str(xlsx))[0] == 0
    assert xlsx.stat().st_size > 0
    target = tmp_path / "b.sqlite3"
    assert _run(capsys, "--db", url, "backup", str(target), "--plain")[0] == 0  # encrypted by default since #10
    code, _, err = _run(capsys, "--db", url, "backup", str(target))
    assert code == 1 and "已存在" in err
    copy = Database(f"sqlite:///{target}")
    assert len(registrations.list_registrations(copy, days.find_day(copy).id)) == 2
    copy.dispose()


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda p: p / "missing.xlsx", "不存在"),
        (lambda p: (p / "notes.xlsx").write_text("not a workbook") and p / "notes.xlsx", ""),
        (lambda p: (p / "plain.csv").write_text("a,b,c\n1,2,3\n") and p / "plain.csv", "表头"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path: Path, make, needle: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reception_desk.cli.main",
            "--db",
            f"sqlite:///{tmp_path / 'u.sqlite3'}",
            "import",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert needle in lines[0]


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    for command in ("demo", "import", "assign", "registrations", "export", "backup", "--db", "--lang"):
        assert command in out


def test_move_of_a_checked_in_batch_names_its_new_queue_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'move.sqlite3'}"
    sheet = _sheet(tmp_path / "预登记.xlsx")
    assert _run(capsys, "--db", url, "import", str(sheet))[0] == 0
    assert _run(capsys, "--db", url, "assign")[0] == 0
    rows = json.loads(_run(capsys, "--db", url, "registrations", "--json")[1])
    wang = next(r for r in rows if r["name"] == "王学德")
    li = next(r for r in rows if r["name"] == "李秀英")
    assert _run(capsys, "--db", url, "move", li["reg_no"], "5", "--reason", "不来了也先调")[0] == 0
    code, out, _ = _run(capsys, "--db", url, "move", wang["reg_no"], "5", "--reason", "同类问题")
    assert code == 0 and "新的排队号" not in out  # not checked in: no number yet

    assert _run(capsys, "--db", url, "checkin", wang["reg_no"])[0] == 0
    code, out, _ = _run(capsys, "--db", url, "move", wang["reg_no"], "6", "--reason", "换到第6室")
    assert code == 0
    database = Database(url)
    try:
        with database.read() as session:
            number = session.scalar(select(Batch.queue_number).where(Batch.reg_no == wang["reg_no"]))
    finally:
        database.dispose()
    assert number == 1
    assert f"已调整到第6接待室，新的排队号为 {number} 号" in out

    code, _, err = _run(capsys, "--db", url, "move", wang["reg_no"], "99", "--reason", "没有这个室")
    assert code != 0 and "没有第99接待室" in err
