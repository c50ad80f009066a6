"""交办单 handover slips: one A4 page per case (a long request continues on a page of its own).

The slip goes to the lead department and comes back: its lower part, 办理情况反馈, has ruled lines for the
department's reply and boxes for who handled it and when. A supervised case carries a 挂牌督办 stamp, an
escalated repeat visit a 提级核查 stamp; both are spelled out in the 备注 row, and an extended due date prints the
new date with the original one.

Built for speed: the fixed frame of the slip (title, grid, labels, signature boxes, feedback lines, notes) is
drawn once per document as a Form XObject and placed on every slip; only the case's own text, the colour band,
the stamps and the QR code (one path) are drawn per slip, straight on the canvas with the CJK line breaker, no
Paragraph layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import is_collective
from reception_desk.domain.deadlines import Colour
from reception_desk.domain.office_time import to_local
from reception_desk.printing.common import (
    BUREAU,
    Output,
    RenderResult,
    cn_date,
    cn_datetime,
    deadline_text,
    new_canvas,
    repeat_text,
    supervision_text,
)
from reception_desk.printing.fonts import Fonts, fonts
from reception_desk.printing.layout import draw_in_box, draw_lines, wrap
from reception_desk.printing.numbered_canvas import NumberedCanvas
from reception_desk.printing.qr import draw_qr
from reception_desk.printing.styles import COLOUR_FILL, COLOUR_INK
from reception_desk.services.cases import CaseDetail

PAGE_W, PAGE_H = A4
X0 = 18 * mm
X1 = PAGE_W - 18 * mm
LABEL_W = 26 * mm
MID = (X0 + X1) / 2  # the second label column of the two-pair rows starts here
LABEL_FILL = HexColor("#F0F0F0")
VALUE_SIZE = 10.5
MIN_SIZE = 7.5
TEXT_SIZE = 10.5
LEADING = 16.0
PAD = 4.0
QR_SIZE = 22 * mm
TABLE_TOP = PAGE_H - 43 * mm
CONTINUED = "（续见下页）"
STAMP_INK = COLOUR_INK["red"]
BAND_SIZE = 13.0
FEEDBACK_GAP = 4 * mm  # between the bureau's table and the department's feedback box
FEEDBACK_LINE = 7 * mm  # ruled lines for handwriting
FEEDBACK_HEAD = "办理情况反馈（由主办单位填写，办结后连同本单送回" + BUREAU + "）"


@dataclass(frozen=True)
class Row:
    """One row of the slip's grid: its kind, labels and height."""

    kind: str  # pair | span | band | sign | head (full-width title) | lines (ruled, for handwriting)
    labels: tuple[str, ...]
    height: float
    top: float = 0.0
    box: int = 0  # 0: the bureau's table, 1: the department's feedback box below it

    @property
    def bottom(self) -> float:
        """The row's lower edge."""
        return self.top - self.height


def _rows() -> dict[str, Row]:
    spec = (
        ("number", "pair", ("案件编号", "登记号"), 8, 0),
        ("room", "pair", ("接待室", "接待领导"), 8, 0),
        ("visitor", "pair", ("来访人", "来访人数"), 8, 0),
        ("ids", "pair", ("身份证号", "联系电话"), 8, 0),
        ("place", "pair", ("乡镇（街道）", "村（社区）"), 8, 0),
        ("request", "span", ("反映问题\n（诉求）",), 50, 0),
        ("instruction", "span", ("领导意见",), 24, 0),
        ("outcome", "pair", ("处理结果", "交办时间"), 8, 0),
        ("lead", "span", ("主办单位",), 8, 0),
        ("co", "span", ("协办单位",), 8, 0),
        ("band", "band", ("办理时限",), 11, 0),
        ("remark", "span", ("备　　注",), 9, 0),
        ("sign", "sign", ("交办人（签字）：", "签收人（签字）：", "签收时间："), 15, 0),
        ("fb_head", "head", (FEEDBACK_HEAD,), 7, 1),
        ("fb_text", "lines", ("办理情况",), 28, 1),
        ("fb_sign", "sign", ("承办人（签字）：", "承办单位（盖章）：", "反馈日期："), 13, 1),
    )
    rows: dict[str, Row] = {}
    top = TABLE_TOP
    box = 0
    for key, kind, labels, height_mm, in_box in spec:
        if in_box != box:
            top -= FEEDBACK_GAP
            box = in_box
        rows[key] = Row(kind, labels, height_mm * mm, top, in_box)
        top -= height_mm * mm
    return rows


