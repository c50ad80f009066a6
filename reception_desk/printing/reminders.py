"""催办单: a reminder notice to the lead department of an overdue case, one A4 page per case.

Addressed to the department, it names the case and the visitor (resident ID masked), quotes the request and the
leader's instruction, gives the received and due dates, the days overdue and the colour class, the supervision
if any, the history so far (签收, 反馈, ... in Asia/Shanghai time), the date the bureau wants the feedback by, and
the bureau's signature block with its phone. Each notice is its own paper: it counts its own pages, and is
shrunk to fit one page however long the request or the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, PageBreak, Spacer, Table

from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.case_life import EVENT_KINDS, CaseStatus
from reception_desk.domain.office_time import now_local, to_local
from reception_desk.printing.common import (
    BUREAU,
    Output,
    RenderResult,
    cn_date,
    cn_datetime,
    excerpt,
    repeat_text,
    supervision_text,
)
from reception_desk.printing.fonts import fonts
from reception_desk.printing.slips import due_line, extended
from reception_desk.printing.styles import COLOUR_FILL, COLOUR_INK, HEADER_FILL, grid_table_style, styles
from reception_desk.printing.tables import Cells, GroupStart, Title, build_document, grid
from reception_desk.services.report_data import Reminder

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
TOP, BOTTOM = 16 * mm, 18 * mm
WIDTH = PAGE_W - 2 * MARGIN
HEIGHT = PAGE_H - TOP - BOTTOM
REQUEST_CHARS = 260  # the request as an excerpt: the slip carries it in full
INSTRUCTION_CHARS = 160
HISTORY_ROWS = 12  # the latest steps; older ones are counted in a line of their own
STAMP_INK = COLOUR_INK["red"]
LABEL_W = 24 * mm


@dataclass(frozen=True)
class ReminderStyles:
    """The reminder's own paragraph styles (on top of the shared ones)."""

    addressee: ParagraphStyle
    body: ParagraphStyle
    mark: ParagraphStyle
    deadline: ParagraphStyle
    sign: ParagraphStyle
    number: ParagraphStyle


@lru_cache(maxsize=1)
def reminder_styles() -> ReminderStyles:
    """Built once, in the main CJK font, wrapping like Chinese text."""
    main = fonts().main

    def style(name: str, size: float, leading: float, align: Literal[0, 1, 2] = 0, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=main, fontSize=size, leading=leading, alignment=align, wordWrap="CJK", **extra
        )

    return ReminderStyles(
        addressee=style("rd-reminder-addressee", 13, 20, spaceBefore=4, spaceAfter=2),
        body=style("rd-reminder-body", 11, 19, firstLineIndent=22, spaceAfter=6),
        mark=style(
            "rd-reminder-mark",
            10.5,
            15,
            textColor=STAMP_INK,
            borderColor=STAMP_INK,
            borderWidth=1.2,
            borderPadding=5,
            leftIndent=5,
            rightIndent=5,
            spaceBefore=6,
            spaceAfter=10,
        ),
        deadline=style("rd-reminder-deadline", 12, 18, spaceBefore=8, spaceAfter=4),
        sign=style("rd-reminder-sign", 11, 18, align=2),
        number=style("rd-reminder-number", 9.5, 13, align=2, textColor=HexColor("#444444")),
    )


def _overdue_text(r: Reminder) -> str:
    return f"已逾期 {r.overdue_days} 天" if r.overdue_days > 0 else "尚未逾期"


