"""Read a pre-registration file (.xlsx or .csv) into its header and data rows, numbered as Excel shows them.

Both formats are read row by row with every cell capped, so one enormous cell (a zip bomb of a workbook, a
CSV with a stray quote) costs a rejected row, never the memory of the machine or the whole file.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reception_desk.errors import UnusableInputError
from reception_desk.services.importing.cells import (
    FIELD_LABELS,
    FIELD_MAX_CHARS,
    Field,
    is_blank,
    match_header,
    strip_invisible,
)
from reception_desk.services.importing.report import RowVerdict

HEADER_SCAN_ROWS = 30
CSV_DELIMITERS = (",", "\t", ";")
_TOTAL_MARKS = ("合计", "总计")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc, or an encrypted workbook
_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
MAX_COLUMNS = 256  # cells further right are never a column the import reads
# Characters of a cell kept while reading: more than any column's limit, so an over-long cell is still seen
# as over-long, and far less than the file may hold.
CELL_KEEP_CHARS = 2 * max(FIELD_MAX_CHARS.values())
FORMULA_HINT = "公式没有计算结果，请在 Excel 中打开并保存后再导入"

Cells = Sequence[object]


class _FormulaWithoutValue:
    """A formula cell saved without its result (written by a program, never opened in Excel)."""

    def __repr__(self) -> str:
        return "<formula without value>"


FORMULA_WITHOUT_VALUE: Any = _FormulaWithoutValue()


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row: its row number as Excel shows it and the cells of the recognised columns.

    `problem` says why the row cannot be imported at all (a cell too long, a formula without result, a
    stray quote); `notes` are warnings found while reading (control characters removed).
    """

    row: int
    cells: dict[Field, object]
    notes: tuple[str, ...] = ()
    problem: str | None = None

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
    notices: list[RowVerdict] = field(default_factory=list)  # about the file itself (a header used twice)


def check_source(path: Path) -> None:
    """UnusableInputError unless the path is a regular file (a folder or a FIFO is said to be one)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise UnusableInputError(f"找不到文件：{path}") from exc
    except OSError as exc:
        raise UnusableInputError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise UnusableInputError(f"“{path}”是一个文件夹，不是文件：请选择其中的预登记名单文件。")
    if not stat.S_ISREG(mode):
        # never opened: reading a FIFO would wait for a writer forever
        raise UnusableInputError(f"“{path}”不是普通文件（是管道、设备或套接字），无法导入。")


def read_sheet(path: str | Path) -> SheetData:
    """Read a pre-registration file; UnusableInputError (one Chinese line) when it cannot be used at all."""
    path = Path(path)
    check_source(path)
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
    return _find_header(enumerate(itertools.islice(rows, HEADER_SCAN_ROWS), start=1))


def _find_header(numbered: Iterable[tuple[int, Cells]]) -> tuple[int, dict[Field, int]] | None:
    for number, cells in numbered:
        columns = _header_columns(cells)
        if Field.NAME in columns and Field.REQUEST in columns:
            return number, columns
    return None


def _header_columns(cells: Cells) -> dict[Field, int]:
    """The columns a header row names; a field named twice keeps its first (leftmost) column."""
    columns: dict[Field, int] = {}
    for index, value in enumerate(cells):
        if isinstance(value, str):
            which = match_header(value)
            if which is not None and which not in columns:
                columns[which] = index
    return columns


def column_letter(index: int) -> str:
    """Excel's letters for a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def header_notices(cells: Cells, header_row: int, columns: dict[Field, int]) -> list[RowVerdict]:
    """A warning for each field the header names in more than one column (the first column is the one used)."""
    extra: dict[Field, list[int]] = {}
    for index, value in enumerate(cells):
        which = match_header(value) if isinstance(value, str) else None
        if which is not None and columns.get(which) != index:
            extra.setdefault(which, []).append(index)
    notices = []
    for which, indexes in extra.items():
        used = columns[which]
        others = "、".join(f"第{column_letter(i)}列“{_one_line(cells[i])}”" for i in indexes)
        notices.append(
            RowVerdict(
                header_row,
                f"表头中“{FIELD_LABELS[which]}”出现了不止一次：使用第{column_letter(used)}列"
                f"“{_one_line(cells[used])}”，{others}未使用",
            )
        )
    return notices


def _one_line(value: object) -> str:
    """Text of a cell for a message: one line, no control characters (a report export must be able to hold it)."""
    return " ".join(strip_invisible(str(value))[0].split())


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


RowCheck = Callable[[Cells], str | None]


