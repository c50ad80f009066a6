"""The print fonts, the per-character fallback, Chinese line breaking, the QR path and the page numbering."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import segno
from pypdf import PdfReader
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from reception_desk.domain.deadlines import Calendar, Colour, due_date
from reception_desk.printing import fonts as fonts_module
from reception_desk.printing.common import deadline_text
from reception_desk.printing.fonts import EXT_A, EXT_B, FONT_FILES, MAIN, fonts
from reception_desk.printing.layout import NO_LINE_END, NO_LINE_START, fit, wrap
from reception_desk.printing.numbered_canvas import NumberedCanvas
from reception_desk.printing.qr import _rectangles, encode
from reception_desk.resources import font_path, resources_dir
from reception_desk.services.cases import CaseDetail

TEXT = (
    "反映衢江大道东延工程征地拆迁补偿标准偏低（与周边项目相比每平方米相差约300元），"
    "要求按照同期同类标准重新核定补偿款。"
)


def test_every_shipped_font_registers_with_reportlab_and_has_its_licence() -> None:
    readme = (resources_dir() / "fonts" / "README.md").read_text(encoding="utf-8")
    for name, filename, subfont in FONT_FILES:
        path = font_path(filename)
        assert path.is_file(), filename
        font = TTFont(f"probe-{name}", str(path), subfontIndex=subfont or 0)
        assert font.face.charToGlyph, filename
        assert f"`{filename}`" in readme
    assert (resources_dir() / "fonts" / "LICENSE-hanazono.txt").is_file()


def test_each_character_goes_to_the_first_font_that_has_it() -> None:
    f = fonts()
    assert f.names == (MAIN, EXT_A, EXT_B)
    assert (f.font_of("张"), f.font_of("A"), f.font_of("\u4dae"), f.font_of("\U00020bb7")) == (MAIN, MAIN, EXT_A, EXT_B)
    assert f.font_of("\U0002b8b8") == EXT_B  # Extension E (𫢸, 《通用规范汉字表》): the HanaMinB subset has it
    missing: set[str] = set()
    runs = f.runs("张\U00020bb7明 龚\u4dae\U00030000\ufe00", missing)
    assert [(r.font, r.text) for r in runs] == [
        (MAIN, "张"),
        (EXT_B, "\U00020bb7"),
        (MAIN, "明 龚"),
        (EXT_A, "\u4dae"),
        (MAIN, "\U00030000"),  # no font has it: drawn as the main font's box, and reported
    ]
    assert missing == {"\U00030000"}  # the variation selector is dropped, not reported


def test_markup_escapes_and_wraps_fallback_runs() -> None:
    assert fonts().markup("A&B <王\U00020bb7>") == f'A&amp;B &lt;王<font name="{EXT_B}">\U00020bb7</font>&gt;'


def test_tounicode_writes_characters_beyond_the_bmp_as_surrogate_pairs() -> None:
    fonts()
    cmap = ttfonts.makeToUnicodeCMap("X", [0, 0x5F20, 0x20BB7])
    assert "<01> <5F20>" in cmap and "<02> <D842DFB7>" in cmap
    assert fonts_module._to_unicode_cmap is ttfonts.makeToUnicodeCMap


def test_wrap_keeps_every_character_and_respects_the_line_rules() -> None:
    f = fonts()
    for width in (60.0, 97.0, 150.0, 333.0):
        lines = wrap(f, TEXT, width, 10.5)
        assert "".join(lines) == TEXT
        assert all(f.width(line, 10.5) <= width + 0.01 for line in lines)
        assert not any(line[0] in NO_LINE_START for line in lines[1:])
        assert not any(line[-1] in NO_LINE_END for line in lines)
    assert wrap(f, "第一段\n\n第二段", 200, 10) == ["第一段", "", "第二段"]
    long_number = "1" * 80
    assert "".join(wrap(f, long_number, 50, 10)) == long_number  # a piece wider than the line is cut


def test_fit_shrinks_then_cuts_with_an_ellipsis() -> None:
    f = fonts()
    assert fit(f, "区征收办", 200, 20, 10.5, 7.5).size == 10.5
    shrunk = fit(f, "自然资源和规划分局、住房和城乡建设局、应急管理局", 220, 20, 10.5, 7.5)  # 25 characters
    assert 7.5 < shrunk.size < 10.5 and len(shrunk.lines) == 1
    wrapped = fit(f, "自然资源和规划分局、住房和城乡建设局、应急管理局", 150, 20, 10.5, 7.5)
    assert wrapped.size == 7.5 and len(wrapped.lines) == 2
    cut = fit(f, TEXT * 5, 150, 20, 10.5, 7.5)
    assert cut.size == 7.5 and cut.lines[-1].endswith("…")


def test_qr_rectangles_cover_exactly_the_dark_modules() -> None:
    for text in ("JF-20261204-04-001", "JF-20261204-15-123", "https://example.org/" + "x" * 60):
        matrix = [bytes(row) for row in segno.make_qr(text, error="m").matrix]
        n = len(matrix)
        painted = [[0] * n for _ in range(n)]
        for x, y, w, h in _rectangles(matrix):
            for row in range(n - y - h, n - y):
                for col in range(x, x + w):
                    painted[row][col] += 1
        assert painted == [list(row) for row in matrix]  # every dark module once, no light one
        assert encode(text) is encode(text)  # encoded once


def test_numbered_canvas_counts_pages_per_group() -> None:
    out = io.BytesIO()
    canvas = NumberedCanvas(out)
    for group_pages in (2, 1, 3):
        canvas.start_group()
        for _ in range(group_pages):
            canvas.drawString(100, 700, "x")
            canvas.showPage()
    canvas.save()
    labels = [p.extract_text().split("x")[-1].strip() for p in PdfReader(io.BytesIO(out.getvalue())).pages]
    assert labels == [
        "第 1 页 共 2 页",
        "第 2 页 共 2 页",
        "第 1 页 共 1 页",
        "第 1 页 共 3 页",
        "第 2 页 共 3 页",
        "第 3 页 共 3 页",
    ]
    assert canvas.pages_written == 6


def _case(colour: str, due: dt.date | None) -> CaseDetail:
    fields: dict[str, Any] = dict.fromkeys(CaseDetail.__dataclass_fields__)
    fields.update(colour=colour, due_date=due, day_date=dt.date(2026, 12, 4))
    return CaseDetail(**fields)


@pytest.mark.parametrize("colour", list(Colour))
def test_deadline_text_is_the_domain_text_or_the_stored_working_day_date(colour: Colour) -> None:
    day = dt.date(2026, 12, 4)  # a Friday
    assert deadline_text(_case(colour.value, due_date(day, colour))) == f"{colour.label} {colour.days}日内反馈，" + (
        f"{due_date(day, colour):%Y}年{due_date(day, colour).month}月{due_date(day, colour).day}日前"
    )
    later = due_date(day, colour, Calendar.working())
    assert deadline_text(_case(colour.value, later)).startswith(f"{colour.label} {colour.days}个工作日内反馈")