class ReminderRenderer:
    """催办单: one page per case, many cases in one PDF; each notice counts its own pages."""

    title = "催办单"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def _facts(self, cells: Cells, r: Reminder) -> Table:
        c = r.case
        colour = c.colour_label or "—"
        due = cn_date(c.due_date) or "—"
        if extended(c):
            due += f"（原期限 {cn_date(c.original_due_date)}，已延期）"
        request = excerpt(c.request, REQUEST_CHARS)
        masked = resident_id.mask(c.id_number) or "（未登记）"
        instruction = excerpt(c.instruction, INSTRUCTION_CHARS) or "—"
        rows = [
            ("案件编号", c.case_no, "登记号", c.reg_no),
            ("来访人", f"{c.visitor_name}（{c.headcount} 人）", "身份证号", masked),
            ("联系电话", phones.mask(c.phone) or "（未登记）", "乡镇（村）", f"{c.township}{c.village}" or "—"),
            ("交办日期", cn_date(c.day_date), "颜色分类", colour),
            ("办理时限", due, "逾期情况", _overdue_text(r)),
            ("办理状态", _status_text(r), "协办单位", "、".join(c.co_departments) or "无"),
        ]
        wide_rows = [("反映问题", request), ("领导意见", instruction)]
        value_w = (WIDTH - 2 * LABEL_W) / 2
        st = styles()
        data: list[list[Any]] = [
            [cells.p(a, st.cell_centre), cells.p(b), cells.p(x, st.cell_centre), cells.p(y)] for a, b, x, y in rows
        ]
        data += [[cells.p(a, st.cell_centre), cells.p(b), "", ""] for a, b in wide_rows]
        table = Table(data, colWidths=[LABEL_W, value_w, LABEL_W, value_w], hAlign="CENTER")
        style = grid_table_style(header_rows=0)
        style.add("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)
        style.add("BACKGROUND", (2, 0), (2, len(rows) - 1), HEADER_FILL)
        for i in range(len(rows), len(data)):
            style.add("SPAN", (1, i), (3, i))
        fill = COLOUR_FILL.get(c.colour or "")
        if fill is not None:
            style.add("BACKGROUND", (3, 3), (3, 3), fill)
        if r.overdue_days > 0:
            style.add("TEXTCOLOR", (3, 4), (3, 4), STAMP_INK)
        table.setStyle(style)
        return table

    def _history(self, cells: Cells, r: Reminder) -> Flowable:
        c = r.case
        steps: list[tuple[str, str, str, str]] = [
            (cn_datetime(to_local(c.recorded_at)), "交办", c.lead_department, f"交{c.lead_department}办理"),
        ]
        for s in r.history:
            who = "　".join(x for x in (s.department, s.by) if x)
            steps.append((cn_datetime(to_local(s.at)), s.label or EVENT_KINDS.get(s.kind, s.kind), who, s.text))
        if not any(s.kind in ("signed", "feedback") for s in r.history):
            steps.append(("—", "—", "—", "交办后尚无签收、反馈记录。"))
        older = max(0, len(steps) - HISTORY_ROWS)
        shown = steps[:1] + steps[1 + older :] if older else steps
        rows = [cells.row(s, "ccll") for s in shown]
        if older:
            rows.insert(1, cells.row(("", "", "", f"（另有较早记录 {older} 条，略）"), "ccll"))
        widths = [36 * mm, 18 * mm, 40 * mm, WIDTH - 94 * mm]
        return grid(cells.head(["时间", "环节", "单位 / 经办人", "内容"]), rows, widths, zebra=False)

    def page(self, r: Reminder, missing: set[str]) -> list[Flowable]:
        """One notice's flowables (shrunk to one page)."""
        st, rs = styles(), reminder_styles()
        cells = Cells(missing)
        c = r.case
        content: list[Flowable] = [
            cells.p(f"编号：催〔{r.as_of.year}〕{c.case_no}", rs.number),
            Title("信访事项催办单", 22, missing, space_after=8),
        ]
        marks = []
        if c.supervised:
            marks.append(f"【挂牌督办】{supervision_text(c)}")
        if c.escalated:
            marks.append(f"【提级核查】{repeat_text(c)}")
        content.append(cells.p(f"{c.lead_department or '（未指定主办单位）'}：", rs.addressee))
        overdue = f"截至{cn_date(r.as_of)}已逾期 {r.overdue_days} 天，" if r.overdue_days > 0 else ""
        content.append(
            cells.p(
                f"{cn_date(c.day_date)}{c.day_title}交由你单位主办的信访事项（案件编号 {c.case_no}），"
                f"办理时限为 {due_line(c) or cn_date(c.due_date)}，{overdue}至今尚未办结反馈。"
                f"现予催办，请你单位高度重视，抓紧落实办理，并将办理情况书面反馈{BUREAU}。",
                rs.body,
            )
        )
        if marks:
            content.append(cells.p("　".join(marks), rs.mark))
        content += [
            self._facts(cells, r),
            cells.p("办理经过", st.heading),
            self._history(cells, r),
            cells.p(f"请于 {cn_date(r.reply_by)} 前将办理情况书面反馈{BUREAU}。", rs.deadline),
            Spacer(1, 10 * mm),
            cells.p(f"{BUREAU}（盖章）", rs.sign),
            cells.p(cn_date(r.as_of), rs.sign),
            cells.p(f"联系电话：{c.bureau_phone}", rs.sign),
        ]
        return [GroupStart(), KeepInFrame(WIDTH, HEIGHT - 2, content, mode="shrink")]

    def story(self, items: Iterable[Reminder], missing: set[str]) -> tuple[list[Flowable], int]:
        """Every notice, one page each; and how many."""
        story: list[Flowable] = []
        count = 0
        for r in items:
            if count:
                story.append(PageBreak())
            story += self.page(r, missing)
            count += 1
        if not count:
            story = [
                Spacer(1, HEIGHT / 2 - 20),
                Cells(missing).p("截至目前没有逾期未办结的案件，无需催办。", styles().subtitle),
            ]
        return story, count

    def render(self, items: Iterable[Reminder], out: Output) -> RenderResult:
        """Write the notices into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        story, count = self.story(items, missing)
        pages = build_document(out, A4, self.title, story, self.printed_at, (MARGIN, MARGIN, TOP, BOTTOM))
        return RenderResult(pages, count, frozenset(missing))


def _status_text(r: Reminder) -> str:
    c = r.case
    label = CaseStatus(c.status).label
    if c.signed_at is not None:
        return f"{label}（{c.signed_by} {cn_datetime(to_local(c.signed_at))} 签收）"
    return label
