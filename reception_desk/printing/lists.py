"""接待室安排表 (each room's queue, for its host) and 预登记名单 (the day's list), landscape A4 tables.

Phones are printed partly masked and resident IDs masked: these sheets lie on tables all day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from reception_desk.domain import phone as phones
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.domain.office_time import now_local
from reception_desk.printing.common import Output, RenderResult, cn_date, excerpt
from reception_desk.printing.styles import styles
from reception_desk.printing.tables import Cells, GroupStart, Title, build_document, grid
from reception_desk.services.print_data import RegistrationListing, RoomQueue

PAGE = landscape(A4)
MARGIN = 12 * mm
MARGINS = (MARGIN, MARGIN, 11 * mm, 15 * mm)

SCHEDULE_COLUMNS = (
    ("序号", 10, "c"),
    ("登记号", 16, "c"),
    ("姓名", 22, "c"),
    ("人数", 11, "c"),
    ("乡镇（街道）/ 村（社区）", 38, "l"),
    ("诉求摘要", 96, "l"),
    ("联系电话", 25, "c"),
    ("身份证号", 36, "c"),
    ("备注", 19, "c"),
)
LIST_COLUMNS = (
    ("登记号", 13, "c"),
    ("姓名", 19, "c"),
    ("人数", 9, "c"),
    ("问题类别", 26, "l"),
    ("接待室", 12, "c"),
    ("乡镇（街道）", 19, "c"),
    ("村（社区）", 20, "c"),
    ("联系电话", 24, "c"),
    ("身份证号", 35, "c"),
    ("诉求摘要", 66, "l"),
    ("状态", 13, "c"),
    ("标记", 17, "c"),
)


def _remarks(collective: bool, source: str, status: str) -> str:
    notes = []
    if collective:
        notes.append(Flag.COLLECTIVE.label)
    if source == "walk_in":
        notes.append("现场登记")
    if status != BatchStatus.REGISTERED.value:
        notes.append(BatchStatus(status).label)
    return "、".join(notes)


class RoomScheduleRenderer:
    """接待室安排表: each room's queue in working order, one room after another, each counting its pages."""

    title = "接待室安排表"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def story(self, room: RoomQueue, missing: set[str]) -> list[Flowable]:
        """One room's flowables."""
        st = styles()
        cells = Cells(missing)
        collective = sum(1 for e in room.entries if e.collective)
        theme = f"（{room.theme_name}）" if room.theme_name else ""
        info = (
            f"接访日期：{cn_date(room.day.date)}　　地点：{room.location or room.day.venue}　　"
            f"接待领导：{room.host or '—'}　　共 {len(room.entries)} 批 {room.people} 人"
            + (f"（集体访 {collective} 批）" if collective else "")
        )
        story: list[Flowable] = [
            Title(f"{room.name}接待安排表", 18, missing),
            cells.p(f"{room.day.title}{theme}", st.subtitle),
            cells.p(info, st.body),
            Spacer(1, 2 * mm),
        ]
        if not room.entries:
            story.append(cells.p("本接待室暂无安排的来访批次。", st.body))
            return story
        aligns = "".join(c[2] for c in SCHEDULE_COLUMNS)
        rows = [
            cells.row(
                [
                    e.order,
                    e.reg_no,
                    e.name,
                    e.headcount,
                    " ".join(p for p in (e.township, e.village) if p),
                    excerpt(e.request, 70),
                    phones.mask(e.phone),
                    e.id_masked,
                    _remarks(e.collective, e.source, e.status),
                ],
                aligns,
            )
            for e in room.entries
        ]
        story.append(grid(cells.head([c[0] for c in SCHEDULE_COLUMNS]), rows, [c[1] * mm for c in SCHEDULE_COLUMNS]))
        return story

    def render(self, rooms: Iterable[RoomQueue], out: Output) -> RenderResult:
        """Write the rooms' schedules into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        story: list[Flowable] = []
        count = 0
        for room in rooms:
            if count:
                story.append(PageBreak())
            count += 1
            story += [GroupStart(), *self.story(room, missing)]
        if count == 0:
            story.append(Cells(missing).p("没有需要打印的接待室。", styles().body))
        pages = build_document(out, PAGE, self.title, story, self.printed_at, MARGINS)
        return RenderResult(pages, count, frozenset(missing))


class RegistrationListRenderer:
    """预登记名单: the day's batches by registration number."""

    title = "预登记名单"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def story(self, listing: RegistrationListing, missing: set[str]) -> list[Flowable]:
        """The list's flowables."""
        st = styles()
        cells = Cells(missing)
        rows_data = listing.rows
        people = sum(r.headcount for r in rows_data)
        collective = sum(1 for r in rows_data if Flag.COLLECTIVE.value in r.flags)
        walk_ins = sum(1 for r in rows_data if r.source == "walk_in")
        day = listing.day
        story: list[Flowable] = [
            Title("预 登 记 名 单", 18, missing),
            cells.p(f"{day.title}（{cn_date(day.date)}，{day.venue}）", st.subtitle),
            cells.p(
                f"共 {len(rows_data)} 批 {people} 人，其中集体访 {collective} 批，现场登记 {walk_ins} 批。",
                st.body,
            ),
            Spacer(1, 2 * mm),
        ]
        aligns = "".join(c[2] for c in LIST_COLUMNS)
        rows = [
            cells.row(
                [
                    r.reg_no,
                    r.name,
                    r.headcount,
                    r.theme_name,
                    r.room_number or "—",
                    r.township,
                    r.village,
                    phones.mask(r.phone),
                    r.id_masked,
                    excerpt(r.request, 36),
                    BatchStatus(r.status).label,
                    "、".join(Flag(f).label for f in r.flags),
                ],
                aligns,
            )
            for r in rows_data
        ]
        story.append(grid(cells.head([c[0] for c in LIST_COLUMNS]), rows, [c[1] * mm for c in LIST_COLUMNS]))
        return story

    def render(self, listing: RegistrationListing, out: Output) -> RenderResult:
        """Write the list into a PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        story = self.story(listing, missing)
        pages = build_document(out, PAGE, self.title, story, self.printed_at, MARGINS)
        return RenderResult(pages, 1, frozenset(missing))
