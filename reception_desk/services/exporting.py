"""Export the day's registrations to Excel or CSV.

Resident IDs and phones are masked (330803********1234, 138****1234): a list leaves the office. Only an admin who
gives a reason exports them whole (`reveal_reason`); that export is logged ("export_unmasked", unmask.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch
from reception_desk.domain import phone as phones
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.errors import UnusableInputError
from reception_desk.files import replacing
from reception_desk.services import audit, unmask
from reception_desk.services.registrations import RegistrationRow, row_select, to_row
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


@dataclass(frozen=True)
class _Line:
    """A registration as exported: the row, and the lead's whole ID and phone only for an unmasked export."""

    row: RegistrationRow
    id_number: str | None = None
    phone: str | None = None


def _cells(line: _Line) -> list[object]:
    row = line.row
    flags = "、".join(Flag(f).label for f in row.flags if f in Flag._value2member_map_)
    return [
        row.reg_no,
        row.name,
        line.id_number if line.id_number is not None else row.id_masked,
        line.phone if line.phone is not None else phones.mask(row.phone),
        row.headcount,
        row.theme_name,
        row.township,
        row.village,
        row.request,
        row.room_number or "",
        BatchStatus(row.status).label,
        flags,
    ]


def export_registrations(
    db: Database, day_id: int, path: Path, title: str = "", actor: str = audit.SYSTEM, reveal_reason: str = ""
) -> int:
    """Write the day's registrations to .xlsx or .csv (UTF-8 with BOM, so Excel reads it); returns rows.

    IDs and phones are masked; with `reveal_reason` an admin (PermissionDeniedError for anyone else) gets them
    whole, and the export is logged with the reason in the transaction that reads them. Formula-looking text is
    written quoted, never as a formula (safe_cells).
    """
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise UnusableInputError(f"不支持的导出格式“{path.suffix}”，请用 .xlsx 或 .csv。")
    rows = _load(db, day_id, path, actor, reveal_reason)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # a half-written file never takes the name
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                write_csv_rows(fh, [HEADER, *(_cells(r) for r in rows)])
        else:
            _write_xlsx(tmp, rows, title)
    return len(rows)


def _load(db: Database, day_id: int, path: Path, actor: str, reveal_reason: str) -> list[_Line]:
    """The day's registrations in the desk's order; whole numbers (and the log entry) only with a reason."""
    reveal = bool(reveal_reason.strip())
    with db.session() if reveal else db.read() as session:
        reason = unmask.require_export_reveal(session, actor, reveal_reason) if reveal else ""
        found = session.execute(
            row_select()
            .where(Batch.day_id == day_id)
            # the order of the desk's lists: by prefix, then numerically (Y9999 before Y10000)
            .order_by(func.substr(Batch.reg_no, 1, 1), func.length(Batch.reg_no), Batch.reg_no)
        )
        lines = [
            _Line(to_row(*r), r[1].id_number or "", r[1].phone or "") if reveal else _Line(to_row(*r)) for r in found
        ]
        if reveal:
            unmask.record_export(session, actor, "预登记名单", path.name, len(lines), reason, "reception_day", day_id)
    return lines


def _write_xlsx(tmp: Path, rows: list[_Line], title: str) -> None:
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
