"""Export the day's registrations to Excel or CSV (resident IDs masked: a list never shows them whole)."""

from __future__ import annotations

from pathlib import Path

from reception_desk.db.engine import Database
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.errors import UnusableInputError
from reception_desk.files import replacing
from reception_desk.services.registrations import RegistrationRow, list_registrations
from reception_desk.services.safe_cells import write_csv_rows, xlsx_cell, xlsx_row

HEADER = (
    "登记号",
    "姓名",
    "身份证号",
    "联系电话",
    "来访人数",
    "问题类别",
    "所属乡镇（街道）",
    "村（社区）",
    "反映问题及诉求",
    "接待室",
    "状态",
    "标记",
)
_WIDTHS = (9, 14, 22, 14, 9, 20, 14, 14, 60, 8, 9, 22)


def _cells(row: RegistrationRow) -> list[object]:
    flags = "、".join(Flag(f).label for f in row.flags if f in Flag._value2member_map_)
    return [
        row.reg_no,
        row.name,
        row.id_masked,
        row.phone,
        row.headcount,
        row.theme_name,
        row.township,
        row.village,
        row.request,
        row.room_number or "",
        BatchStatus(row.status).label,
        flags,
    ]


def export_registrations(db: Database, day_id: int, path: Path, title: str = "") -> int:
    """Write the day's registrations to .xlsx or .csv (UTF-8 with BOM, so Excel reads it); returns rows.

    Formula-looking text is written quoted, never as a formula (safe_cells).
    """
    rows = list_registrations(db, day_id)
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise UnusableInputError(f"不支持的导出格式“{path.suffix}”，请用 .xlsx 或 .csv。")
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # a half-written file never takes the name
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                write_csv_rows(fh, [HEADER, *(_cells(r) for r in rows)])
        else:
            _write_xlsx(tmp, rows, title)
    return len(rows)


def _write_xlsx(tmp: Path, rows: list[RegistrationRow], title: str) -> None:
    from openpyxl import Workbook  # loaded when needed: it costs ~0.1 s at start-up
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "预登记名单"
    first = 1
    if title:
        ws.append([xlsx_cell(ws, title)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        first = 2
    ws.append(xlsx_row(ws, HEADER, Font(bold=True)))
    for r in rows:
        ws.append(xlsx_row(ws, _cells(r)))
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(first, i).column_letter].width = width
    ws.freeze_panes = ws.cell(first + 1, 1)
    wb.save(tmp)
