"""受理回执单 receipts for the visitor: an A4 sheet (visitor's part above the cut line, the bureau's stub
below) or an 80 mm till receipt whose height fits its content."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from reception_desk.domain import resident_id
from reception_desk.printing.common import BUREAU, Output, RenderResult, cn_date, excerpt, new_canvas
from reception_desk.printing.fonts import fonts
from reception_desk.printing.layout import draw_in_box, draw_lines, wrap
from reception_desk.printing.numbered_canvas import NumberedCanvas
from reception_desk.printing.qr import draw_qr
from reception_desk.printing.slips import empty_page
from reception_desk.services.cases import CaseDetail

PAGE_W, PAGE_H = A4
X0 = 18 * mm
X1 = PAGE_W - 18 * mm
LABEL_W = 28 * mm
LABEL_FILL = HexColor("#F0F0F0")
THERMAL_W = 80 * mm
THERMAL_MARGIN = 4 * mm


def hear_back(case: CaseDetail) -> str:
    """What the visitor is told about the answer: who handles it and by when."""
    if case.outcome == "resolved":
        return "您反映的事项已在接访现场当场解决。"
    if case.outcome == "explained":
        return "您反映的事项已在接访现场当场作了解释说明。"
    lead = case.lead_department or "责任单位"
    due = f"于{cn_date(case.due_date)}前" if case.due_date else "在规定期限内"
    return f"您反映的事项已受理，并交由{lead}办理。{lead}将{due}向您反馈办理情况。"


def answer_by(case: CaseDetail) -> str:
    """The answer date line: 2026年12月1日前 (or what happened on the day)."""
    if case.outcome == "handed_over" and case.due_date:
        return f"{cn_date(case.due_date)}前"
    return case.outcome_label


def settled_on_the_spot(case: CaseDetail) -> bool:
    """当场解决 or 解释说明: nothing is handed over, so there is no deadline to print."""
    return case.outcome != "handed_over"


def outcome_rows(case: CaseDetail, instruction_chars: int = 90) -> list[tuple[str, str]]:
    """The lines about what was decided, as (label, text): a handed-over case says who answers by when; a case
    settled on the spot says so, with what was done (处理意见), and names a department only when there is one."""
    if not settled_on_the_spot(case):
        return [("责任单位", departments(case)), ("答复期限", answer_by(case))]
    rows = [("办理结果", case.outcome_label)]
    if case.instruction:
        rows.append(("处理意见", excerpt(case.instruction, instruction_chars)))
    if case.lead_department:
        rows.append(("责任单位", departments(case)))
    return rows


def departments(case: CaseDetail) -> str:
    """主办 and 协办 in one line."""
    text = f"主办：{case.lead_department or '—'}"
    if case.co_departments:
        text += f"；协办：{'、'.join(case.co_departments)}"
    return text


def contact(case: CaseDetail) -> str:
    """Where the visitor can ask (the bureau's phone)."""
    if settled_on_the_spot(case):
        return f"如有疑问，请凭受理编号致电{BUREAU}查询：{case.bureau_phone}"
    return f"如逾期未收到答复或有疑问，请凭受理编号致电{BUREAU}查询：{case.bureau_phone}"


class _A4Receipt:
    """The A4 sheet: visitor's part above, the bureau's stub below a cut line."""

    def __init__(self, canvas: NumberedCanvas, missing: set[str]) -> None:
        self.c = canvas
        self.f = fonts()
        self.missing = missing

    def _table(self, top: float, rows: list[tuple[str, str, float]]) -> float:
        c, f = self.c, self.f
        y = top
        for label, value, height in rows:
            c.setFillColor(LABEL_FILL)
            c.rect(X0, y - height, LABEL_W, height, stroke=0, fill=1)
            c.setFillColor(black)
            draw_in_box(c, f, label, X0, y - height, LABEL_W, height, 10.5, 8, self.missing, align="centre")
            draw_in_box(c, f, value, X0 + LABEL_W, y - height, X1 - X0 - LABEL_W, height, 10.5, 7.5, self.missing)
            c.setLineWidth(0.6)
            c.line(X0, y - height, X1, y - height)
            y -= height
        c.line(X0 + LABEL_W, top, X0 + LABEL_W, y)
        c.setLineWidth(1.2)
        c.rect(X0, y, X1 - X0, top - y, stroke=1, fill=0)
        return y

    def draw(self, case: CaseDetail) -> None:
        c, f, miss = self.c, self.f, self.missing
        c.setFillColor(black)
        c.setStrokeColor(black)
        c.start_group()
        # ---- the visitor's part
        qr = 24 * mm
        draw_qr(c, case.case_no, X1 - qr, PAGE_H - 12 * mm - qr, qr)
        f.draw(c, X1 - qr / 2, PAGE_H - 15.5 * mm - qr, case.case_no, 7.5, miss, align="centre")
        f.draw(c, PAGE_W / 2, PAGE_H - 20 * mm, case.day_title, 12, miss, align="centre")
        f.draw(c, PAGE_W / 2, PAGE_H - 31 * mm, "受 理 回 执 单", 22, miss, align="centre", bold=True)
        f.draw(c, PAGE_W / 2, PAGE_H - 38 * mm, "（来访人收执）", 10.5, miss, align="centre")
        visitor = case.visitor_name
        masked = resident_id.mask(case.id_number)
        if masked:
            visitor += f"（身份证号 {masked}）"
        rows = [
            ("受理编号", case.case_no, 9 * mm),
            ("来访人", f"{visitor}，共 {case.headcount} 人", 9 * mm),
            ("接访日期", f"{cn_date(case.day_date)}　{case.venue}", 9 * mm),
            ("反映事项", excerpt(case.request, 90), 14 * mm),
            *((label, text, (14 if label == "处理意见" else 9) * mm) for label, text in outcome_rows(case)),
            ("咨询电话", f"{BUREAU} {case.bureau_phone}", 9 * mm),
        ]
        y = self._table(PAGE_H - 44 * mm, rows)
        text = f"{hear_back(case)}{contact(case)}。"
        lines = wrap(f, text, X1 - X0, 11)
        y = draw_lines(c, f, X0, y - 4 * mm, lines, 11, 17, miss)
        f.draw(c, X1, y - 9 * mm, f"{BUREAU}（盖章）", 11, miss, align="right")
        f.draw(c, X1, y - 16 * mm, cn_date(case.day_date), 11, miss, align="right")

        # ---- the cut line
        cut = PAGE_H / 2 - 6 * mm
        c.saveState()
        c.setDash(4, 3)
        c.setLineWidth(0.6)
        c.line(8 * mm, cut, PAGE_W - 8 * mm, cut)
        c.restoreState()
        label = "沿此线剪开"
        c.setFillColor(white)
        w = f.width(label, 9) + 6
        c.rect(PAGE_W / 2 - w / 2, cut - 5, w, 10, stroke=0, fill=1)
        c.setFillColor(black)
        f.draw(c, PAGE_W / 2, cut - 3, label, 9, miss, align="centre")

        # ---- the bureau's stub
        top = cut - 14 * mm
        f.draw(c, PAGE_W / 2, top, "受理回执单（存根）", 16, miss, align="centre", bold=True)
        stub = [
            ("受理编号", case.case_no, 9 * mm),
            ("来访人", f"{case.visitor_name}，共 {case.headcount} 人", 9 * mm),
            ("接待室", f"{case.room_name}　接待领导：{case.host}", 9 * mm),
            *((label, text, 9 * mm) for label, text in outcome_rows(case, 40)),
        ]
        y = self._table(top - 7 * mm, stub)
        y -= 12 * mm
        f.draw(c, X0, y, "来访人签收：", 10.5, miss)
        f.draw(c, X0 + 62 * mm, y, "经办人：", 10.5, miss)
        f.draw(c, X1, y, "年　　月　　日", 10.5, miss, align="right")
        c.setLineWidth(0.5)
        c.line(X0 + 22 * mm, y - 2, X0 + 58 * mm, y - 2)
        c.line(X0 + 76 * mm, y - 2, X0 + 112 * mm, y - 2)
        c.showPage()


@dataclass(frozen=True)
class _Item:
    """One block of the till receipt: text lines, a rule, a QR code or space."""

    kind: str  # text | rule | qr | gap
    height: float
    lines: tuple[str, ...] = ()
    size: float = 9.0
    leading: float = 12.0
    align: str = "left"
    bold: bool = False


class _ThermalReceipt:
    """An 80 mm till receipt: one column, fixed width, page as tall as its content."""

    def __init__(self, canvas: NumberedCanvas, missing: set[str]) -> None:
        self.c = canvas
        self.f = fonts()
        self.missing = missing
        self.width = THERMAL_W - 2 * THERMAL_MARGIN

    def _text(self, text: str, size: float = 9.0, align: str = "left", bold: bool = False) -> _Item:
        leading = size * 1.4
        if align != "left":
            return _Item("text", leading, (text,), size, leading, align, bold)
        label, sep, rest = text.partition("：")
        if not sep or len(label) > 6:
            lines = tuple(wrap(self.f, text, self.width, size))
        else:
            # "协办单位：…" wraps under its value, not under the label
            head = label + sep
            hang = self.f.width(head, size)
            body = wrap(self.f, rest, self.width - hang, size)
            pad = "\u3000" * round(hang / self.f.width("\u3000", size))  # labels are full-width characters
            lines = tuple([head + body[0], *(pad + line for line in body[1:])]) if body else (head,)
        return _Item("text", leading * len(lines), lines, size, leading, align, bold)

    def items(self, case: CaseDetail) -> list[_Item]:
        """The receipt's blocks, top to bottom."""
        t = self._text
        masked = resident_id.mask(case.id_number)
        qr_size = 30 * mm
        blocks = [
            t(case.day_title, 9, "centre"),
            t("受理回执单", 15, "centre", bold=True),
            _Item("gap", 2),
            _Item("rule", 6),
            t(f"受理编号：{case.case_no}", 9.5, bold=True),
            t(f"来访人：{case.visitor_name}（共 {case.headcount} 人）"),
        ]
        if masked:
            blocks.append(t(f"身份证号：{masked}"))
        blocks += [
            t(f"接访日期：{cn_date(case.day_date)}"),
            t(f"接待室：{case.room_name}"),
        ]
        if settled_on_the_spot(case):
            blocks.append(t(f"办理结果：{case.outcome_label}", 10, bold=True))
            if case.instruction:
                blocks.append(t(f"处理意见：{excerpt(case.instruction, 120)}"))
        if case.lead_department:
            blocks.append(t(f"主办单位：{case.lead_department}"))
        if case.co_departments:
            blocks.append(t(f"协办单位：{'、'.join(case.co_departments)}"))
        if not settled_on_the_spot(case):
            blocks.append(t(f"答复期限：{answer_by(case)}", 10, bold=True))
        blocks += [
            _Item("rule", 6),
            t(hear_back(case), 8.5),
            t(f"咨询电话：{BUREAU} {case.bureau_phone}", 8.5),
            _Item("gap", 3),
            _Item("qr", qr_size + 5 * mm, (case.case_no,), size=qr_size),
            t("请妥善保存本回执，查询时请出示受理编号。", 8, "centre"),
        ]
        return blocks

    def draw(self, case: CaseDetail) -> None:
        items = self.items(case)
        height = sum(i.height for i in items) + 2 * THERMAL_MARGIN + 2 * mm
        c, f, miss = self.c, self.f, self.missing
        c.setPageSize((THERMAL_W, height))
        c.start_group()
        c.setFillColor(black)
        c.setStrokeColor(black)
        x = THERMAL_MARGIN
        y = height - THERMAL_MARGIN
        for item in items:
            if item.kind == "text":
                if item.align == "centre":
                    baseline = y - (item.leading - item.size) / 2 - item.size * 0.86
                    f.draw(c, THERMAL_W / 2, baseline, item.lines[0], item.size, miss, "centre", item.bold)
                elif item.bold:
                    for i, line in enumerate(item.lines):
                        baseline = y - i * item.leading - (item.leading - item.size) / 2 - item.size * 0.86
                        f.draw(c, x, baseline, line, item.size, miss, bold=True)
                else:
                    draw_lines(c, f, x, y, item.lines, item.size, item.leading, miss)
            elif item.kind == "rule":
                c.saveState()
                c.setDash(2, 2)
                c.setLineWidth(0.5)
                c.line(x, y - item.height / 2, THERMAL_W - x, y - item.height / 2)
                c.restoreState()
            elif item.kind == "qr":
                size = item.size
                draw_qr(c, item.lines[0], (THERMAL_W - size) / 2, y - size, size)
                f.draw(c, THERMAL_W / 2, y - size - 3.5 * mm, item.lines[0], 7.5, miss, align="centre")
            y -= item.height
        c.showPage()


class ReceiptRenderer:
    """受理回执单 for visitors: A4 with a stub, or (thermal=True) 80 mm till receipts fitted to their content."""

    def __init__(self, thermal: bool = False) -> None:
        self.thermal = thermal

    @property
    def title(self) -> str:
        """The document title."""
        return "受理回执单（热敏小票）" if self.thermal else "受理回执单"

    def render(self, cases: Iterable[CaseDetail], out: Output) -> RenderResult:
        """Write one receipt per case into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        size = (THERMAL_W, 100 * mm) if self.thermal else A4
        canvas = new_canvas(out, size, self.title, numbering=not self.thermal)
        writer: _A4Receipt | _ThermalReceipt = (
            _ThermalReceipt(canvas, missing) if self.thermal else _A4Receipt(canvas, missing)
        )
        count = 0
        for case in cases:
            writer.draw(case)
            count += 1
        if count == 0:
            empty_page(canvas, size, "没有需要打印的回执。")
        pages = max(count, 1)
        canvas.save()
        return RenderResult(pages, count, frozenset(missing))
