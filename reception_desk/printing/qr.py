"""QR codes on the canvas: encoded once with segno, all dark modules drawn as one filled path.

ReportLab's QrCodeWidget encodes twice and draws every module as its own shape (most of a slip's time, and
hairline seams between modules in some viewers). Here the modules are merged into rectangles (runs along a row,
stacked while the rows below repeat them) and written as a single path in module units, scaled into place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import segno
from reportlab.lib.colors import black
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border a reader needs around the symbol (ISO/IEC 18004)


@dataclass(frozen=True)
class QrSymbol:
    """An encoded QR code: its side in modules and the PDF path operators of its dark modules."""

    text: str
    modules: int
    path: str


_DARK_RUN = re.compile(rb"\x01+")


def _rectangles(matrix: list[bytes]) -> list[tuple[int, int, int, int]]:
    """Dark areas as (column, row from the bottom, width, height) rectangles in module units."""
    n = len(matrix)
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (start column, end column) -> row (from the top) it began
    for r, row in enumerate([*matrix, b""]):
        runs = {m.span() for m in _DARK_RUN.finditer(row)}
        for key in [k for k in open_runs if k not in runs]:
            top = open_runs.pop(key)
            done.append((key[0], n - r, key[1] - key[0], r - top))
        for key in runs:
            open_runs.setdefault(key, r)
    return done


@lru_cache(maxsize=4096)
def encode(text: str) -> QrSymbol:
    """Encode text (error correction at least M, never a Micro QR); cached, so a receipt reuses its slip's code."""
    qr = segno.make_qr(text, error="m")
    matrix = [bytes(row) for row in qr.matrix]
    path = " ".join(f"{x} {y} {w} {h} re" for x, y, w, h in _rectangles(matrix))
    return QrSymbol(text, len(matrix), path)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> QrSymbol:
    """Draw the QR code of text with its symbol (without the quiet zone) filling a size×size square at x, y."""
    symbol = encode(text)
    module = size / symbol.modules
    canvas.saveState()
    canvas.setFillColor(black)
    canvas.translate(x, y)
    canvas.scale(module, module)
    canvas.addLiteral(f"{symbol.path} f")
    canvas.restoreState()
    return symbol