ROWS = _rows()
TABLE_BOTTOM = ROWS["sign"].bottom
FEEDBACK_TOP = ROWS["fb_head"].top
FEEDBACK_BOTTOM = ROWS["fb_sign"].bottom
SPAN_TEXT_W = X1 - X0 - LABEL_W - 2 * PAD


def _lines_that_fit(row: Row) -> int:
    return int((row.height - 2 * PAD + 0.01) // LEADING)


REQUEST_CAPACITY = _lines_that_fit(ROWS["request"])
INSTRUCTION_CAPACITY = _lines_that_fit(ROWS["instruction"])
# continuation pages: text between the header block and the notes
CONT_TOP = PAGE_H - 40 * mm
CONT_BOTTOM = 24 * mm


@dataclass
class SlipLayout:
    """A case's text broken into lines and spread over the slip's first page and its continuation pages."""

    request: list[str]
    instruction: list[str]
    continuation: list[list[tuple[str, list[str]]]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        """Pages of this slip."""
        return 1 + len(self.continuation)


def _split(lines: list[str], capacity: int) -> tuple[list[str], list[str]]:
    if len(lines) <= capacity:
        return lines, []
    keep = capacity - 1  # the last line of the box says the text goes on
    return [*lines[:keep], CONTINUED], lines[keep:]


def _paginate(segments: list[tuple[str, list[str]]]) -> list[list[tuple[str, list[str]]]]:
    pages: list[list[tuple[str, list[str]]]] = []
    page: list[tuple[str, list[str]]] = []
    room = CONT_TOP - CONT_BOTTOM
    for label, lines in segments:
        rest = lines
        while rest:
            fits = int((room - 2 * PAD + 0.01) // LEADING)
            if fits < 2:  # start the segment on a fresh page rather than print one orphan line
                pages.append(page)
                page, room = [], CONT_TOP - CONT_BOTTOM
                continue
            chunk, rest = rest[:fits], rest[fits:]
            page.append((label, chunk))
            room -= len(chunk) * LEADING + 2 * PAD
    if page:
        pages.append(page)
    return pages


def layout(fonts_: Fonts, case: CaseDetail) -> SlipLayout:
    """Break the request and the instruction into lines and decide what goes to continuation pages."""
    request = wrap(fonts_, case.request, SPAN_TEXT_W, TEXT_SIZE) or [""]
    instruction = wrap(fonts_, case.instruction, SPAN_TEXT_W, TEXT_SIZE)
    request_here, request_rest = _split(request, REQUEST_CAPACITY)
    instruction_here, instruction_rest = _split(instruction, INSTRUCTION_CAPACITY)
    segments = [
        (label, lines)
        for label, lines in (("反映问题（续）", request_rest), ("领导意见（续）", instruction_rest))
        if lines
    ]
    return SlipLayout(request_here, instruction_here, _paginate(segments) if segments else [])


def stamps(case: CaseDetail) -> list[str]:
    """The marks a slip carries: 挂牌督办 for a supervised case, 提级核查 for an escalated repeat visit."""
    return [mark for mark, on in (("挂牌督办", case.supervised), ("提级核查", case.escalated)) if on]


def remark_text(case: CaseDetail) -> str:
    """The 备注 row: the supervision's reason and deadline, the escalation or repeat visit ("" when none)."""
    parts = []
    if case.supervised:
        parts.append(f"挂牌督办：{supervision_text(case)}")
    if case.escalated:
        parts.append(f"提级核查：{repeat_text(case)}")
    elif case.repeat_of_case_no:
        parts.append(repeat_text(case))
    return "；".join(parts)


def extended(case: CaseDetail) -> bool:
    """Whether the due date was moved by an extension (延期)."""
    return case.original_due_date is not None and case.due_date is not None and case.due_date != case.original_due_date


def due_line(case: CaseDetail) -> str:
    """The feedback deadline as the slip prints it; an extended one gives the new date and the original."""
    if not extended(case) or not case.colour:
        return deadline_text(case)
    original = cn_date(case.original_due_date)
    return f"{Colour(case.colour).label} {cn_date(case.due_date)}前反馈（原期限 {original}，已延期）"


class SlipWriter:
    """Draws slips onto one canvas (a slips PDF, or the slips of a department bundle); keeps the forms it made."""

    def __init__(self, missing: set[str], canvas: NumberedCanvas | None = None) -> None:
        self.fonts = fonts()
        self.missing = missing
        self._forms: dict[tuple[str, str, str, str], str] = {}
        self._canvas = canvas

    @property
    def canvas(self) -> NumberedCanvas:
        """The canvas drawn on."""
        if self._canvas is None:
            raise RuntimeError("the slip writer has no canvas yet")
        return self._canvas

    def bind(self, canvas: NumberedCanvas) -> None:
        """Draw on this canvas from now on (forms belong to one document: a new canvas starts afresh)."""
        if canvas is not self._canvas:
            self._canvas = canvas
            self._forms = {}

    # ---------------------------------------------------------------- the fixed frame, once per document

    def _frame(self, case: CaseDetail) -> str:
        key = (case.day_title, cn_date(case.day_date), case.venue, case.bureau_phone)
        name = self._forms.get(key)
        if name is None:
            name = f"rdSlipFrame{len(self._forms)}"
            self.canvas.beginForm(name)
            self._draw_frame(*key)
            self.canvas.endForm()
            self._forms[key] = name
        return name

    def _draw_frame(self, title: str, date: str, venue: str, phone: str) -> None:
        c, f, miss = self.canvas, self.fonts, self.missing
        c.setFillColor(black)
        c.setStrokeColor(black)
        f.draw(c, PAGE_W / 2, PAGE_H - 20 * mm, title, 14, miss, align="centre")
        f.draw(c, PAGE_W / 2, PAGE_H - 31 * mm, "交　办　单", 24, miss, align="centre", bold=True)
        f.draw(c, X0, PAGE_H - 40 * mm, f"接访日期：{date}", 10.5, miss)
        f.draw(c, X1 - QR_SIZE - 4 * mm, PAGE_H - 40 * mm, f"接访地点：{venue}", 10.5, miss, align="right")

        # label cells and the feedback heading, tinted
        c.setFillColor(LABEL_FILL)
        for row in ROWS.values():
            if row.kind == "sign":
                continue
            width = X1 - X0 if row.kind == "head" else LABEL_W
            c.rect(X0, row.bottom, width, row.height, stroke=0, fill=1)
            if row.kind == "pair":
                c.rect(MID, row.bottom, LABEL_W, row.height, stroke=0, fill=1)
        c.setFillColor(black)

        # rules: thin inside, heavier round each box
        c.setLineWidth(0.6)
        third = (X1 - X0) / 3
        for row in ROWS.values():
            c.line(X0, row.bottom, X1, row.bottom)
            if row.kind == "sign":
                c.line(X0 + third, row.top, X0 + third, row.bottom)
                c.line(X0 + 2 * third, row.top, X0 + 2 * third, row.bottom)
            elif row.kind != "head":
                c.line(X0 + LABEL_W, row.top, X0 + LABEL_W, row.bottom)
            if row.kind == "pair":
                c.line(MID, row.top, MID, row.bottom)
                c.line(MID + LABEL_W, row.top, MID + LABEL_W, row.bottom)
        # the lines the department writes its reply on: dotted, so the hand, not the grid, stands out
        lines = ROWS["fb_text"]
        c.saveState()
        c.setLineWidth(0.4)
        c.setDash(1, 2)
        y = lines.top - FEEDBACK_LINE
        while y > lines.bottom + 1:
            c.line(X0 + LABEL_W + PAD, y, X1 - PAD, y)
            y -= FEEDBACK_LINE
        c.restoreState()
        c.setLineWidth(1.2)
        c.rect(X0, TABLE_BOTTOM, X1 - X0, TABLE_TOP - TABLE_BOTTOM, stroke=1, fill=0)
        c.rect(X0, FEEDBACK_BOTTOM, X1 - X0, FEEDBACK_TOP - FEEDBACK_BOTTOM, stroke=1, fill=0)

        # labels
        for row in ROWS.values():
            if row.kind == "sign":
                for i, label in enumerate(row.labels):
                    f.draw(c, X0 + i * third + PAD, row.top - 5 * mm, label, 10.5, miss)
                stamp = "年　　月　　日　　时　　分" if row.box == 0 else "年　　月　　日"
                f.draw(c, X1 - PAD, row.bottom + 2.5 * mm, stamp, 10.5, miss, align="right")
                continue
            if row.kind == "head":
                f.draw(c, X0 + PAD, row.bottom + row.height / 2 - 3.8, row.labels[0], 10.5, miss, bold=True)
                continue
            starts = (X0, MID) if row.kind == "pair" else (X0,)
            for x, label in zip(starts, row.labels, strict=False):
                parts = label.split("\n")
                block = len(parts) * 14
                top = row.bottom + (row.height + block) / 2
                for i, line in enumerate(parts):
                    f.draw(c, x + LABEL_W / 2, top - 14 * i - 11, line, 10.5, miss, align="centre")

        note_y = FEEDBACK_BOTTOM - 5 * mm
        notes = (
            "说明：1. 主办单位签收后当日落实办理，在办理时限内将办理情况书面反馈" + BUREAU + "，协办单位积极配合。",
            f"2. 办理中如有疑问，请联系{BUREAU}（电话：{phone}）。本单随案件编号查询，请妥善保存。",
        )
        for i, note in enumerate(notes):
            f.draw(c, X0 + (0 if i == 0 else f.width("说明：", 9)), note_y - i * 4.5 * mm, note, 9, miss)

    # ---------------------------------------------------------------- one slip

    def draw(self, case: CaseDetail) -> int:
        """Draw one case's slip (first page and any continuation pages, each shown); returns its pages."""
        c = self.canvas
        plan = layout(self.fonts, case)
        self.draw_page(case, plan, 0)
        c.showPage()
        for index in range(1, plan.pages):
            self.draw_page(case, plan, index)
            c.showPage()
        return plan.pages

    def draw_page(self, case: CaseDetail, plan: SlipLayout, index: int) -> None:
        """Draw page `index` of a slip on the current page (not shown: the caller or the doc template does)."""
        if index == 0:
            frame = self._frame(case)
            self.canvas.start_group()
            self._band(case)
            self.canvas.doForm(frame)
            self._first_page(case, plan)
        else:
            self._continuation(case, plan.continuation[index - 1])

    def _band(self, case: CaseDetail) -> None:
        row = ROWS["band"]
        fill: Color = COLOUR_FILL.get(case.colour or "", white)
        c = self.canvas
        c.setFillColor(fill)
        c.rect(X0 + LABEL_W, row.bottom, X1 - X0 - LABEL_W, row.height, stroke=0, fill=1)
        c.setFillColor(black)

    def _cell(self, key: str, column: int, text: str) -> None:
        row = ROWS[key]
        if row.kind == "pair":
            x = (X0, MID)[column] + LABEL_W
            width = MID - X0 - LABEL_W
        else:
            x, width = X0 + LABEL_W, X1 - X0 - LABEL_W
        draw_in_box(self.canvas, self.fonts, text, x, row.bottom, width, row.height, VALUE_SIZE, MIN_SIZE, self.missing)

    def _first_page(self, case: CaseDetail, plan: SlipLayout) -> None:
        c, f, miss = self.canvas, self.fonts, self.missing
        qr_x, qr_y = X1 - QR_SIZE, PAGE_H - 12 * mm - QR_SIZE
        draw_qr(c, case.case_no, qr_x, qr_y, QR_SIZE)
        f.draw(c, qr_x + QR_SIZE / 2, qr_y - 3.2 * mm, case.case_no, 7.5, miss, align="centre")

        people = f"{case.headcount} 人" + ("（集体访）" if is_collective(case.headcount) else "")
        room = case.room_name or (f"第{case.room_number}接待室" if case.room_number else "")
        cells = (
            ("number", 0, case.case_no),
            ("number", 1, case.reg_no),
            ("room", 0, room),
            ("room", 1, case.host),
            ("visitor", 0, case.visitor_name),
            ("visitor", 1, people),
            ("ids", 0, resident_id.mask(case.id_number) or "（未登记）"),
            ("ids", 1, phones.mask(case.phone) or "（未登记）"),
            ("place", 0, case.township),
            ("place", 1, case.village),
            ("outcome", 0, case.outcome_label),
            ("outcome", 1, cn_datetime(to_local(case.recorded_at))),
            ("lead", 0, case.lead_department or "—"),
            ("co", 0, "、".join(case.co_departments) or "无"),
            ("remark", 0, remark_text(case) or "—"),
        )
        for key, column, text in cells:
            self._cell(key, column, text)

        for key, lines in (("request", plan.request), ("instruction", plan.instruction)):
            row = ROWS[key]
            draw_lines(c, f, X0 + LABEL_W + PAD, row.top - PAD, lines, TEXT_SIZE, LEADING, miss)

        band = ROWS["band"]
        text = due_line(case) or "—"
        space = X1 - X0 - LABEL_W - 2 * PAD
        wide = f.width(text, BAND_SIZE)
        size = BAND_SIZE if wide <= space else max(8.0, BAND_SIZE * space / wide)
        baseline = band.bottom + band.height / 2 - size * 0.35
        f.draw(c, (X0 + LABEL_W + X1) / 2, baseline, text, size, miss, "centre", bold=True)
        self._stamps(case)

    def _stamps(self, case: CaseDetail) -> None:
        """挂牌督办 / 提级核查 as red stamps at the top left, where the eye lands first."""
        marks = stamps(case)
        if not marks:
            return
        c, f, miss = self.canvas, self.fonts, self.missing
        c.saveState()
        c.setStrokeColor(STAMP_INK)
        c.setFillColor(STAMP_INK)
        top = PAGE_H - 11 * mm
        for mark in marks:
            width = f.width(mark, 14) + 6 * mm
            c.setLineWidth(1.6)
            c.rect(X0, top - 9 * mm, width, 9 * mm, stroke=1, fill=0)
            c.setLineWidth(0.5)
            c.rect(X0 + 1 * mm, top - 8 * mm, width - 2 * mm, 7 * mm, stroke=1, fill=0)
            f.draw(c, X0 + width / 2, top - 6.2 * mm, mark, 14, miss, align="centre", bold=True)
            top -= 11 * mm
        c.restoreState()

    def _continuation(self, case: CaseDetail, page: list[tuple[str, list[str]]]) -> None:
        c, f, miss = self.canvas, self.fonts, self.missing
        c.setFillColor(black)
        c.setStrokeColor(black)
        f.draw(c, PAGE_W / 2, PAGE_H - 24 * mm, "交办单（续页）", 18, miss, align="centre", bold=True)
        f.draw(c, X0, PAGE_H - 34 * mm, f"案件编号：{case.case_no}", 10.5, miss)
        f.draw(c, X1, PAGE_H - 34 * mm, f"来访人：{case.visitor_name}", 10.5, miss, align="right")
        top = CONT_TOP
        for label, lines in page:
            height = len(lines) * LEADING + 2 * PAD
            c.setFillColor(LABEL_FILL)
            c.rect(X0, top - height, LABEL_W, height, stroke=0, fill=1)
            c.setFillColor(black)
            c.setLineWidth(0.8)
            c.rect(X0, top - height, X1 - X0, height, stroke=1, fill=0)
            c.line(X0 + LABEL_W, top, X0 + LABEL_W, top - height)
            head, _, tail = label.partition("（")
            f.draw(c, X0 + LABEL_W / 2, top - height / 2 + 2, head, 10.5, miss, align="centre")
            if tail:
                f.draw(c, X0 + LABEL_W / 2, top - height / 2 - 12, "（" + tail, 10.5, miss, align="centre")
            draw_lines(c, f, X0 + LABEL_W + PAD, top - PAD, lines, TEXT_SIZE, LEADING, miss)
            top -= height


class HandoverSlipRenderer:
    """交办单: one slip per case, A4 portrait, many slips in one PDF; each slip counts its own pages."""

    title = "交办单"

    def render(self, cases: Iterable[CaseDetail], out: Output) -> RenderResult:
        """Write the slips of these cases into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        canvas = new_canvas(out, A4, self.title)
        writer = SlipWriter(missing, canvas)
        count = 0
        for case in cases:
            writer.draw(case)
            count += 1
        if count == 0:
            empty_page(canvas, A4, "没有需要打印的交办单。")
        canvas.save()
        return RenderResult(canvas.pages_written, count, frozenset(missing))


class SlipPage(Flowable):
    """One page of a slip as a flowable filling a full-page frame (the department bundle mixes slips with
    its platypus cover lists); drawn by the same SlipWriter, so the frame form is shared."""

    def __init__(self, writer: SlipWriter, case: CaseDetail, plan: SlipLayout, index: int) -> None:
        super().__init__()
        self.writer = writer
        self.case = case
        self.plan = plan
        self.index = index

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Takes the whole page (never what is left of one: a slip always starts on its own page)."""
        return availWidth, PAGE_H

    def draw(self) -> None:
        """Draw the page; the frame sits at the page's origin, so the slip's coordinates hold."""
        canvas = self.canv
        if not isinstance(canvas, NumberedCanvas):
            raise TypeError("slip pages need the numbered canvas")
        self.writer.bind(canvas)
        self.writer.draw_page(self.case, self.plan, self.index)


def slip_pages(writer: SlipWriter, case: CaseDetail) -> list[Flowable]:
    """The pages of a case's slip as flowables."""
    plan = layout(writer.fonts, case)
    return [SlipPage(writer, case, plan, i) for i in range(plan.pages)]


def empty_page(canvas: NumberedCanvas, size: tuple[float, float], message: str) -> None:
    """A page saying there was nothing to print (an empty PDF would confuse the printer and the reader)."""
    width, height = size
    fonts().draw(canvas, width / 2, height / 2, message, 14, align="centre")
    canvas.showPage()
