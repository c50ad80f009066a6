"""排队号 queue tickets: an 80 mm till slip handed over at check-in, as tall as its content.

The 排队号 counts within the room ("第8接待室 3号"): it is what the visitor looks for when the room calls, so it
is the largest thing on the slip; the room with the number, how many wait ahead (前面还有 N 批) and where the room
is come next. The resident ID is printed masked only (it comes masked from print_data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.colors import black
from reportlab.lib.units import mm

from reception_desk.printing.common import Output, RenderResult, local_time, new_canvas
from reception_desk.printing.fonts import Fonts, fonts
from reception_desk.printing.layout import wrap
from reception_desk.printing.numbered_canvas import NumberedCanvas
from reception_desk.printing.slips import empty_page
from reception_desk.services.print_data import QueueTicket

TICKET_W = 80 * mm
MARGIN = 4 * mm
NUMBER_SIZE = 60.0
WAIT_NOTE = "请在候谈区等候叫号"
CALL_NOTE = "叫到本号时，请持本票进入接待室。"


@dataclass(frozen=True)
class Block:
    """One block of the ticket, top to bottom: lines of text at one size, or a dashed rule."""

    lines: tuple[str, ...]
    size: float = 9.0
    leading: float = 0.0  # 0: 1.4 × size
    centre: bool = False
    bold: bool = False
    rule: bool = False
    space_after: float = 0.0

    @property
    def line_height(self) -> float:
        """Distance between baselines."""
        return self.leading or self.size * 1.4

    @property
    def height(self) -> float:
        """Vertical space the block takes."""
        return (6.0 if self.rule else self.line_height * len(self.lines)) + self.space_after


def room_name(ticket: QueueTicket) -> str:
    """The room as every page and paper names it (第8接待室); empty before a room is given."""
    if ticket.room_name:
        return ticket.room_name
    return f"第{ticket.room_number}接待室" if ticket.room_number is not None else ""


def number_line(ticket: QueueTicket) -> str:
    """The room and the number in it: 第8接待室 3号."""
    room = room_name(ticket)
    return f"{room} {ticket.queue_number}号" if room else f"{ticket.queue_number}号"


def ahead_line(ahead: int | None) -> str:
    """前面还有 N 批 (batches waiting in the same room before this one); empty when not known."""
    if ahead is None:
        return ""
    return f"前面还有 {ahead} 批" if ahead else "前面没有等候的批次"


def room_line(ticket: QueueTicket) -> str:
    """Where to go: 请到 第8接待室 (or, before a room is given, to wait)."""
    if ticket.room_name:
        return f"请到 {ticket.room_name}"
    if ticket.room_number is not None:
        return f"请到 第{ticket.room_number}接待室"
    return "接待室待安排，请在等候区稍候"


class _TicketWriter:
    """Lays out and draws tickets on one canvas, each on its own page sized to its content."""

    def __init__(self, canvas: NumberedCanvas, missing: set[str]) -> None:
        self.c = canvas
        self.f: Fonts = fonts()
        self.missing = missing
        self.width = TICKET_W - 2 * MARGIN

    def _centred(self, text: str, size: float, bold: bool = False, space_after: float = 0.0) -> Block:
        return Block(
            tuple(wrap(self.f, text, self.width, size)) or ("",), size, centre=True, bold=bold, space_after=space_after
        )

    def _field(self, label: str, value: str, size: float = 9.5) -> Block:
        """`label：value`, the value wrapping under itself rather than under the label."""
        head = f"{label}："
        hang = self.f.width(head, size)
        body = wrap(self.f, value, self.width - hang, size) or [""]
        pad = "\u3000" * round(hang / self.f.width("\u3000", size))  # labels are full-width characters
        return Block((head + body[0], *(pad + line for line in body[1:])), size)

    def blocks(self, ticket: QueueTicket) -> list[Block]:
        """The ticket's blocks, top to bottom."""
        c, field = self._centred, self._field
        visitor = ticket.lead_name + (f"（共 {ticket.headcount} 人）" if ticket.headcount > 1 else "")
        blocks = [
            c(ticket.day.title, 9),
            c("排 队 号", 14, bold=True, space_after=1),
            Block((str(ticket.queue_number),), NUMBER_SIZE, leading=NUMBER_SIZE * 1.08, centre=True, bold=True),
            c(number_line(ticket), 13, bold=True),
        ]
        ahead = ahead_line(ticket.ahead)
        if ahead:
            blocks.append(c(ahead, 11, bold=True))
        if ticket.room_location:
            blocks.append(c(f"请到 {ticket.room_location}", 9.5, space_after=2))
        blocks += [
            Block((), rule=True),
            field("登记号", ticket.reg_no),
            field("来访人", visitor),
        ]
        if ticket.id_masked:
            blocks.append(field("身份证号", ticket.id_masked))
        blocks += [
            field("签到时间", local_time(ticket.checked_in_at)),
            Block((), rule=True),
            c(WAIT_NOTE, 12, bold=True),
            c(CALL_NOTE, 8),
        ]
        return blocks

    def draw(self, ticket: QueueTicket) -> None:
        """Draw one ticket on a page of its own height and show the page."""
        blocks = self.blocks(ticket)
        height = sum(b.height for b in blocks) + 2 * MARGIN + 2 * mm
        c, f, miss = self.c, self.f, self.missing
        c.setPageSize((TICKET_W, height))
        c.start_group()
        c.setFillColor(black)
        c.setStrokeColor(black)
        y = height - MARGIN
        for block in blocks:
            if block.rule:
                c.saveState()
                c.setDash(2, 2)
                c.setLineWidth(0.5)
                c.line(MARGIN, y - 3, TICKET_W - MARGIN, y - 3)
                c.restoreState()
            for i, line in enumerate(block.lines):
                # the baseline sits about 0.86 of a size below the top of the glyphs, centred in the line box
                top = y - i * block.line_height
                baseline = top - (block.line_height - block.size) / 2 - block.size * 0.86
                if block.centre:
                    f.draw(c, TICKET_W / 2, baseline, line, block.size, miss, align="centre", bold=block.bold)
                else:
                    f.draw(c, MARGIN, baseline, line, block.size, miss, bold=block.bold)
            y -= block.height
        c.showPage()


class QueueTicketRenderer:
    """排队号: one 80 mm till ticket per checked-in batch (thermal printers), many tickets in one PDF."""

    title = "排队号"

    def render(self, tickets: Iterable[QueueTicket], out: Output) -> RenderResult:
        """Write one ticket per batch into one PDF at `out` (a path or a binary stream)."""
        missing: set[str] = set()
        size = (TICKET_W, 100 * mm)
        canvas = new_canvas(out, size, self.title, numbering=False)
        writer = _TicketWriter(canvas, missing)
        count = 0
        for ticket in tickets:
            writer.draw(ticket)
            count += 1
        if count == 0:
            empty_page(canvas, size, "没有需要打印的排队号。")
        canvas.save()
        return RenderResult(max(count, 1), count, frozenset(missing))
