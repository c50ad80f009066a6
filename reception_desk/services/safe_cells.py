"""Cells every export writes: text that a spreadsheet could take for a formula is written so it never runs.

A cell beginning with =, +, -, @, a tab or a carriage return can start a formula in Excel, WPS or LibreOffice
(`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`): the OWASP "CSV injection". Every such text gets a single quote in
front, in CSV and in .xlsx alike (an .xlsx saved again as CSV by the office would otherwise carry it live), and
.xlsx text cells are typed as strings, never formulas. Numbers stay numbers: only text is touched.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the characters an .xlsx cannot hold at all (openpyxl refuses them): C0 controls except tab, LF and CR
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: object) -> object:
    """The value to export: text that could start a formula gets a leading ', anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv_rows(fh: TextIO, rows: Iterable[Iterable[object]]) -> int:
    """Write neutralised rows to an open CSV file; returns how many were written."""
    writer = csv.writer(fh)
    count = 0
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
        count += 1
    return count


def xlsx_cell(ws: Any, value: object, font: Font | None = None) -> Cell:
    """A cell for `ws.append` (normal or write-only sheet): neutralised, typed as text when it is text."""
    from openpyxl.cell import WriteOnlyCell

    value = neutralise(value)
    if isinstance(value, str):
        value = _ILLEGAL_IN_XLSX.sub("", value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes any "=…" a formula; a string cell is never evaluated
    if font is not None:
        cell.font = font
    return cell


def xlsx_row(ws: Any, values: Iterable[object], font: Font | None = None) -> list[Cell]:
    """A row of safe cells for `ws.append`."""
    return [xlsx_cell(ws, v, font) for v in values]
