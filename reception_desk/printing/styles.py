"""Named paragraph styles and table looks for the list documents, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from reception_desk.printing.fonts import fonts

RULE = black
HEADER_FILL = HexColor("#E6E6E6")
ZEBRA_FILL = HexColor("#F6F6F6")
TOTAL_FILL = HexColor("#EFEFEF")

# The three colour classes: band fill (light enough for black text, still clearly that colour) and ink.
COLOUR_FILL: dict[str, Color] = {
    "green": HexColor("#8FD19E"),
    "yellow": HexColor("#FFD966"),
    "red": HexColor("#F4A3A3"),
}
COLOUR_INK: dict[str, Color] = {
    "green": HexColor("#1E7B34"),
    "yellow": HexColor("#9A6B00"),
    "red": HexColor("#B3261E"),
}


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of the printouts (all in the main CJK font, wrapping like Chinese text)."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_centre: ParagraphStyle
    cell_right: ParagraphStyle
    cell_small: ParagraphStyle
    head: ParagraphStyle
    note: ParagraphStyle


Align = Literal["left", "centre", "right"]
# ReportLab's TA_LEFT, TA_CENTER, TA_RIGHT (its Paragraph compares numbers, although the stubs allow names)
_ALIGNMENT: dict[Align, Literal[0, 1, 2]] = {"left": 0, "centre": 1, "right": 2}


def _style(
    name: str, size: float, leading: float, align: Align = "left", before: float = 0, after: float = 0
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=fonts().main,
        fontSize=size,
        leading=leading,
        alignment=_ALIGNMENT[align],
        wordWrap="CJK",
        spaceBefore=before,
        spaceAfter=after,
    )


@lru_cache(maxsize=1)
def styles() -> Styles:
    """The styles (built on first use, fonts registered)."""
    return Styles(
        title=_style("rd-title", 20, 26, "centre", after=4),
        subtitle=_style("rd-subtitle", 10.5, 15, "centre", after=6),
        heading=_style("rd-heading", 12, 17, "left", before=8, after=4),
        body=_style("rd-body", 10.5, 16),
        cell=_style("rd-cell", 9, 12),
        cell_centre=_style("rd-cell-centre", 9, 12, "centre"),
        cell_right=_style("rd-cell-right", 9, 12, "right"),
        cell_small=_style("rd-cell-small", 8, 10.5),
        head=_style("rd-head", 9, 12, "centre"),
        note=_style("rd-note", 8.5, 12),
    )


def grid_table_style(header_rows: int = 1, zebra: bool = False) -> TableStyle:
    """Black rules round every cell, a grey header row, optionally every other row tinted."""
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts().main),  # the cells are paragraphs, but the default is Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("BOX", (0, 0), (-1, -1), 1.0, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_FILL))
        commands.append(("LINEBELOW", (0, header_rows - 1), (-1, header_rows - 1), 1.0, RULE))
    if zebra:
        commands.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [white, ZEBRA_FILL]))
    return TableStyle(commands)
