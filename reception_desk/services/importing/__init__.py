"""Import of pre-registrations (预登记名单) from .xlsx and .csv files: parse, judge each row, write in bulk."""

from __future__ import annotations

from reception_desk.services.importing.cells import Field, match_header, normalize_header, parse_headcount, split_names
from reception_desk.services.importing.importer import Progress, import_registrations, preview_import
from reception_desk.services.importing.reader import SheetData, SourceRow, read_sheet
from reception_desk.services.importing.report import ImportReport, Outcome, RowOutcome, RowVerdict
from reception_desk.services.importing.verdicts import DuplicateIndex, PlannedBatch, check_row

__all__ = [
    "DuplicateIndex",
    "Field",
    "ImportReport",
    "Outcome",
    "PlannedBatch",
    "Progress",
    "RowOutcome",
    "RowVerdict",
    "SheetData",
    "SourceRow",
    "check_row",
    "import_registrations",
    "match_header",
    "normalize_header",
    "parse_headcount",
    "preview_import",
    "read_sheet",
    "split_names",
]
