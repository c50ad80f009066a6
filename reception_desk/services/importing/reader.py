"""Read a pre-registration file (.xlsx or .csv) into its header and data rows, numbered as Excel shows them."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reception_desk.errors import UnusableInputError
from reception_desk.services.importing.cells import Field, is_blank, match_header

HEADER_SCAN_ROWS = 30
CSV_DELIMITERS = (",", "\t", ";")
_TOTAL_MARKS = ("合计", "总计")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc, or an encrypted workbook
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}

Cells = Sequence[object]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row: its row number as Excel shows it and the cells of the recognised columns."""

    row: int
    cells: dict[Field, object]

    def get(self, which: Field) -> object:
        """The raw value of a column (None when the sheet has no such column)."""
        return self.cells.get(which)


@dataclass
class SheetData:
    """What a file holds: where the header is, which columns were recognised, and the data rows."""

    file_name: str
    sheet: str
    header_row: int
    columns: dict[Field, int]
    rows: list[SourceRow] = field(default_factory=list)
    skipped: int = 0  # total rows (合计/总计) left out


def read_sheet(path: str | Path) -> SheetData:
    """Read a pre-registration file; UnusableInputError (one Chinese line) when it cannot be used at all."""
    path = Path(path)
    if not path.exists():
        raise UnusableInputError(f"找不到文件：{path}")
    if not path.is_file():
        raise UnusableInputError(f"“{path.name}”不是文件。")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnusableInputError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        raise UnusableInputError(
            f"“{path.name}”是旧版 Excel（.xls）或加密的文件，请在 Excel 中另存为 .xlsx（不加密码）后再导入。"
        )
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if suffix in _TEXT_SUFFIXES:
        return _read_csv(path)
    if suffix in {".xlsx", ".xlsm"}:
        raise UnusableInputError(f"“{path.name}”已损坏或不是 Excel 工作簿，无法读取。")
    raise UnusableInputError(f"“{path.name}”不是 Excel 工作簿（.xlsx）或 CSV 文件，无法导入。")


def find_header(rows: Iterable[Cells]) -> tuple[int, dict[Field, int]] | None:
    """Among the first rows, the 1-based number and column map of the header (needs name and request)."""
    for number, cells in enumerate(itertools.islice(rows, HEADER_SCAN_ROWS), start=1):
        columns: dict[Field, int] = {}
        for index, value in enumerate(cells):
            if isinstance(value, str):
                which = match_header(value)
                if which is not None and which not in columns:
                    columns[which] = index
        if Field.NAME in columns and Field.REQUEST in columns:
            return number, columns
    return None


def _no_header(file_name: str) -> UnusableInputError:
    return UnusableInputError(
        f"在“{file_name}”的前{HEADER_SCAN_ROWS}行中找不到表头（至少需要“姓名”和“反映问题及诉求”两列）。"
    )


def _is_total_row(cells: Cells, name_value: object) -> bool:
    """A 合计/总计 row: some cell starts with it, and the name cell is empty or is that mark itself."""
    if not (is_blank(name_value) or _starts_with_total(name_value)):
        return False
    return any(_starts_with_total(v) for v in cells)


def _starts_with_total(value: object) -> bool:
    return isinstance(value, str) and "".join(value.split()).startswith(_TOTAL_MARKS)


def collect_rows(
    file_name: str, sheet: str, numbered: Iterable[tuple[int, Cells]], header_row: int, columns: dict[Field, int]
) -> SheetData:
    """The data rows below the header: blank rows dropped silently, total rows counted as skipped."""
    data = SheetData(file_name, sheet, header_row, columns)
    wanted = list(columns.items())
    for number, cells in numbered:
        if number <= header_row:
            continue
        width = len(cells)
        picked = {which: cells[i] if i < width else None for which, i in wanted}
        if all(is_blank(v) for v in picked.values()):
            continue  # blank, or only a pre-printed 序号
        if _is_total_row(cells, picked[Field.NAME]):
            data.skipped += 1
            continue
        data.rows.append(SourceRow(number, picked))
    return data


# --- .xlsx -----------------------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> SheetData:
    import openpyxl  # imported here: the CSV path and the GUI start-up need not pay for it

    try:
        with path.open("rb") as fh:
            workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                return _pick_sheet(path.name, workbook)
            finally:
                workbook.close()
    except UnusableInputError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise UnusableInputError(f"“{path.name}”已损坏或不是 Excel 工作簿，无法读取。") from exc
    except Exception as exc:  # openpyxl raises many kinds on a broken package; none of them is usable
        raise UnusableInputError(f"“{path.name}”无法作为 Excel 工作簿读取（{type(exc).__name__}）。") from exc


def _pick_sheet(file_name: str, workbook: Any) -> SheetData:
    """The active sheet when it has a header, else the first other sheet that has one."""
    sheets = list(workbook.worksheets)
    active = workbook.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    for ws in sheets:
        if not hasattr(ws, "iter_rows"):
            continue  # a chart sheet
        ws.reset_dimensions()  # a wrong <dimension> tag in the file must not cut rows off
        rows = ws.iter_rows(values_only=True)
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
        found = find_header(head)
        if found is None:
            continue
        header_row, columns = found
        numbered = enumerate(itertools.chain(head, rows), start=1)
        return collect_rows(file_name, ws.title, numbered, header_row, columns)
    raise _no_header(file_name)


# --- .csv ------------------------------------------------------------------------------------------------


def decode_text(data: bytes, file_name: str) -> str:
    """Text of a CSV file: UTF-16 with a BOM, else UTF-8 (BOM optional), else GB18030."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnusableInputError(f"“{file_name}”的文字编码无法识别。") from exc
    if b"\x00" in data[:4096]:
        raise UnusableInputError(f"“{file_name}”不是文本表格（CSV）文件，无法导入。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnusableInputError(f"“{file_name}”的文字编码无法识别（应为 UTF-8 或 GB18030）。")


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _read_csv(path: Path) -> SheetData:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnusableInputError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    text = decode_text(data, path.name)
    best: tuple[int, str, int, dict[Field, int]] | None = None
    for delimiter in CSV_DELIMITERS:
        try:
            found = find_header(_csv_rows(text, delimiter))
        except csv.Error:
            continue
        if found is not None and (best is None or len(found[1]) > best[0]):
            best = (len(found[1]), delimiter, found[0], found[1])
    if best is None:
        raise _no_header(path.name)
    _, delimiter, header_row, columns = best
    try:
        # a record of a CSV is one row in Excel, even with line breaks inside quotes
        numbered = enumerate(_csv_rows(text, delimiter), start=1)
        return collect_rows(path.name, path.stem, numbered, header_row, columns)
    except csv.Error as exc:
        raise UnusableInputError(f"“{path.name}”的 CSV 格式有误：{exc}") from exc