def collect_rows(
    file_name: str,
    sheet: str,
    numbered: Iterable[tuple[int, Cells]],
    header_row: int,
    columns: dict[Field, int],
    row_check: RowCheck | None = None,
) -> SheetData:
    """The data rows below the header: blank rows dropped silently, total rows counted as skipped.

    Each row's cells are checked as read: too long, a formula without result, or what `row_check` finds
    (a CSV's stray quote) makes the row's `problem`; control characters are removed with a note.
    """
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
        notes, problems = _check_cells(picked)
        found = row_check(cells) if row_check is not None else None
        if found:
            problems.insert(0, found)
        data.rows.append(SourceRow(number, picked, tuple(notes), "；".join(problems) or None))
    return data


def _check_cells(picked: dict[Field, object]) -> tuple[list[str], list[str]]:
    """Clean the cells in place; the notes (warnings) and problems (reasons to reject) of the row."""
    notes: list[str] = []
    problems: list[str] = []
    formulas = [which for which, value in picked.items() if value is FORMULA_WITHOUT_VALUE]
    if formulas:
        labels = "、".join(f"“{FIELD_LABELS[which]}”" for which in formulas)
        problems.append(f"{labels}是公式，{FORMULA_HINT}")
        for which in formulas:
            picked[which] = None
    for which, value in picked.items():
        if not isinstance(value, str):
            continue
        limit = FIELD_MAX_CHARS[which]
        if len(value) > limit:
            shown = f"{len(value)}字" if len(value) < CELL_KEEP_CHARS else f"{CELL_KEEP_CHARS}字以上"
            problems.append(f"“{FIELD_LABELS[which]}”有{shown}，超过{limit}字的上限，请精简后再导入")
            picked[which] = value[:limit]
            continue
        cleaned, removed = strip_invisible(value)
        if removed:
            picked[which] = cleaned
            notes.append(f"“{FIELD_LABELS[which]}”中有不可见的控制字符（{'、'.join(removed[:3])}），已删除")
    return notes, problems


# --- .xlsx -----------------------------------------------------------------------------------------------

# Bytes of one run of text between two XML tags kept while reading a workbook part. The longest cell a row
# may have (5,000 characters, up to 10 bytes each as a character reference) fits; a longer run is cut here,
# before the XML parser builds it as one string, and the cut cell is then rejected as too long.
TEXT_RUN_MAX_BYTES = 64 * 1024
_LONG_RUN = re.compile(rb">[^<]{%d}" % (TEXT_RUN_MAX_BYTES + 1))


class _CappedTextRuns(io.RawIOBase):
    """An XML part of a workbook with every text run longer than TEXT_RUN_MAX_BYTES cut to that length."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self._in_text = False
        self._run = 0  # bytes of the current text run so far (kept or dropped)
        self._recent = b""  # the last bytes passed on, to finish a cut cleanly
        self._open_utf8 = 0  # continuation bytes a cut character still needs
        self._open_entity = False  # a cut inside "&amp;": pass on up to its ';'

    def readable(self) -> bool:
        """Always."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill the buffer with the next filtered bytes; 0 at the end."""
        view = memoryview(buffer).cast("B")
        while True:
            chunk = self._inner.read(len(view))
            if not chunk:
                return 0
            out = self._filter(chunk)
            if out:
                view[: len(out)] = out
                self._recent = (self._recent + out)[-16:]
                return len(out)

    def close(self) -> None:
        """Close the zip member too."""
        self._inner.close()
        super().close()

    def _filter(self, chunk: bytes) -> bytes:
        first_lt = chunk.find(b"<")
        head = len(chunk) if first_lt < 0 else first_lt
        if (not self._in_text or self._run + head <= TEXT_RUN_MAX_BYTES) and _LONG_RUN.search(chunk) is None:
            # the common case: no run gets too long in this chunk; only follow where the chunk ends
            last_lt, last_gt = chunk.rfind(b"<"), chunk.rfind(b">")
            if last_lt < 0 and last_gt < 0:
                self._run += len(chunk) if self._in_text else 0
            elif last_gt > last_lt:
                self._in_text, self._run = True, len(chunk) - last_gt - 1
            else:
                self._in_text, self._run = False, 0
            return chunk
        return self._filter_slowly(chunk)

    def _filter_slowly(self, chunk: bytes) -> bytes:
        out = bytearray()
        pos, size = 0, len(chunk)
        while pos < size:
            if not self._in_text:
                end = chunk.find(b">", pos)
                if end < 0:
                    out += chunk[pos:]
                    break
                out += chunk[pos : end + 1]
                pos, self._in_text, self._run = end + 1, True, 0
                continue
            end = chunk.find(b"<", pos)
            stop = size if end < 0 else end
            room = TEXT_RUN_MAX_BYTES - self._run
            if stop - pos <= room:
                out += chunk[pos:stop]
            elif room > 0:
                out += chunk[pos : pos + room]
                self._open_at_cut(self._recent + bytes(out))
                out += self._finish(chunk[pos + room : stop])
            else:
                out += self._finish(chunk[pos:stop])
            self._run += stop - pos
            pos = stop
            if end >= 0:
                self._in_text, self._open_utf8, self._open_entity = False, 0, False
        return bytes(out)

    def _open_at_cut(self, written: bytes) -> None:
        """What the kept part of a cut run leaves unfinished: bytes of a UTF-8 character, a character entity."""
        tail = written[-12:]
        amp = tail.rfind(b"&")
        self._open_entity = amp >= 0 and b";" not in tail[amp:]
        self._open_utf8 = 0
        for back in range(1, min(4, len(tail)) + 1):
            byte = tail[-back]
            if byte < 0x80:
                break
            if byte >= 0xC0:
                self._open_utf8 = max(0, (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) - back)
                break

    def _finish(self, dropped: bytes) -> bytes:
        """The first bytes of a dropped part that finish the character or entity the cut left open."""
        i = 0
        while i < len(dropped) and (self._open_utf8 or self._open_entity):
            byte = dropped[i]
            if self._open_utf8 and 0x80 <= byte <= 0xBF:
                self._open_utf8 -= 1
            elif not self._open_utf8 and self._open_entity and byte < 0x80:
                self._open_entity = byte != 0x3B  # ';'
            else:
                self._open_utf8, self._open_entity = 0, False
                break
            i += 1
        return dropped[:i]


