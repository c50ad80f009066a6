"""接访案件办理情况统计表: the office's figures by lead department over a period (a month, a day, any range),
as of a date, with a total row; landscape A4 so the nine figures sit in one row per department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from reception_desk.domain.figures import Figures, rate_text
from reception_desk.domain.office_time import now_local
from reception_desk.printing.common import BUREAU, Output, RenderResult, cn_date
from reception_desk.printing.fonts import fonts
from reception_desk.printing.styles import TOTAL_FILL, styles
from reception_desk.printing.tables import Cells, Title, build_document, grid
from reception_desk.services.report_data import FiguresReport

PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
HEAD = ["序号", "责任单位", "案件数", "交办", "已办结", "按期办结", "逾期", "按期办结率", "参评率", "满意率", "化解率"]
# column shares of the width: the department name takes what the numbers leave
SHARES = [0.05, 0.23, 0.07, 0.07, 0.07, 0.08, 0.07, 0.095, 0.09, 0.09, 0.085]


@dataclass(frozen=True)
class ReportStyles:
    """The report's own paragraph styles."""

    meta: ParagraphStyle
    number: ParagraphStyle


@lru_cache(maxsize=1)
def report_styles() -> ReportStyles:
    """Built once, in the main CJK font, wrapping like Chinese text."""
    main = fonts().main
    return ReportStyles(
        meta=ParagraphStyle("rd-report-meta", fontName=main, fontSize=10.5, leading=15, alignment=1, wordWrap="CJK"),
        number=ParagraphStyle("rd-report-number", fontName=main, fontSize=10, leading=13, alignment=1, wordWrap="CJK"),
    )


def figure_row(f: Figures) -> list[str]:
    """The nine figures of one row as printed (rates as 99.54% or —)."""
    return [
        str(f.cases),
        str(f.handed_over),
        str(f.closed),
        str(f.closed_on_time),
        str(f.overdue),
        rate_text(f.on_time_rate),
        rate_text(f.participation_rate),
        rate_text(f.satisfaction_rate),
        rate_text(f.resolution_rate),
    ]


def period_text(r: FiguresReport) -> str:
    """统计期间：2026年11月1日至2026年11月28日 (one date when the period is one day)."""
    if r.day_from == r.day_to:
        return f"接访日期：{cn_date(r.day_from)}"
    return f"统计期间：{cn_date(r.day_from)}至{cn_date(r.day_to)}"


class FiguresReportRenderer:
    """接访案件办理情况统计表: one row per lead department and a 合计 row; continues over pages if long."""

    title = "接访案件办理情况统计表"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def story(self, r: FiguresReport, missing: set[str]) -> list[Flowable]:
        """The report's flowables."""
        cells = Cells(missing)
        rs, st = report_styles(), styles()
        story: list[Flowable] = [
            Title(self.title, 20, missing, space_after=4),
            cells.p(f"{period_text(r)}　　数据截至：{cn_date(r.as_of)}", rs.meta),
            Spacer(1, 2 * mm),
        ]
        aligns = "cl" + "c" * 9
        body = [cells.row([str(i), name, *figure_row(fig)], aligns) for i, (name, fig) in enumerate(r.rows, start=1)]
        body.append(cells.row(["", "合计", *figure_row(r.total)], aligns))
        extra: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),  # tighter rows: two dozen departments on one page
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        story.append(grid(cells.head(HEAD), body, [s * WIDTH for s in SHARES], zebra=True, extra=extra))
        if not r.rows:
            story.append(cells.p("统计期间内没有接访案件。", st.body))
        story += [
            Spacer(1, 2 * mm),
            cells.p(
                "说明：1. 按期办结率仅计交办案件：按期办结（在办理期限内办结，延期的按延期后期限）"
                "÷（已办结 + 逾期未办结），未到期的在办案件不计入；2. 参评率 = 已评价（满意、基本满意、不满意）"
                "÷ 已办结；3. 满意率 =（满意 + 基本满意）÷ 已评价；4. 化解率 = 已化解且其后无重复访 ÷ 已办结；"
                "5. 分母为 0 时显示“—”。当场解决、解释说明的案件当场办结，无责任单位的单列一行。"
                "各项数据按截至日期当日结束时的状态统计。",
                st.note,
            ),
            Spacer(1, 2 * mm),
            cells.p(f"制表单位：{BUREAU}　　制表日期：{cn_date(self.printed_at.date())}", st.note),
        ]
        return story

    def render(self, report: FiguresReport, out: Output) -> RenderResult:
        """Write the report into a PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        margins = (MARGIN, MARGIN, 14 * mm, 16 * mm)
        pages = build_document(out, PAGE, self.title, self.story(report, missing), self.printed_at, margins)
        return RenderResult(pages, 1, frozenset(missing))
