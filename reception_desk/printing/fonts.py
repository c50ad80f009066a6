"""The shipped fonts for PDFs, registered once, and a per-character fallback between them.

WenQuanYi Micro Hei is the main font (Latin, digits, the common CJK set). It lacks CJK Extension A (䶮) and
Extension B and beyond (𠮷), which people's names do use: a subset of HanaMinA covers Extension A and the
compatibility ideographs, a subset of HanaMinB the Extension B to F characters of 《通用规范汉字表》 and of
rare names (tests/data/rare_name_chars.txt; scripts/subset_fonts.py makes it). Text is split into runs by the
first font that has the glyph; a character no shipped font has is still printed (as the main font's empty box)
and collected so the caller can say which characters could not be printed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from reception_desk.resources import MAIN_FONT, font_path

MAIN = "RD-Main"
EXT_A = "RD-HanA"
EXT_B = "RD-HanB"
# (name, file, subfont index of a .ttc or None), in fallback order
FONT_FILES: tuple[tuple[str, str, int | None], ...] = (
    (MAIN, MAIN_FONT, 0),
    (EXT_A, "HanaMinA-subset.ttf", None),
    (EXT_B, "HanaMinB-subset.ttf", None),
)

# Characters that draw nothing and must not be reported as missing: variation selectors (a name may carry an
# ideographic variation sequence), zero-width joiners and spaces, the byte-order mark, the soft hyphen.
_IGNORABLE = frozenset(
    [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD]
)
_BREAKS = frozenset([0x09, 0x0A, 0x0D])  # tab and line breaks print as a space; other controls as nothing

_lock = threading.Lock()
_fonts: Fonts | None = None


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with characters beyond the BMP written as UTF-16 surrogate pairs.

    ReportLab 5.1 formats every code as %04X, so 𠮷 (U+20BB7) becomes the odd-length <20BB7> and text
    extraction (pypdf, copy and paste, search) loses the character. The rest is ReportLab's own layout.
    """

    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper() if code > 0xFFFF else f"{code:04X}"

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Run:
    """A stretch of text that one font draws."""

    font: str
    text: str


def _load(name: str, path: Path, subfont: int | None) -> TTFont:
    font = TTFont(name, str(path)) if subfont is None else TTFont(name, str(path), subfontIndex=subfont)
    pdfmetrics.registerFont(font)
    return font


