"""当日接访情况汇总: the day's figures in ruled tables, for the leaders' evening meeting and the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from reception_desk.domain.office_time import now_local
from reception_desk.printing.common import Output, RenderResult, cn_date
from reception_desk.printing.styles import HEADER_FILL, TOTAL_FILL, grid_table_style, styles
from reception_desk.printing.tables import Cells, Title, build_document, colour_cell_styles, grid
from reception_desk.services.print_data import DaySummary

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN
COLOUR_KEYS = {"绿色": "green", "黄色": "yellow", "红色": "red"}


class DaySummaryRenderer:
    """当日接访情况汇总: totals, then counts by room, theme, outcome, colour class and department."""

    title = "当日接访情况汇总"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def _section(self, cells: Cells, heading: str, table: Flowable) -> Flowable:
        return KeepTogether([cells.p(heading, styles().heading), table])

    def _totals(self, cells: Cells, s: DaySummary) -> Table:
        t = s.totals
        pairs = [
            ("登记批次", t.batches, "登记人数", t.people),
            ("到访批次", t.arrived_batches, "到访人数", t.arrived_people),
            ("集体访（批）", t.collective, "现场登记（批）", t.walk_ins),
            ("未到（批）", t.no_shows, "已接待（批）", t.received),
            ("记录案件（件）", t.cases, "交办（件）", t.handed_over),
            ("当场解决（件）", t.resolved, "解释说明（件）", t.explained),
        ]
        rows = [cells.row(p, "lclc") for p in pairs]
        table = Table(rows, colWidths=[WIDTH * 0.3, WIDTH * 0.2, WIDTH * 0.3, WIDTH * 0.2], hAlign="CENTER")
        style = grid_table_style(header_rows=0)
        style.add("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)
        style.add("BACKGROUND", (2, 0), (2, -1), HEADER_FILL)
        table.setStyle(style)
        return table

    @staticmethod
    def _with_total(rows: list[list[Any]], first_numeric: int) -> list[Any]:
        width = len(rows[0]) if rows else first_numeric
        total: list[Any] = ["合计", *([""] * (first_numeric - 1))]
        for col in range(first_numeric, width):
            total.append(sum(int(r[col]) for r in rows))
        return total

    def _counted(
        self,
        cells: Cells,
        head: list[str],
        data: list[list[Any]],
        widths: list[float],
        first_numeric: int,
        extra: list[tuple[Any, ...]] | None = None,
    ) -> Table:
        aligns = "l" * first_numeric + "c" * (len(head) - first_numeric)
        rows = [cells.row(r, aligns) for r in data]
        rows.append(cells.row(self._with_total(data, first_numeric), aligns))
        commands: list[tuple[Any, ...]] = [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL), *(extra or [])]
        return grid(cells.head(head), rows, [w * WIDTH for w in widths], zebra=False, extra=commands)

    def story(self, s: DaySummary, missing: set[str]) -> list[Flowable]:
        """The summary's flowables."""
        st = styles()
        cells = Cells(missing)
        story: list[Flowable] = [
            Title("当日接访情况汇总", 20, missing),
            cells.p(f"{s.day.title}　{cn_date(s.day.date)}　{s.day.venue}", st.subtitle),
        ]
        if s.day.leaders:
            story.append(cells.p(f"接访领导：{s.day.leaders}", st.subtitle))
        story.append(self._section(cells, "一、总体情况", self._totals(cells, s)))

        rooms = [
            [r.name, r.theme_name, r.host, r.batches, r.people, r.received, r.cases, r.handed_over] for r in s.by_room
        ]
        story.append(
            self._section(
                cells,
                "二、各接待室接访情况",
                self._counted(
                    cells,
                    ["接待室", "问题类别", "接待领导", "批次", "人数", "已接待", "案件", "交办"],
                    rooms,
                    [0.12, 0.2, 0.27, 0.08, 0.08, 0.09, 0.08, 0.08],
                    3,
                ),
            )
        )
        themes = [[t.name, t.batches, t.people, t.cases, t.handed_over] for t in s.by_theme]
        story.append(
            self._section(
                cells,
                "三、按问题类别",
                self._counted(
                    cells, ["问题类别", "批次", "人数", "案件", "交办"], themes, [0.44, 0.14, 0.14, 0.14, 0.14], 1
                ),
            )
        )
        outcomes = [[label, n] for label, n in s.by_outcome]
        colours = [[label, n] for label, n in s.by_colour]
        outcome_table = self._counted(cells, ["处理结果", "件数"], outcomes, [0.27, 0.2], 1)
        colour_table = self._counted(
            cells,
            ["三色分类（交办）", "件数"],
            colours,
            [0.27, 0.2],
            1,
            extra=colour_cell_styles([COLOUR_KEYS.get(label) for label, _ in s.by_colour], 0),
        )
        side_by_side = Table([[outcome_table, colour_table]], colWidths=[WIDTH / 2, WIDTH / 2], hAlign="CENTER")
        side_by_side.setStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), cells.fonts.main),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        story.append(self._section(cells, "四、处理结果与三色分类", side_by_side))
        depts = [[d.name, d.lead, d.co, d.lead + d.co] for d in s.by_department]
        if depts:
            table: Flowable = self._counted(
                cells, ["责任单位", "主办（件）", "协办（件）", "合计"], depts, [0.46, 0.18, 0.18, 0.18], 1
            )
        else:
            table = Paragraph(cells.fonts.markup("本接访日尚无交办案件。", missing), st.body)
        story += [cells.p("五、责任单位交办情况", st.heading), table, Spacer(1, 6 * mm)]
        story.append(cells.p(f"制表：区信访局　　制表时间：{cn_date(self.printed_at.date())}", st.note))
        return story

    def render(self, summary: DaySummary, out: Output) -> RenderResult:
        """Write the summary into a PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        margins = (MARGIN, MARGIN, 14 * mm, 16 * mm)
        pages = build_document(out, A4, self.title, self.story(summary, missing), self.printed_at, margins)
        return RenderResult(pages, 1, frozenset(missing))
