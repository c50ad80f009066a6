"""Import faults found by trying bad input (issue #8, item 12): each reproduced by a test, on real files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import subprocess
import sys
import threading
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from reception_desk.cli.main import main
from reception_desk.db.engine import Database, make_engine
from reception_desk.db.models import Batch, Visitor
from reception_desk.domain import resident_id
from reception_desk.errors import DatabaseBusyError, UnusableInputError
from reception_desk.services import days
from reception_desk.services.importing import Field, import_registrations, preview_import, read_sheet
from reception_desk.services.importing import reader as reader_module
from reception_desk.services.importing.reader import csv_records

DAY = dt.date(2026, 12, 4)
REPO = Path(__file__).resolve().parents[1]


def _day(db: Database) -> int:
    return days.create_day(db, DAY)[0].id


def _csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def _reasons(verdicts: list[object]) -> dict[int, str]:
    return {v.row: v.reason for v in verdicts}  # type: ignore[attr-defined]


# --- 1. a NUL byte past the first 4 KB -------------------------------------------------------------------


def test_nul_byte_past_the_first_4kb_is_removed_on_its_row_only(db: Database, tmp_path: Path) -> None:
    day_id = _day(db)
    lines = ["姓名,联系电话,反映问题及诉求"]
    lines += [f"来访人{i},1380570{i:04d},反映道路破损问题，要求尽快修复，编号{i}" for i in range(100)]
    lines.append("王\x00学德,13905701234,拖欠\x00工资三个月")  # row 102, far past 4 KB
    lines.append("李秀英,13905709876,征地补偿款未到位")
    path = _csv(tmp_path / "nul.csv", lines)
    assert b"\x00" not in path.read_bytes()[:4096] and b"\x00" in path.read_bytes()

    report = import_registrations(db, path, day_id)

    assert report.imported == 102 and report.rejected == []
    warning = _reasons(report.warnings)[102]
    assert "控制字符" in warning and "姓名" in warning and "诉求" in warning
    with db.read() as session:
        wang = session.execute(
            select(Visitor.name, Batch.request)
            .join(Batch, Batch.lead_visitor_id == Visitor.id)
            .where(Batch.import_source == "nul.csv:102")
        ).one()
    assert tuple(wang) == ("王学德", "拖欠工资三个月")


# --- 2. an unbalanced quote swallowing rows --------------------------------------------------------------

SWALLOWING = [
    "姓名,联系电话,反映问题及诉求",
    "张一,13800000001,修路",
    '张二,13800000002,"漏水',  # the quote opens here ...
    "张三,13800000003,拖欠工资",
    '张四,13800000004,征地"补偿',  # ... and closes here: three lines became one record
    "张五,13800000005,养殖场污染",
]


def test_unbalanced_quote_is_reported_with_the_swallowed_rows(sqlite_db: Database, tmp_path: Path) -> None:
    path = _csv(tmp_path / "quote.csv", SWALLOWING)
    report = import_registrations(sqlite_db, path, _day(sqlite_db))
    assert report.imported == 2
    reason = _reasons(report.rejected)[3]
    assert "引号" in reason and "张三" in reason and "张四" in reason and "第3" in reason and "5行" in reason
    with sqlite_db.read() as session:
        assert set(session.scalars(select(Visitor.name))) == {"张一", "张五"}


def test_quote_left_open_to_the_end_of_the_file(tmp_path: Path) -> None:
    path = _csv(tmp_path / "open.csv", ["姓名,反映问题及诉求", "张一,修路", '张二,"漏水', "张三,拖欠工资"])
    sheet = read_sheet(path)
    assert [r.row for r in sheet.rows] == [2, 3]
    problem = sheet.rows[1].problem or ""
    assert "引号" in problem and "末尾" in problem and "张三" in problem


def test_a_quoted_request_with_line_breaks_is_still_fine(tmp_path: Path) -> None:
    path = _csv(tmp_path / "ok.csv", ["姓名,联系电话,反映问题及诉求", '张一,13800000001,"一、修路\n二、修桥,要快"'])
    sheet = read_sheet(path)
    assert sheet.rows[0].problem is None and sheet.rows[0].get(Field.REQUEST) == "一、修路\n二、修桥,要快"


def test_the_csv_reader_splits_records_as_the_csv_module_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # random texts of quotes, separators and line breaks, read in chunks as small as one character
    rng = random.Random(8)
    alphabet = ["a", "中", ",", '"', "\n", "\r", "\r\n", " "]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        expected = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
        for chunk in (65536, 2, 1):
            monkeypatch.setattr(reader_module, "_CSV_CHUNK", chunk)
            assert [list(r) for r in csv_records(io.StringIO(text, newline=""), ",")] == expected, (text, chunk)


# --- 3. dates in the ID column ---------------------------------------------------------------------------


def test_dates_in_the_id_column_are_not_stored_nor_used_as_keys(sqlite_db: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "联系电话", "反映问题及诉求"])
    ws.append(["王学德", dt.datetime(1980, 5, 6), "13805701234", "拖欠工资"])
    ws.append(["李秀英", dt.datetime(1980, 5, 6), "13905709876", "征地补偿"])
    ws.append(["赵六", "1980-05-06 00:00:00", "13705701234", "修路"])
    path = tmp_path / "dates.xlsx"
    wb.save(path)

    report = import_registrations(sqlite_db, path, _day(sqlite_db))

    assert report.imported == 3 and report.duplicates == []
    warnings = _reasons(report.warnings)
    assert "日期" in warnings[2] and "1980-05-06" in warnings[2] and "未保存" in warnings[2]
    assert "未保存" in warnings[4] and "核对身份证原件" in warnings[4]
    with sqlite_db.read() as session:
        assert list(session.scalars(select(Visitor.id_number))) == [None, None, None]
        assert all("id_to_check" in flags for flags in session.scalars(select(Batch.flags)))


# --- 4. cell sizes and memory ----------------------------------------------------------------------------


def test_over_long_cells_reject_only_their_row(sqlite_db: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "联系电话", "反映问题及诉求"])
    ws.append(["王学德", "13805701234", "拖欠工资"])
    ws.append(["李秀英", "13905709876", "征" * 5001])
    ws.append(["长" * 51, "13705701234", "修路"])
    ws.append(["赵六", "13605701234", "诉" * 5000])  # exactly at the limit: fine
    path = tmp_path / "long.xlsx"
    wb.save(path)

    report = import_registrations(sqlite_db, path, _day(sqlite_db))

    assert report.imported == 2
    rejected = _reasons(report.rejected)
    assert set(rejected) == {3, 4}
    assert "诉求" in rejected[3] and "5000" in rejected[3]
    assert "姓名" in rejected[4] and "50" in rejected[4]


def test_a_csv_cell_over_128kb_rejects_its_row_not_the_file(tmp_path: Path) -> None:
    big = "长" * 200_000
    path = _csv(tmp_path / "big.csv", ["姓名,反映问题及诉求", "张一,修路", f'张二,"{big}"', "张三,修桥"])
    sheet = read_sheet(path)
    assert [r.row for r in sheet.rows] == [2, 3, 4]
    assert [r.problem is None for r in sheet.rows] == [True, False, True]
    assert "诉求" in (sheet.rows[1].problem or "") and "5000" in (sheet.rows[1].problem or "")


def _peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        sheet = read_sheet(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.row for r in sheet.rows] == [2, 3, 4] and sheet.rows[1].problem is not None
    return peak


BIG_CELL = 30_000_000  # characters of one cell: ~30 MB as UTF-8 ASCII, 120 MB+ if it were kept whole


SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _xlsx_with_a_huge_cell(path: Path, shared: bool) -> Path:
    """A workbook whose row 3 holds BIG_CELL characters, as an inline string (openpyxl) or in the shared-strings
    table (Excel). openpyxl itself cuts strings at 32,767 characters: the XML is patched, streamed into the zip."""
    small = path.with_name("small.xlsx")
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    for values in (["姓名", "反映问题及诉求"], ["张一", "修路"], ["张二", "BIGCELL"], ["张三", "修桥"]):
        ws.append(values)
    wb.save(small)
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        parts = {info.filename: src.read(info.filename) for info in src.infolist()}
        if shared:
            strings: list[bytes] = []

            def to_shared(m: re.Match[bytes]) -> bytes:
                strings.append(m.group(1))
                return b't="s"><v>%d</v>' % (len(strings) - 1)

            sheet = "xl/worksheets/sheet1.xml"
            parts[sheet] = re.sub(rb't="inlineStr"><is><t>(.*?)</t></is>', to_shared, parts[sheet])
            items = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
            parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s">%s</sst>' % (MAIN_NS.encode(), items)
            types = "[Content_Types].xml"
            override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/></Types>'
            parts[types] = parts[types].replace(b"</Types>", override.encode())
        for name, data in parts.items():
            if b"BIGCELL" not in data:
                out.writestr(name, data)
                continue
            before, after = data.split(b"BIGCELL")
            with out.open(name, "w", force_zip64=True) as member:
                member.write(before)
                for _ in range(BIG_CELL // 1_000_000):
                    member.write(b"x" * 1_000_000)
                member.write(after)
    return path


@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared_strings"])
def test_memory_stays_flat_with_a_huge_xlsx_cell(tmp_path: Path, shared: bool) -> None:
    path = _xlsx_with_a_huge_cell(tmp_path / "bomb.xlsx", shared)
    assert path.stat().st_size < 1_000_000
    assert _peak_while_reading(path) < 8_000_000


def test_memory_stays_flat_with_a_huge_csv_cell(tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("姓名,反映问题及诉求\n张一,修路\n张二,")
        for _ in range(BIG_CELL // 1_000_000):
            fh.write("x" * 1_000_000)
        fh.write("\n张三,修桥\n")
    assert _peak_while_reading(path) < 8_000_000


# --- 5. formulas without a cached value ------------------------------------------------------------------


def test_formula_without_cached_value_says_so(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "反映问题及诉求", "备注"])
    ws.append(["张一", "修路"])
    ws.append(["=C3", "=C3", "王学德"])  # openpyxl writes no cached value
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    sheet = read_sheet(path)
    assert sheet.rows[0].problem is None
    problem = sheet.rows[1].problem or ""
    assert "公式没有计算结果，请在 Excel 中打开并保存后再导入" in problem and "姓名" in problem


# --- 6. a directory or a FIFO given to import ------------------------------------------------------------


def test_directory_given_to_import_exits_2_saying_it_is_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "名单"
    folder.mkdir()
    code = main(["--db", f"sqlite:///{tmp_path / 'd.sqlite3'}", "import", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "文件夹" in err and "不存在" not in err
    with pytest.raises(UnusableInputError, match="文件夹"):
        read_sheet(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_given_to_import_exits_2_saying_it_is_not_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    code = main(["--db", f"sqlite:///{tmp_path / 'f.sqlite3'}", "import", str(fifo)])
    err = capsys.readouterr().err
    assert code == 2 and "不是普通文件" in err and "不存在" not in err


# --- 7. duplicate header columns -------------------------------------------------------------------------


def test_duplicate_header_columns_are_named_and_the_first_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path / "dup.csv", ["姓名,反映问题及诉求,联系电话,来访人姓名", "张一,修路,13800000001,李四"])
    sheet = read_sheet(path)
    assert sheet.rows[0].get(Field.NAME) == "张一"
    notice = _reasons(sheet.notices)[1]
    assert "姓名" in notice and "A" in notice and "D" in notice

    url = f"sqlite:///{tmp_path / 'dup.sqlite3'}"
    assert main(["--db", url, "import", str(path), "--json"]) == 0
    import json

    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 1 and out["notices"][0]["row"] == 1
    assert main(["--db", url, "import", str(path)]) == 0
    assert "第 1 行 [提示]" in capsys.readouterr().out


# --- 8. control characters and bidi overrides in names ---------------------------------------------------


def test_bidi_overrides_and_control_characters_are_removed_from_names(sqlite_db: Database, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "bidi.csv",
        ["姓名,同行人员,反映问题及诉求", "\u202e德学王,李\x07四,拖欠工资", "张一,,修路"],
    )
    report = import_registrations(sqlite_db, path, _day(sqlite_db))
    assert report.imported == 2
    warnings = _reasons(report.warnings)
    assert set(warnings) == {2} and "U+202E" in warnings[2] and "已删除" in warnings[2]
    with sqlite_db.read() as session:
        assert set(session.scalars(select(Visitor.name))) == {"德学王", "李四", "张一"}


# --- 9. SQLite busy --------------------------------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
"""