class Fonts:
    """The registered fonts and the per-character choice between them (cached; safe across threads).

    The fallbacks are read only when a character the main font lacks turns up: parsing the HanaMinA subset
    (7,000 glyphs) costs time that most printouts never need.
    """

    def __init__(self, main: TTFont, fallbacks: Sequence[tuple[str, Path, int | None]]) -> None:
        self.main: str = main.fontName
        self.names: tuple[str, ...] = (self.main, *(name for name, _, _ in fallbacks))
        self._main_cmap = main.face.charToGlyph
        self._faces: dict[str, TTFont] = {self.main: main}
        self._pending = list(fallbacks)
        self._fallback_cmaps: list[tuple[str, Mapping[int, int]]] | None = None
        self._fallback_lock = threading.Lock()
        self._font_of: dict[str, str | None] = {}
        self._widths: dict[tuple[str, str], float] = {}
        self._text_widths: dict[str, float] = {}

    def _fallbacks(self) -> list[tuple[str, Mapping[int, int]]]:
        if self._fallback_cmaps is None:
            with self._fallback_lock:
                if self._fallback_cmaps is None:
                    cmaps = []
                    for name, path, subfont in self._pending:
                        font = _load(name, path, subfont)
                        self._faces[name] = font
                        cmaps.append((name, font.face.charToGlyph))
                    self._fallback_cmaps = cmaps
        return self._fallback_cmaps

    def font_of(self, ch: str) -> str | None:
        """The first font that has a glyph for the character, or None when no shipped font has one."""
        try:
            return self._font_of[ch]
        except KeyError:
            pass
        code = ord(ch)
        found: str | None = self.main
        if code not in self._main_cmap:
            found = next((name for name, cmap in self._fallbacks() if code in cmap), None)
        self._font_of[ch] = found
        return found

    def runs(self, text: str, missing: set[str] | None = None) -> list[Run]:
        """Split text into runs by font; characters without a glyph go to the main font and into `missing`."""
        runs: list[Run] = []
        current = self.main
        buf: list[str] = []
        font_of = self.font_of
        for ch in text:
            code = ord(ch)
            if code in _IGNORABLE:
                continue
            if code < 0x20:
                if code not in _BREAKS:
                    continue
                ch = " "
            font = font_of(ch)
            if font is None:
                if missing is not None:
                    missing.add(ch)
                font = self.main
            if font != current and buf:
                runs.append(Run(current, "".join(buf)))
                buf = []
            current = font
            buf.append(ch)
        if buf:
            runs.append(Run(current, "".join(buf)))
        return runs

    def char_width(self, ch: str, font: str | None = None) -> float:
        """Advance width of one character at size 1 (points per point of font size)."""
        key = (font or self.font_of(ch) or self.main, ch)
        try:
            return self._widths[key]
        except KeyError:
            width = self._faces[key[0]].stringWidth(ch, 1.0)
            self._widths[key] = width
            return width

    def width(self, text: str, size: float) -> float:
        """Width of text at a size, each character measured in the font that draws it."""
        try:
            return self._text_widths[text] * size
        except KeyError:
            pass
        cw = self.char_width
        unit = sum(cw(ch) for ch in text)
        if len(self._text_widths) > 100_000:  # names and requests of many days: keep the cache bounded
            self._text_widths.clear()
        self._text_widths[text] = unit
        return unit * size

    def markup(self, text: str, missing: set[str] | None = None) -> str:
        """Paragraph markup for text: XML-escaped, fallback runs wrapped in <font name=...>.

        Ideographic spaces (which forms use to space out 年　月　日) become no-break spaces of the same width:
        Paragraph would collapse them like ordinary spaces.
        """
        if "\u3000" in text:
            nbsp = "\u00a0" * max(1, round(self.char_width("\u3000") / self.char_width("\u00a0", self.main)))
            text = text.replace("\u3000", nbsp)
        parts = []
        for run in self.runs(text, missing):
            body = escape(run.text)
            parts.append(body if run.font == self.main else f'<font name="{run.font}">{body}</font>')
        return "".join(parts)

    def text_out(self, tx: PDFTextObject, text: str, size: float, missing: set[str] | None = None) -> None:
        """Write text into a text object, switching font per run; leaves the text object in the main font."""
        runs = self.runs(text, missing)
        if len(runs) == 1 and runs[0].font == self.main:
            tx.textOut(runs[0].text)
            return
        for run in runs:
            tx.setFont(run.font, size)
            tx.textOut(run.text)
        tx.setFont(self.main, size)

    def draw(
        self,
        canvas: Canvas,
        x: float,
        y: float,
        text: str,
        size: float,
        missing: set[str] | None = None,
        align: str = "left",
        bold: bool = False,
    ) -> float:
        """Draw one line at (x, y) (align left, centre or right of x); returns its width.

        `bold` strokes the outlines as well (the shipped fonts have no bold face), as Chinese forms often do.
        """
        runs = self.runs(text, missing)
        width = sum(self.char_width(ch, r.font) for r in runs for ch in r.text) * size
        if align == "centre":
            x -= width / 2
        elif align == "right":
            x -= width
        if bold:
            canvas.saveState()
            canvas.setLineWidth(size * 0.035)
        if len(runs) == 1 and runs[0].font == self.main and not bold:
            canvas.setFont(self.main, size)
            canvas.drawString(x, y, runs[0].text)
            return width
        tx = canvas.beginText(x, y)
        if bold:
            tx.setTextRenderMode(2)
        for run in runs:
            tx.setFont(run.font, size)
            tx.textOut(run.text)
        canvas.drawText(tx)
        if bold:
            canvas.restoreState()
        return width


def register_fonts() -> Fonts:
    """Register the shipped fonts with ReportLab (once per process) and return the fallback chain."""
    global _fonts
    with _lock:
        if _fonts is not None:
            return _fonts
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see _to_unicode_cmap: fixes text beyond the BMP
        # ReportLab wraps every compressed stream in ASCII85 (7-bit-safe transport nobody needs any more),
        # in pure Python unless the optional rl_accel extension is installed: a third of a slip batch's time.
        rl_config.useA85 = 0
        (main_name, main_file, main_subfont), *rest = FONT_FILES
        main_path = font_path(main_file)
        if not main_path.is_file():
            raise FileNotFoundError(f"the main print font is missing: {main_path}")
        # a fallback missing from this installation is skipped: its characters will be reported as missing
        fallbacks = [(name, font_path(f), sub) for name, f, sub in rest if font_path(f).is_file()]
        _fonts = Fonts(_load(main_name, main_path, main_subfont), fallbacks)
        return _fonts


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """The registered fonts (registering them on first use)."""
    return register_fonts()


def describe_missing(chars: set[str] | frozenset[str]) -> str:
    """Characters as a report names them: 𰀀（U+30000）、（U+E000）."""
    return "、".join(f"{ch}（U+{ord(ch):04X}）" for ch in sorted(chars))