def _holds_cells(member: str) -> bool:
    """A worksheet or the shared-strings table: the parts where cell text lives."""
    name = member.lower().lstrip("/")
    return name.endswith(".xml") and (name.startswith("xl/worksheets/") or name == "xl/sharedstrings.xml")


class _CappedZip(zipfile.ZipFile):
    """A workbook's zip whose sheets and shared strings are read through _CappedTextRuns."""

    def open(self, name: Any, mode: Any = "r", pwd: bytes | None = None, *, force_zip64: bool = False) -> Any:
        """A member; XML members with their text runs capped."""
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        filename = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        if mode == "r" and _holds_cells(filename):
            return io.BufferedReader(_CappedTextRuns(member))
        return member


def _read_xlsx(path: Path) -> SheetData:
    # openpyxl is imported here: the CSV path and the GUI start-up need not pay for it
    from openpyxl.reader.excel import ExcelReader

    try:
        with path.open("rb") as fh:
            reader = ExcelReader(fh, read_only=True, data_only=True, keep_links=False)
            reader.archive = _CappedZip(fh)
            reader.read()
            workbook = reader.wb
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
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    sheets = list(workbook.worksheets)
    active = workbook.active
    if active in sheets:
        sheets.remove(active)
        sheets.insert(0, active)
    for ws in sheets:
        if not isinstance(ws, ReadOnlyWorksheet):
            continue  # a chart sheet
        rows = _sheet_rows(ws)
        head: list[tuple[int, Cells]] = []
        for number, cells in rows:
            head.append((number, cells))
            if number >= HEADER_SCAN_ROWS:
                break
        found = _find_header(head)
        if found is None:
            continue
        header_row, columns = found
        data = collect_rows(file_name, ws.title, itertools.chain(head, rows), header_row, columns)
        data.notices = header_notices(dict(head)[header_row], header_row, columns)
        return data
    raise _no_header(file_name)


