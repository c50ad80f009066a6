"""A canvas that prints "第 x 页 共 y 页" at the foot of every page, counting within groups of pages.

Pages are held back until save(), when the totals are known (the pretix / ReportLab recipe). A PDF with many
documents in it (a room schedule per room, a slip per case) starts a group per document, so each paper counts
its own pages.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reception_desk import files
from reception_desk.printing.fonts import fonts

FOOTER_SIZE = 9.0
FOOTER_Y = 9 * mm


def page_label(number: int, total: int) -> str:
    """The page number as Chinese forms print it."""
    return f"第 {number} 页 共 {total} 页"


class NumberedCanvas(Canvas):
    """Defers pages to number them per group at save(); `start_group()` on a page makes it a group's first."""

    def __init__(self, *args: Any, numbering: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[tuple[dict[str, Any], int]] = []
        self._group = 0
        self.numbering = numbering  # False: pages are held and counted but not numbered (a till receipt)
        self.pages_written = 0

    def start_group(self) -> None:
        """The current page begins a new group (a new document inside the PDF)."""
        self._group += 1

    @property
    def page_count(self) -> int:
        """Pages finished so far."""
        return len(self._held)

    def showPage(self) -> None:
        """Hold the finished page back until the totals are known."""
        self._held.append((dict(self.__dict__), self._group))
        self._startPage()  # type: ignore[attr-defined]  # ReportLab's own reset after a page

    def _emit(self) -> None:
        if self.__dict__["_code"]:  # drawn but not yet shown
            self.showPage()
        held = self._held
        totals = Counter(group for _, group in held)
        seen: Counter[int] = Counter()
        main = fonts().main
        for state, group in held:
            seen[group] += 1
            self.__dict__.update(state)
            if self.numbering:
                self.saveState()
                self.setFont(main, FOOTER_SIZE)
                self.drawCentredString(state["_pagesize"][0] / 2, FOOTER_Y, page_label(seen[group], totals[group]))
                self.restoreState()
            Canvas.showPage(self)
        self.pages_written += len(held)
        self._held = []

    def save(self) -> None:
        """Number the held pages and write the PDF: to a file, beside it first and then renamed over it.

        ReportLab opens the file before it assembles the PDF, so a failure there (or a kill) would leave a
        0-byte file in place of a good older one; the whole PDF is made in memory first instead.
        """
        self._emit()
        target = self._filename  # type: ignore[attr-defined]  # ReportLab's own: a path or a stream
        if isinstance(target, str):
            data: bytes = Canvas.getpdfdata(self)  # type: ignore[no-untyped-call]
            files.write_bytes(target, data)
        else:
            Canvas.save(self)

    def getpdfdata(self) -> bytes:
        """Number the held pages and return the PDF bytes."""
        self._emit()
        data: bytes = Canvas.getpdfdata(self)  # type: ignore[no-untyped-call]
        return data
