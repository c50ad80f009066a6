"""交办清单: per department a cover list of its cases to sign for, followed by the slip of every case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak, Spacer

from reception_desk.domain.office_time import now_local
from reception_desk.printing.common import Output, RenderResult, cn_date
from reception_desk.printing.slips import SlipWriter, slip_pages
from reception_desk.printing.styles import styles
from reception_desk.printing.tables import (
    LIST_TEMPLATE,
    SLIP_TEMPLATE,
    Cells,
    GroupStart,
    Title,
    build_document,
    colour_cell_styles,
    grid,
)
from reception_desk.services.print_data import DepartmentBundle

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
COLUMNS = (
    ("序号", 10, "c"),
    ("案件编号", 38, "c"),
    ("来访人", 21, "c"),
    ("乡镇（街道）", 21, "c"),
    ("承办", 11, "c"),
    ("颜色", 11, "c"),
    ("反馈期限", 20, "c"),
    ("签收人（签字）", 24, "c"),
    ("签收时间", 18, "c"),
)


def short_due(day: dt.date | None) -> str:
    """A due date for a narrow column: 12月4日前."""
    return f"{day.month}月{day.day}日前" if day else "—"


class DepartmentBundleRenderer:
    """交办清单: for each department, the cover list to sign, then every slip (its own or co-handled)."""

    title = "交办清单"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def cover(self, bundle: DepartmentBundle, missing: set[str]) -> list[Flowable]:
        """The cover list's flowables."""
        st = styles()
        cells = Cells(missing)
        lead = sum(1 for e in bundle.entries if e.role == "lead")
        co = len(bundle.entries) - lead
        story: list[Flowable] = [
            Title("交 办 清 单", 20, missing),
            cells.p(f"{bundle.day.title}（{cn_date(bundle.day.date)}）", st.subtitle),
            cells.p(
                f"责任单位：{bundle.department_name}　　共 {len(bundle.entries)} 件（主办 {lead} 件，协办 {co} 件）",
                st.body,
            ),
            Spacer(1, 3 * mm),
        ]
        if not bundle.entries:
            story.append(cells.p("该单位在本接访日没有交办的案件。", st.body))
            return story
        header = cells.head([c[0] for c in COLUMNS])
        aligns = "".join(c[2] for c in COLUMNS)
        rows = [
            cells.row(
                [
                    i,
                    e.case.case_no,
                    e.case.visitor_name,
                    e.case.township,
                    e.role_label,
                    e.case.colour_label,
                    short_due(e.case.due_date),
                    "",
                    "",
                ],
                aligns,
            )
            for i, e in enumerate(bundle.entries, start=1)
        ]
        table = grid(
            header,
            rows,
            [c[1] * mm for c in COLUMNS],
            zebra=False,
            extra=colour_cell_styles([e.case.colour for e in bundle.entries], 5),
            row_height=9 * mm,  # room to sign on every row
        )
        story += [
            table,
            Spacer(1, 8 * mm),
            cells.p("交办人（签字）：＿＿＿＿＿＿＿＿　　交办时间：　　年　　月　　日", st.body),
            Spacer(1, 5 * mm),
            cells.p("签收单位（盖章）：＿＿＿＿＿＿＿＿　　签收人（签字）：＿＿＿＿＿＿＿＿", st.body),
            Spacer(1, 5 * mm),
            cells.p(f"本清单后附交办单 {len(bundle.entries)} 份，请逐件签收，按期反馈。", st.note),
        ]
        return story

    def render(self, bundles: Iterable[DepartmentBundle], out: Output) -> RenderResult:
        """Write the bundles into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        writer = SlipWriter(missing)
        story: list[Flowable] = []
        count = 0
        for bundle in bundles:
            if count:
                story += [NextPageTemplate(LIST_TEMPLATE), PageBreak()]
            count += 1
            story += [GroupStart(), *self.cover(bundle, missing)]
            if bundle.entries:
                story += [NextPageTemplate(SLIP_TEMPLATE), PageBreak()]
            for entry in bundle.entries:
                story += slip_pages(writer, entry.case)
        if count == 0:
            story.append(Cells(missing).p("没有需要打印的交办清单。", styles().body))
        margins = (MARGIN, MARGIN, 14 * mm, 16 * mm)
        pages = build_document(out, A4, self.title, story, self.printed_at, margins, with_slip_pages=True)
        return RenderResult(pages, count, frozenset(missing))
