"""接访日简报: one A4 page about a reception day for the leaders: who received, how many came, what became of
their matters, the four rates as of a date, the day's numbers by theme and by room, and the day's supervised and
overdue cases.

One page whatever the day: the room and theme tables keep their first rows and sum the rest in an 其余 row, the
case lists name the first few and count the others, and the whole is shrunk to the page as a last resort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Paragraph, Spacer, Table

from reception_desk.domain.figures import rate_text
from reception_desk.domain.office_time import now_local
from reception_desk.printing.common import BUREAU, Output, RenderResult, cn_date
from reception_desk.printing.fonts import fonts
from reception_desk.printing.styles import COLOUR_INK, HEADER_FILL, TOTAL_FILL, grid_table_style, styles
from reception_desk.printing.tables import Cells, Title, build_document, grid
from reception_desk.services.report_data import Bulletin, CaseLine

PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
TOP, BOTTOM = 14 * mm, 16 * mm
WIDTH = PAGE_W - 2 * MARGIN
HEIGHT = PAGE_H - TOP - BOTTOM
MAX_THEMES = 10
MAX_ROOMS = 15
MAX_CASES = 6  # per list
RATE_INK = HexColor("#B3261E")
COMPACT: tuple[tuple[Any, ...], ...] = (  # the small tables' tighter cell padding
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
)


@dataclass(frozen=True)
class BulletinStyles:
    """The bulletin's own paragraph styles."""

    heading: ParagraphStyle
    rate: ParagraphStyle
    rate_label: ParagraphStyle
    meta: ParagraphStyle
    small: ParagraphStyle
    small_centre: ParagraphStyle


@lru_cache(maxsize=1)
def bulletin_styles() -> BulletinStyles:
    """Built once, in the main CJK font, wrapping like Chinese text."""
    main = fonts().main
    return BulletinStyles(
        heading=ParagraphStyle(
            "rd-bulletin-heading", fontName=main, fontSize=11.5, leading=15, spaceBefore=5, spaceAfter=3,
            wordWrap="CJK",
        ),
        rate=ParagraphStyle(
            "rd-bulletin-rate", fontName=main, fontSize=17, leading=21, alignment=1, textColor=RATE_INK,
            wordWrap="CJK",
        ),
        rate_label=ParagraphStyle(
            "rd-bulletin-rate-label", fontName=main, fontSize=9, leading=12, alignment=1, wordWrap="CJK"
        ),
        meta=ParagraphStyle("rd-bulletin-meta", fontName=main, fontSize=10, leading=14, alignment=1, wordWrap="CJK"),
        small=ParagraphStyle("rd-bulletin-small", fontName=main, fontSize=8.5, leading=10.5, wordWrap="CJK"),
        small_centre=ParagraphStyle(
            "rd-bulletin-small-centre", fontName=main, fontSize=8.5, leading=10.5, alignment=1, wordWrap="CJK"
        ),
    )  # fmt: skip


def top_rows(rows: Sequence[Sequence[Any]], keep: int, label: str, first_numeric: int) -> list[list[Any]]:
    """The first `keep` rows; the rest summed into one "其余 N 个…" row (numbers column by column)."""
    if len(rows) <= keep:
        return [list(r) for r in rows]
    shown, rest = [list(r) for r in rows[: keep - 1]], rows[keep - 1 :]
    other: list[Any] = [f"其余 {len(rest)} 个{label}", *([""] * (first_numeric - 1))]
    width = len(rows[0])
    other += [sum(int(r[col]) for r in rest) for col in range(first_numeric, width)]
    return [*shown, other]


