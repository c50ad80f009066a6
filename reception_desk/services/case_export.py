"""Export the case ledger (案件台账) to Excel: every case with its history columns.

Resident IDs and phones are masked (a ledger leaves the office; only an admin with a reason exports them whole, and
that export is logged), formula-looking text is quoted text, times are the
office's wall-clock (Asia/Shanghai). A plain function taking the database and a path, so the UI can run it off its
thread; written in openpyxl's write-only mode, so ten years of cases stream out instead of building in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseEvent, Theme
from reception_desk.domain import phone, resident_id
from reception_desk.domain.case_life import METHODS, RATINGS, CaseStatus
from reception_desk.domain.office_time import to_local
from reception_desk.errors import UnusableInputError
from reception_desk.files import replacing
from reception_desk.services import audit, unmask
from reception_desk.services.cases import CaseDetail, load_case_details
from reception_desk.services.safe_cells import xlsx_row

HEADER = (
    "案件编号",
    "接访日",
    "接待室",
    "登记号",
    "来访人",
    "身份证号",
    "联系电话",
    "人数",
    "问题类别",
    "反映问题及诉求",
    "领导批示",
    "处理结果",
    "颜色分类",
    "主办单位",
    "协办单位",
    "办理期限",
    "原办理期限",
    "状态",
    "签收人",
    "签收时间",
    "反馈次数",
    "最后反馈",
    "最后反馈时间",
    "办结时间",
    "化解",
    "回访结果",
    "回访方式",
    "回访时间",
    "延期",
    "督办",
    "重复访 of",
    "提级核查",
)
_WIDTHS = {"反映问题及诉求": 50, "领导批示": 30, "最后反馈": 40, "延期": 40, "督办": 30, "协办单位": 24}


@dataclass
class _History:
    """What the events of one case add to its row."""

    feedbacks: int = 0
    last_feedback: str = ""
    last_feedback_at: dt.datetime | None = None
    rating: str = ""
    method: str = ""
    followed_up_at: dt.datetime | None = None
    extensions: list[str] = field(default_factory=list)


def _time(moment: dt.datetime | None) -> str:
    return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment else ""


def _histories(session: Any, where: tuple[ColumnElement[bool], ...]) -> dict[int, _History]:
    """Feedback, follow-up and extensions per case, from the events in time order (one query)."""
    out: dict[int, _History] = defaultdict(_History)
    stmt = (
        select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.at, CaseEvent.actor, CaseEvent.text, CaseEvent.data)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind.in_(("feedback", "follow_up", "extended")), *where)
        .order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)
    )
    for case_id, kind, at, actor, text, data in session.execute(stmt):
        h, data = out[case_id], data or {}
        if kind == "feedback":
            h.feedbacks += 1
            h.last_feedback = f"{text}（{actor}）" if actor else text
            h.last_feedback_at = at
        elif kind == "follow_up":
            h.rating = RATINGS.get(data.get("rating", ""), data.get("rating", ""))
            h.method = METHODS.get(data.get("method", ""), data.get("method", ""))
            h.followed_up_at = at
        else:
            approved = f"；批准：{data['approved_by']}" if data.get("approved_by") else ""
            h.extensions.append(f"{data.get('from') or '—'}→{data.get('to')}（{text}{approved}）")
    return out


def _cells(d: CaseDetail, theme: str, h: _History, whole: bool = False) -> list[object]:
    supervision = ""
    if d.supervised:
        supervision = f"挂牌督办：{d.supervision_reason}"
        if d.supervision_until:
            supervision += f"（督办期限 {d.supervision_until}）"
    closed = d.status == CaseStatus.CLOSED.value
    return [
        d.case_no,
        d.day_date.isoformat(),
        d.room_number if d.room_number is not None else "",
        d.reg_no,
        d.visitor_name,
        (d.id_number or "") if whole else resident_id.mask(d.id_number),
        (d.phone or "") if whole else phone.mask(d.phone),
        d.headcount,
        theme,
        d.request,
        d.instruction,
        d.outcome_label,
        d.colour_label,
        d.lead_department,
        "、".join(d.co_departments),
        d.due_date.isoformat() if d.due_date else "",
        d.original_due_date.isoformat() if d.original_due_date and d.original_due_date != d.due_date else "",
        CaseStatus(d.status).label,
        d.signed_by,
        _time(d.signed_at),
        h.feedbacks,
        h.last_feedback,
        _time(h.last_feedback_at),
        _time(d.closed_at),
        ("是" if d.resolved else "否") if closed and d.resolved is not None else "",
        h.rating,
        h.method,
        _time(h.followed_up_at),
        "；".join(h.extensions),
        supervision,
        d.repeat_of_case_no,
        "是" if d.escalated else "",
    ]


def export_cases(
    db: Database, path: Path, day_id: int | None = None, actor: str = audit.SYSTEM, reveal_reason: str = ""
) -> int:
    """Write every case (of all days, or of one day) with its history to an .xlsx ledger; returns rows written.

    IDs and phones are masked; with `reveal_reason` an admin (PermissionDeniedError for anyone else) gets them
    whole, logged with the reason ("export_unmasked") in the transaction that reads them.
    """
    if path.suffix.lower() != ".xlsx":
        raise UnusableInputError(f"不支持的导出格式“{path.suffix}”，案件台账请导出为 .xlsx。")
    from openpyxl import Workbook  # loaded when needed: it costs ~0.1 s at start-up
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    where: tuple[ColumnElement[bool], ...] = (Case.day_id == day_id,) if day_id is not None else ()
    whole = bool(reveal_reason.strip())
    with db.session() if whole else db.read() as session:
        reason = unmask.require_export_reveal(session, actor, reveal_reason) if whole else ""
        details = load_case_details(session, *where)
        themes = dict(
            session.execute(
                select(Case.id, Theme.name)
                .join(Batch, Batch.id == Case.batch_id)
                .join(Theme, Theme.id == Batch.theme_id)
                .where(*where)
            )
            .tuples()
            .all()
        )
        histories = _histories(session, where)
        if whole:
            unmask.record_export(session, actor, "案件台账", path.name, len(details), reason, "reception_day", day_id)
    details.sort(key=lambda d: (d.day_date, d.case_no))

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("案件台账")
    for i, title in enumerate(HEADER, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(title, 14)
    ws.freeze_panes = "B2"
    bold = Font(bold=True)

    ws.append(xlsx_row(ws, HEADER, bold))
    empty = _History()
    for d in details:
        ws.append(xlsx_row(ws, _cells(d, themes.get(d.case_id, ""), histories.get(d.case_id, empty), whole)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # a half-written file never takes the name
        wb.save(tmp)
    return len(details)