def _sheet_rows(ws: Any) -> Iterator[tuple[int, list[object]]]:
    """The rows of a read-only sheet as (Excel row number, values); a formula saved without its result is
    FORMULA_WITHOUT_VALUE rather than None. The sheet's <dimension> tag is not trusted (it is often wrong)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FORMULA_WITHOUT_VALUE
            return cell

    with ws._get_source() as src:
        parser = Parser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=ws.parent.epoch,
            date_formats=ws.parent._date_formats,
            timedelta_formats=ws.parent._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: list[object] = []
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    break
                values.extend([None] * (column - 1 - len(values)))
                values.append(cell["value"])
            yield number, values


# --- .csv ------------------------------------------------------------------------------------------------


class CsvRecord(list[str]):
    """One record of a CSV file (a row in Excel), with the file lines it came from and how its quotes ended."""

    first_line = 1
    last_line = 1
    unclosed = False  # a quote opened in this record was never closed: the record runs to the end of the file
    multiline: frozenset[int] = frozenset()  # quoted fields holding line breaks
    text_after_quote: frozenset[int] = frozenset()  # fields with text after their closing quote ("a"b)


_START, _UNQUOTED, _QUOTED, _QUOTE_IN_QUOTED, _AFTER_CR = range(5)
_CSV_CHUNK = 1 << 16


def csv_records(stream: IO[str], delimiter: str) -> Iterator[CsvRecord]:
    """The records of CSV text, one at a time, read in chunks: memory stays flat whatever a cell holds.

    Quoting follows Python's csv module (doubled quotes inside quotes; text after a closing quote is kept);
    fields are cut to CELL_KEEP_CHARS characters and records to MAX_COLUMNS fields.
    """
    stop = re.compile("[" + re.escape(delimiter) + "\r\n]")
    fields: list[str] = []
    parts: list[str] = []
    size = 0
    line = first_line = 1
    state = _START
    multiline: set[int] = set()
    after_quote: set[int] = set()

    def add(text: str) -> None:
        nonlocal size
        if size < CELL_KEEP_CHARS:
            parts.append(text[: CELL_KEEP_CHARS - size])
        size += len(text)

    def end_field() -> None:
        nonlocal size
        if len(fields) < MAX_COLUMNS:
            fields.append("".join(parts))
        parts.clear()
        size = 0

    def end_record(unclosed: bool = False) -> CsvRecord:
        nonlocal first_line
        record = CsvRecord(fields)
        record.first_line, record.last_line, record.unclosed = first_line, line, unclosed
        record.multiline, record.text_after_quote = frozenset(multiline), frozenset(after_quote)
        fields.clear()
        multiline.clear()
        after_quote.clear()
        return record

    at_record_start = True
    for chunk in iter(lambda: stream.read(_CSV_CHUNK), ""):
        pos, size_of_chunk = 0, len(chunk)
        while pos < size_of_chunk:
            if state == _AFTER_CR:
                if chunk[pos] == "\n":
                    pos += 1
                state = _START
                continue
            if state == _START and at_record_start:
                first_line = line
                newline = chunk.find("\n", pos)
                if newline >= 0:
                    text = chunk[pos:newline]
                    text = text[:-1] if text.endswith("\r") else text
                    if '"' not in text and "\r" not in text:
                        # the common case, a whole line without quotes: split it at once
                        fields.extend(f[:CELL_KEEP_CHARS] for f in text.split(delimiter)[:MAX_COLUMNS] if text)
                        yield end_record()
                        line += 1
                        pos = newline + 1
                        continue
            if state == _START:
                if chunk[pos] == '"':
                    state, pos, at_record_start = _QUOTED, pos + 1, False
                    continue
                if at_record_start and chunk[pos] in "\r\n":
                    # an empty line: an empty record, as the csv module gives
                    yield end_record()
                    line += 1
                    state = _AFTER_CR if chunk[pos] == "\r" else _START
                    pos += 1
                    continue
                state, at_record_start = _UNQUOTED, False
            if state == _UNQUOTED:
                found = stop.search(chunk, pos)
                end = found.start() if found else size_of_chunk
                if end > pos:
                    add(chunk[pos:end])
                pos = end
                if found is None:
                    break
                char = chunk[pos]
                pos += 1
                end_field()
                state = _START
                if char != delimiter:
                    yield end_record()
                    line += 1
                    if char == "\r":
                        state = _AFTER_CR
                    at_record_start = True
            elif state == _QUOTED:
                end = chunk.find('"', pos)
                segment = chunk[pos : size_of_chunk if end < 0 else end]
                breaks = segment.count("\n") + segment.count("\r") - segment.count("\r\n")
                if breaks:
                    line += breaks
                    multiline.add(len(fields))
                add(segment)
                if end < 0:
                    break
                pos, state = end + 1, _QUOTE_IN_QUOTED
            else:  # _QUOTE_IN_QUOTED: a quote inside quotes, doubled or closing
                char = chunk[pos]
                if char == '"':
                    add('"')
                    pos, state = pos + 1, _QUOTED
                elif char == delimiter or char in "\r\n":
                    state = _UNQUOTED  # ends the field (and maybe the record) as an unquoted one would
                else:
                    after_quote.add(len(fields))
                    state = _UNQUOTED
    if state == _QUOTED:
        end_field()
        yield end_record(unclosed=True)
    elif not at_record_start or state in (_UNQUOTED, _QUOTE_IN_QUOTED):
        end_field()
        yield end_record()


def csv_encoding(path: Path) -> str:
    """The text encoding of a CSV file: UTF-16 with a BOM, else UTF-8 (BOM optional), else GB18030.

    Decided by decoding the whole file in pieces (nothing kept); a NUL in the first 4 KB means a binary file.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16"
            if b"\x00" in head:
                raise UnusableInputError(f"“{path.name}”不是文本表格（CSV）文件，无法导入。")
            for encoding in ("utf-8-sig", "gb18030"):
                fh.seek(0)
                decoder = codecs.getincrementaldecoder(encoding)()
                try:
                    for piece in iter(lambda: fh.read(1 << 20), b""):
                        decoder.decode(piece)
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    continue
                return encoding
    except OSError as exc:
        raise UnusableInputError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    raise UnusableInputError(f"“{path.name}”的文字编码无法识别（应为 UTF-8 或 GB18030）。")