class BulletinRenderer:
    """接访日简报: one A4 page per reception day."""

    title = "接访日简报"

    def __init__(self, printed_at: dt.datetime | None = None) -> None:
        self.printed_at = printed_at or now_local()

    def _counts(self, cells: Cells, b: Bulletin) -> Table:
        t, f = b.summary.totals, b.figures
        cells_4 = [
            ("登记批次", f"{t.batches} 批", "登记人数", f"{t.people} 人"),
            ("到访批次", f"{t.arrived_batches} 批", "到访人数", f"{t.arrived_people} 人"),
            ("记录案件", f"{f.cases} 件", "当场解决", f"{f.resolved_on_spot} 件"),
            ("交办", f"{f.handed_over} 件", "解释说明", f"{f.explained} 件"),
            ("已办结", f"{f.closed} 件", "逾期未办结", f"{f.overdue} 件"),
            ("挂牌督办", f"{f.supervised} 件", "重复访", f"{f.repeat_visits} 件"),
        ]
        st = styles()
        centre = st.cell_centre
        # two pairs of the list side by side: label, value, label, value, label, value, label, value
        rows = [[cells.p(v, centre) for v in (*cells_4[i], *cells_4[i + 1])] for i in range(0, len(cells_4), 2)]
        label_w, value_w = WIDTH * 0.13, WIDTH * 0.12
        table = Table(rows, colWidths=[label_w, value_w] * 4, hAlign="CENTER")
        style = grid_table_style(header_rows=0)
        for col in (0, 2, 4, 6):
            style.add("BACKGROUND", (col, 0), (col, -1), HEADER_FILL)
        table.setStyle(style)
        return table

    def _rates(self, cells: Cells, b: Bulletin) -> Table:
        bs = bulletin_styles()
        f = b.figures
        rates = (
            ("按期办结率", f.on_time_rate),
            ("参评率", f.participation_rate),
            ("满意率", f.satisfaction_rate),
            ("化解率", f.resolution_rate),
        )
        row_values = [cells.p(rate_text(rate), bs.rate) for _, rate in rates]
        row_labels = [cells.p(label, bs.rate_label) for label, _ in rates]
        table = Table([row_values, row_labels], colWidths=[WIDTH / 4] * 4, hAlign="CENTER")
        table.setStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts().main),
                ("BOX", (0, 0), (-1, -1), 1.0, HexColor("#000000")),
                ("LINEAFTER", (0, 0), (-2, -1), 0.5, HexColor("#000000")),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ]
        )
        return table

    def _counted(
        self, cells: Cells, head: list[str], data: list[list[Any]], widths: list[float], first_numeric: int
    ) -> Table:
        bs = bulletin_styles()
        total: list[Any] = ["合计", *([""] * (first_numeric - 1))]
        total += [sum(int(r[c]) for r in data) for c in range(first_numeric, len(head))]
        body = [
            [cells.p(v, bs.small if i < first_numeric else bs.small_centre) for i, v in enumerate(r)]
            for r in [*data, total]
        ]
        extra: list[tuple[Any, ...]] = [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL), *COMPACT]
        return grid(cells.head(head), body, widths, zebra=False, extra=extra)

    def _by_theme_and_room(self, cells: Cells, b: Bulletin) -> Table:
        s = b.summary
        themes = top_rows(
            [[t.name, t.batches, t.people, t.cases, t.handed_over] for t in s.by_theme], MAX_THEMES, "类别", 1
        )
        rooms = top_rows(
            [[r.name, r.received, r.people, r.cases, r.handed_over] for r in s.by_room], MAX_ROOMS, "接待室", 1
        )
        half = WIDTH / 2 - 2 * mm
        theme_table = self._counted(
            cells, ["问题类别", "批次", "人数", "案件", "交办"], themes, [half * 0.44] + [half * 0.14] * 4, 1
        )
        room_table = self._counted(
            cells, ["接待室", "已接待", "人数", "案件", "交办"], rooms, [half * 0.32] + [half * 0.17] * 4, 1
        )
        bs = bulletin_styles()
        side = Table(
            [[cells.p("二、按问题类别", bs.heading), cells.p("三、按接待室", bs.heading)], [theme_table, room_table]],
            colWidths=[WIDTH / 2, WIDTH / 2],
            hAlign="CENTER",
        )
        side.setStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), fonts().main),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        return side

    def _case_list(self, cells: Cells, lines: Sequence[CaseLine], overdue: bool, missing: set[str]) -> Flowable:
        if not lines:
            text = "无逾期未办结案件。" if overdue else "无挂牌督办案件。"
            return Paragraph(cells.fonts.markup(text, missing), styles().body)
        shown = list(lines[:MAX_CASES])
        more = 0
        if len(lines) > MAX_CASES:
            shown = shown[: MAX_CASES - 1]
            more = len(lines) - len(shown)
        rows = [
            [
                ln.case_no,
                ln.visitor,
                ln.department or "—",
                cn_date(ln.due_date) or "—",
                (f"{ln.overdue_days} 天" if overdue else f"逾期 {ln.overdue_days} 天")
                if ln.overdue_days
                else ln.status_label,
            ]
            for ln in shown
        ]
        widths = [WIDTH * 0.24, WIDTH * 0.14, WIDTH * 0.32, WIDTH * 0.16, WIDTH * 0.14]
        head = ["案件编号", "来访人", "主办单位", "办理期限", "逾期天数" if overdue else "状态"]
        bs = bulletin_styles()
        body = [[cells.p(v, bs.small_centre if i > 2 else bs.small) for i, v in enumerate(r)] for r in rows]
        extra: list[tuple[Any, ...]] = list(COMPACT)
        if more:
            body.append([cells.p(f"其余 {more} 件，详见督办台。", bs.small), *(cells.p("") for _ in range(4))])
            extra.append(("SPAN", (0, len(body)), (-1, len(body))))
        if overdue:
            extra.append(("TEXTCOLOR", (4, 1), (4, len(shown)), COLOUR_INK["red"]))
        return grid(cells.head(head), body, widths, zebra=True, extra=extra)

    def story(self, b: Bulletin, missing: set[str]) -> list[Flowable]:
        """The bulletin's flowables (one page)."""
        cells = Cells(missing)
        bs = bulletin_styles()
        day = b.summary.day
        content: list[Flowable] = [
            Title("接访日简报", 20, missing, space_after=3),
            cells.p(f"{day.title}　{cn_date(day.date)}　{day.venue}", bs.meta),
        ]
        leaders = f"接访领导：{day.leaders}　　" if day.leaders else ""
        content += [
            cells.p(f"{leaders}统计截至 {cn_date(b.as_of)}", bs.meta),
            cells.p("一、总体情况", bs.heading),
            self._counts(cells, b),
            Spacer(1, 2.5 * mm),
            self._rates(cells, b),
            Spacer(1, 1 * mm),
            self._by_theme_and_room(cells, b),
            cells.p(f"四、挂牌督办案件（{len(b.supervised)} 件）", bs.heading),
            self._case_list(cells, b.supervised, False, missing),
            cells.p(f"五、逾期未办结案件（{len(b.overdue)} 件，截至 {cn_date(b.as_of)}）", bs.heading),
            self._case_list(cells, b.overdue, True, missing),
            Spacer(1, 1.5 * mm),
            cells.p(
                "注：按期办结率 = 按期办结 ÷（已办结 + 逾期未办结），仅计交办案件；参评率 = 已评价 ÷ 已办结；"
                "满意率 =（满意 + 基本满意）÷ 已评价；化解率 = 已化解且未重复访 ÷ 已办结。分母为 0 时显示“—”。"
                f"　　{BUREAU}　{cn_date(self.printed_at.date())}",
                styles().note,
            ),
        ]
        return [KeepInFrame(WIDTH, HEIGHT - 2, content, mode="shrink")]

    def render(self, b: Bulletin, out: Output) -> RenderResult:
        """Write the bulletin (one page) into a PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        pages = build_document(
            out, A4, self.title, self.story(b, missing), self.printed_at, (MARGIN, MARGIN, TOP, BOTTOM)
        )
        return RenderResult(pages, 1, frozenset(missing))
