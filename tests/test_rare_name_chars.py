"""Every rare name character of tests/data/rare_name_chars.txt shows on screen and prints (issue #11: fonts cut down).

The HanaMinB subset keeps only the Extension B-F characters that names and 《通用规范汉字表》 use, so this list is
what guards it: on screen through the app's own Qt font fallback (ui/fonts.register_fonts), in a PDF through the
print fonts the slips use (printing/fonts.py), read back with pypdf.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from reception_desk.printing.fonts import FONT_FILES, fonts
from reception_desk.resources import MAIN_FONT, font_path
from reception_desk.ui import fonts as ui_fonts

LIST = Path(__file__).parent / "data" / "rare_name_chars.txt"


def rare_chars() -> list[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[0] for line in lines if line.strip() and not line.startswith("#")]


RARE = rare_chars()
BEYOND_BMP = [ch for ch in RARE if ord(ch) > 0xFFFF]


def test_the_list_is_rare_name_characters_of_every_block() -> None:
    assert len(RARE) >= 200 and len(set(RARE)) == len(RARE)
    assert all(len(ch) == 1 for ch in RARE)
    assert {"𠮷", "䶮", "堃", "喆", "𡒄", "犇", "淼", "㛃"} <= set(RARE)
    assert sum(0x3400 <= ord(ch) <= 0x4DBF for ch in RARE) >= 40  # Extension A
    assert len(BEYOND_BMP) >= 60  # Extension B-E


def test_the_shipped_fonts_stay_small() -> None:
    files = {name: font_path(name).stat().st_size for name in ui_fonts.FALLBACK_FONTS}
    assert files["HanaMinB-subset.ttf"] < 2_000_000
    assert not font_path("HanaMinB.ttf").exists()
    total = sum(p.stat().st_size for p in font_path(MAIN_FONT).parent.iterdir())
    assert total < 10_000_000, total


def test_every_character_shows_on_screen(qapp: Any) -> None:
    from PySide6.QtGui import QFont, QRawFont, QTextLayout

    main = ui_fonts.register_fonts(qapp)
    families = qapp.font().families()
    assert families[0] == main and len(families) == 3, families
    raw = [QRawFont(str(font_path(f)), 20) for f in (MAIN_FONT, *ui_fonts.FALLBACK_FONTS)]
    shipped = {r.familyName() for r in raw}
    assert all(r.isValid() for r in raw) and len(shipped) == 3
    font = QFont(qapp.font())
    font.setPointSize(20)
    unshown: list[str] = []
    for ch in RARE:
        # one of the shipped font files has the character ...
        if not any(r.supportsCharacter(ord(ch)) for r in raw):
            unshown.append(f"{ch} U+{ord(ch):X}: no shipped font")
            continue
        # ... and the app's font, with its fallbacks, lays it out with a real glyph (not .notdef) from one of them
        layout = QTextLayout(ch, font)
        layout.beginLayout()
        line = layout.createLine()
        line.setLineWidth(1000)
        layout.endLayout()
        runs = layout.glyphRuns()
        glyphs = [(run.rawFont().familyName(), index) for run in runs for index in run.glyphIndexes()]
        if len(glyphs) != 1 or glyphs[0][1] == 0 or glyphs[0][0] not in shipped:
            unshown.append(f"{ch} U+{ord(ch):X}: drawn as {glyphs}")
    assert not unshown, unshown


def test_every_character_prints_and_extracts_from_the_pdf() -> None:
    f = fonts()
    assert all(f.font_of(ch) is not None for ch in RARE), [ch for ch in RARE if f.font_of(ch) is None]
    missing: set[str] = set()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(600, 800))
    lines = ["".join(RARE[i : i + 25]) for i in range(0, len(RARE), 25)]
    y = 770.0
    for line in lines:  # drawn as slips, tickets and receipts draw a line (layout.py, queue_ticket.py)
        f.draw(canvas, 20, y, line, 16, missing)
        y -= 22
    # and as a paragraph, as lists and bulletins set names (bulletin.py)
    para = Paragraph(f.markup("、".join(RARE), missing), ParagraphStyle("p", fontName=f.main, fontSize=12, leading=16))
    _, height = para.wrap(560, 800)
    para.drawOn(canvas, 20, y - height)
    canvas.showPage()
    canvas.save()
    assert not missing, missing
    reader = PdfReader(io.BytesIO(buf.getvalue()))
    text = "".join(page.extract_text() for page in reader.pages)
    lost = [f"{ch} U+{ord(ch):X}" for ch in RARE if text.count(ch) < 2]  # once per line, once in the paragraph
    assert not lost, lost
    resources: list[Any] = [page["/Resources"].get_object() for page in reader.pages]
    names = {str(font.get_object()["/BaseFont"]) for res in resources for font in res["/Font"].values()}
    faces = {name.split("+", 1)[1] for name in names if "+" in name}  # embedded subsets (not the canvas's Helvetica)
    assert faces == {"WenQuanYiMicroHei-0", "ReceptionDeskHanaMinASubset", "ReceptionDeskHanaMinBSubset"}, faces


@pytest.mark.parametrize("ch", BEYOND_BMP[:3])
def test_beyond_the_bmp_goes_to_the_hanaminb_subset(ch: str) -> None:
    ext_b_name = FONT_FILES[2][0]
    assert fonts().font_of(ch) == ext_b_name
