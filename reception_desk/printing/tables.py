"""Platypus pieces for the list documents: a bold centred title, grid tables of Chinese text, page furniture."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import Color, black
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table

from reception_desk.printing.common import BUREAU, CREATOR, Output, cn_datetime
from reception_desk.printing.fonts import fonts
from reception_desk.printing.numbered_canvas import FOOTER_SIZE, FOOTER_Y, NumberedCanvas
from reception_desk.printing.styles import COLOUR_FILL, grid_table_style, styles


class Title(Flowable):
    """A centred title in strokes-thickened type (the fonts have no bold face), with rare-character fallback."""

    def __init__(self, text: str, size: float, missing: set[str], space_after: float = 4) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.missing = missing
        self.space_after = space_after
        self.width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Takes the frame's width; as tall as the type plus the space after."""
        self.width = availWidth
        return availWidth, self.size * 1.3 + self.space_after

    def draw(self) -> None:
        """Draw the title centred on the frame."""
        fonts().draw(
            self.canv, self.width / 2, self.space_after + self.size * 0.3, self.text, self.size, self.missing,
            align="centre", bold=True,
        )  # fmt: skip


class GroupStart(Flowable):
    """Marks where a new document starts inside the PDF: its pages count from 1 again."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Takes no room."""
        return 0, 0

    def draw(self) -> None:
        """Tell the numbered canvas."""
        canvas = self.canv
        if isinstance(canvas, NumberedCanvas):
            canvas.start_group()


class Cells:
    """Turns text into table cell paragraphs, recording characters no font has."""

    def __init__(self, missing: set[str]) -> None:
        self.missing = missing
        self.fonts = fonts()
        self.styles = styles()

    def p(self, text: object, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped, with fallback fonts) in the style (default: a table cell)."""
        markup = self.fonts.markup("" if text is None else str(text), self.missing).replace("\n", "<br/>")
        return Paragraph(markup, style or self.styles.cell)

    def row(self, values: Sequence[object], aligns: str = "") -> list[Paragraph]:
        """A row of cells; `aligns` gives l/c/r per column (default left)."""
        st = self.styles
        by = {"l": st.cell, "c": st.cell_centre, "r": st.cell_right}
        return [self.p(v, by.get(aligns[i] if i < len(aligns) else "l", st.cell)) for i, v in enumerate(values)]

    def head(self, values: Sequence[str]) -> list[Paragraph]:
        """A header row."""
        return [self.p(v, self.styles.head) for v in values]


def grid(
    header: list[Paragraph],
    rows: list[list[Paragraph]],
    widths: Sequence[float],
    zebra: bool = True,
    extra: Sequence[tuple[Any, ...]] = (),
    row_height: float | None = None,
) -> Table:
    """A ruled table with a repeated grey header row; `row_height` fixes the body rows' height."""
    heights = None if row_height is None else [None, *([row_height] * len(rows))]
    table = Table([header, *rows], colWidths=list(widths), rowHeights=heights, repeatRows=1, hAlign="CENTER")
    style = grid_table_style(1, zebra)
    for command in extra:
        style.add(*command)
    table.setStyle(style)
    return table


def colour_cell_styles(colours: Sequence[str | None], column: int, first_row: int = 1) -> list[tuple[Any, ...]]:
    """Table commands that fill each row's colour cell with its class colour."""
    out: list[tuple[Any, ...]] = []
    for i, colour in enumerate(colours):
        fill: Color | None = COLOUR_FILL.get(colour or "")
        if fill is not None:
            out.append(("BACKGROUND", (column, first_row + i), (column, first_row + i), fill))
    return out


class PageFurniture:
    """The running foot of a list page: printed-at on the left, the bureau on the right (the page number is
    the numbered canvas's)."""

    def __init__(self, page_width: float, printed_at: dt.datetime, left: float = 12 * mm) -> None:
        self.page_width = page_width
        self.text = f"打印时间：{cn_datetime(printed_at)}"
        self.left = left

    def __call__(self, canvas: Canvas, _doc: object = None) -> None:
        """Draw the foot of the current page."""
        canvas.saveState()
        canvas.setFillColor(black)
        canvas.setFont(fonts().main, FOOTER_SIZE)
        canvas.drawString(self.left, FOOTER_Y, self.text)
        canvas.drawRightString(self.page_width - self.left, FOOTER_Y, BUREAU)
        canvas.restoreState()


SLIP_TEMPLATE = "slip"
LIST_TEMPLATE = "list"


def build_document(
    out: Output,
    pagesize: tuple[float, float],
    title: str,
    story: list[Flowable],
    printed_at: dt.datetime,
    margins: tuple[float, float, float, float],
    with_slip_pages: bool = False,
) -> int:
    """Lay the story out on numbered pages (margins: left, right, top, bottom); returns the pages written.

    `with_slip_pages` adds a full-page template for slip pages (switch with NextPageTemplate("slip")).
    """
    left, right, top, bottom = margins
    target: Any = out if not isinstance(out, str | os.PathLike) else os.fspath(out)
    doc = BaseDocTemplate(
        target,
        pagesize=pagesize,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author=BUREAU,
        subject=title,
        creator=CREATOR,
        pageCompression=1,
        initialFontName=fonts().main,  # not Helvetica, which would be named on every page, not embedded
    )
    body = Frame(left, bottom, doc.width, doc.height, 0, 0, 0, 0, id="body")
    templates = [PageTemplate(LIST_TEMPLATE, [body], onPage=PageFurniture(pagesize[0], printed_at, left))]
    if with_slip_pages:
        page = Frame(0, 0, pagesize[0], pagesize[1], 0, 0, 0, 0, id="slip")
        templates.append(PageTemplate(SLIP_TEMPLATE, [page], pagesize=pagesize))
    doc.addPageTemplates(templates)
    canvases: list[NumberedCanvas] = []

    def make_canvas(*args: Any, **kwargs: Any) -> NumberedCanvas:
        canvas = NumberedCanvas(*args, **kwargs)
        canvases.append(canvas)
        return canvas

    doc.build(story, canvasmaker=make_canvas)
    return canvases[-1].pages_written