def _open_text(path: Path, encoding: str) -> IO[str]:
    return open(path, encoding=encoding, newline="")


def _read_csv(path: Path) -> SheetData:
    encoding = csv_encoding(path)
    try:
        best: tuple[int, str, int, dict[Field, int], Cells] | None = None
        for delimiter in CSV_DELIMITERS:
            with _open_text(path, encoding) as fh:
                head = list(itertools.islice(csv_records(fh, delimiter), HEADER_SCAN_ROWS))
            found = find_header(head)
            if found is not None and (best is None or len(found[1]) > best[0]):
                best = (len(found[1]), delimiter, found[0], found[1], head[found[0] - 1])
        if best is None:
            raise _no_header(path.name)
        _, delimiter, header_row, columns, header = best
        check = _StrayQuotes(delimiter, len(header), columns.get(Field.NAME))
        with _open_text(path, encoding) as fh:
            # a record of a CSV is one row in Excel, even with line breaks inside quotes
            numbered = enumerate(csv_records(fh, delimiter), start=1)
            data = collect_rows(path.name, path.stem, numbered, header_row, columns, check)
    except UnicodeDecodeError as exc:
        raise UnusableInputError(f"“{path.name}”的文字编码无法识别。") from exc
    except OSError as exc:
        raise UnusableInputError(f"无法打开“{path.name}”：{exc.strerror or exc}") from exc
    data.notices = header_notices(header, header_row, columns)
    return data


@dataclass(frozen=True)
class _StrayQuotes:
    """Finds the rows a stray quote swallowed: a quoted cell running over lines that look like rows of the file.

    A quote opened and never closed runs to the end of the file; one closed by another row's quote leaves text
    after it ("征地"补偿). Either way the lines inside the cell that split into columns like the header are the
    rows that vanished from the list.
    """

    delimiter: str
    width: int
    name_index: int | None

    def __call__(self, cells: Cells) -> str | None:
        """Why the record cannot be imported, or None."""
        if not isinstance(cells, CsvRecord) or not (cells.unclosed or cells.multiline):
            return None
        suspects = sorted(cells.multiline | ({len(cells) - 1} if cells.unclosed else set()))
        swallowed: list[str] = []
        for index in suspects:
            if index >= len(cells):
                continue
            strong = cells.unclosed or index in cells.text_after_quote
            needed = 1 if strong else max(2, self.width - 2)
            for text in cells[index].splitlines()[1:]:
                if text.count(self.delimiter) >= needed:
                    swallowed.append(text)
        lines = f"文件第{cells.first_line}–{cells.last_line}行"
        names = self._names(swallowed)
        if cells.unclosed:
            return (
                f"引号没有配对：从这一行起到文件末尾（{lines}）都被并进了这一行{names}；"
                "这一行未导入，请在文本编辑器中检查引号后重新导入这几行"
            )
        if not swallowed:
            return None
        return (
            f"引号不配对：{lines}被并成了这一行，其中还有{len(swallowed)}行像是另外的登记{names}；"
            "这一行未导入，请在文本编辑器中检查引号后重新导入这几行"
        )

    def _names(self, swallowed: list[str]) -> str:
        if self.name_index is None:
            return ""
        names = []
        for text in swallowed:
            parts = text.split(self.delimiter)
            name = _one_line(parts[self.name_index]).strip('"') if self.name_index < len(parts) else ""
            if name:
                names.append(name[: FIELD_MAX_CHARS[Field.NAME]])
        if not names:
            return ""
        shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
        return f"（{shown}）"
