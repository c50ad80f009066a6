"""What every renderer shares: where the PDF goes, the result it returns, date and phone formats, page flow."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import BinaryIO

from reception_desk.domain import phone as phones
from reception_desk.domain.deadlines import CALENDAR_DAYS, Colour, due_date, due_text
from reception_desk.domain.office_time import to_local
from reception_desk.printing.fonts import fonts
from reception_desk.printing.numbered_canvas import NumberedCanvas
from reception_desk.services.cases import CaseDetail

Output = str | os.PathLike[str] | BinaryIO
CREATOR = "接访台 Reception Desk"
BUREAU = "区信访局"


@dataclass(frozen=True)
class RenderResult:
    """What a renderer made: pages, documents in the PDF (slips, lists), characters no shipped font has."""

    pages: int
    documents: int
    missing_glyphs: frozenset[str]


def new_canvas(out: Output, pagesize: tuple[float, float], title: str, numbering: bool = True) -> NumberedCanvas:
    """A numbered canvas writing to a path or a binary stream, with the document's title set.

    Its initial font is the embedded main font: ReportLab's default (Helvetica, never embedded) would
    otherwise be named on every page although no text uses it.
    """
    target: str | BinaryIO = os.fspath(out) if isinstance(out, str | os.PathLike) else out
    canvas = NumberedCanvas(
        target, pagesize=pagesize, pageCompression=1, numbering=numbering, initialFontName=fonts().main
    )
    canvas.setTitle(title)
    canvas.setAuthor(BUREAU)
    canvas.setCreator(CREATOR)
    canvas.setSubject(title)
    return canvas


def cn_date(day: dt.date | None) -> str:
    """A date as forms print it: 2026年12月4日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_datetime(moment: dt.datetime) -> str:
    """A moment as forms print it: 2026年12月4日 14:30."""
    return f"{cn_date(moment.date())} {moment:%H:%M}"


def local_time(stored: dt.datetime) -> str:
    """A stored timestamp (naive UTC) in the office's time zone (Asia/Shanghai), whatever the computer's zone."""
    return cn_datetime(to_local(stored))


def supervision_text(case: CaseDetail) -> str:
    """What a 挂牌督办 mark says: the reason and the supervision deadline (slip and 催办单 alike)."""
    until = f"，督办期限：{cn_date(case.supervision_until)}" if case.supervision_until else ""
    return f"{case.supervision_reason.rstrip('。；;.') or '—'}{until}"


def repeat_text(case: CaseDetail) -> str:
    """重复访（原案件 JF-…）: the earlier case a repeat visit came back about."""
    return f"重复访（原案件 {case.repeat_of_case_no or '—'}）"


def full_phone(digits: str) -> str:
    """The whole phone number, grouped for reading aloud: 138 5700 1234 — only on papers the visitor keeps; the
    slips and notices that go to departments print it masked (phone.mask)."""
    parsed = phones.normalize(digits)
    return parsed.display() if parsed else digits


def deadline_text(case: CaseDetail) -> str:
    """The feedback deadline as printed: 黄色 3日内反馈，2026年12月4日前 ("" when the case has no colour).

    The stored due date wins: a day that counts working days has a later date than the calendar-day rule.
    """
    if not case.colour:
        return ""
    colour = Colour(case.colour)
    if case.due_date is None or case.due_date == due_date(case.day_date, colour, CALENDAR_DAYS):
        return due_text(case.day_date, colour)
    return f"{colour.label} {colour.days}个工作日内反馈，{cn_date(case.due_date)}前"


def excerpt(text: str, limit: int) -> str:
    """The first `limit` characters of text on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
