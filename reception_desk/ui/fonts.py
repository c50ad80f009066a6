"""Register the shipped CJK fonts so Chinese renders on a bare Linux machine, rare characters included."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from reception_desk.resources import MAIN_FONT, font_path

log = logging.getLogger(__name__)
UI_POINT_SIZE = 10
# WenQuanYi lacks CJK Extension A (䶮) and B (𠮷): Hanazono fills in, tried in this order for each character
# (HanaMinB only for the Extension B-F characters of names and 《通用规范汉字表》: scripts/subset_fonts.py).
FALLBACK_FONTS = ("HanaMinA-subset.ttf", "HanaMinB-subset.ttf")


def _add(file: str) -> str | None:
    font_id = QFontDatabase.addApplicationFont(str(font_path(file)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("could not load the shipped font %s", font_path(file))
        return None
    return str(families[0])


def register_fonts(app: QApplication) -> str:
    """Add the shipped fonts and make them the application font (with fallbacks); returns the main family."""
    main = _add(MAIN_FONT)
    if main is None:
        return app.font().family()
    families = [main, *(f for f in (_add(file) for file in FALLBACK_FONTS) if f)]
    font = QFont(main, UI_POINT_SIZE)
    font.setFamilies(families)
    app.setFont(font)
    return main