class _LockHolder:
    """Another process holding the SQLite write lock until released."""

    def __init__(self, db_file: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(db_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)


def _sheet(tmp_path: Path) -> Path:
    return _csv(tmp_path / "s.csv", ["姓名,反映问题及诉求", "张一,修路"])


def test_import_waiting_for_the_write_lock_says_the_database_is_busy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_file = tmp_path / "busy.sqlite3"
    url = f"sqlite:///{db_file}"
    assert main(["--db", url, "day", "create", "--date", str(DAY)]) == 0
    holder = _LockHolder(db_file)
    try:
        db = Database(engine=make_engine(url, busy_timeout=0.3))
        day_id = days.find_day(db, DAY).id
        with pytest.raises(DatabaseBusyError, match="数据库正忙"):
            import_registrations(db, _sheet(tmp_path), day_id)
        db.dispose()

        monkeypatch.setenv("RECEPTION_DESK_BUSY_TIMEOUT", "0.3")
        capsys.readouterr()
        code = main(["--db", url, "import", str(_sheet(tmp_path)), "--day", str(DAY)])
        err = capsys.readouterr().err
        assert code == 1 and "数据库正忙" in err and "无法连接" not in err
    finally:
        holder.release()


def test_import_waits_for_the_write_lock_to_be_released(tmp_path: Path) -> None:
    db_file = tmp_path / "wait.sqlite3"
    url = f"sqlite:///{db_file}"
    assert main(["--db", url, "day", "create", "--date", str(DAY)]) == 0
    holder = _LockHolder(db_file)
    release = threading.Timer(1.0, holder.release)
    try:
        db = Database(engine=make_engine(url, busy_timeout=60))
        day_id = days.find_day(db, DAY).id
        release.start()
        assert import_registrations(db, _sheet(tmp_path), day_id).imported == 1
        db.dispose()
    finally:
        release.cancel()
        holder.release()


def test_busy_timeout_default_and_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reception_desk.db.engine import busy_timeout_seconds

    monkeypatch.delenv("RECEPTION_DESK_BUSY_TIMEOUT", raising=False)
    assert busy_timeout_seconds() == 30
    monkeypatch.setenv("RECEPTION_DESK_BUSY_TIMEOUT", "45")
    assert busy_timeout_seconds() == 45
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 45_000
    engine.dispose()


def test_a_valid_id_is_still_a_duplicate_key(sqlite_db: Database, tmp_path: Path) -> None:
    valid = resident_id.make("330803", dt.date(1970, 1, 1), 123)
    path = _csv(tmp_path / "v.csv", ["姓名,身份证号码,反映问题及诉求", f"王学德,{valid},修路", f"王学德,{valid},修桥"])
    report = preview_import(sqlite_db, path, _day(sqlite_db))
    assert report.imported == 1 and _reasons(report.duplicates)[3].startswith("身份证号与第2行相同")
