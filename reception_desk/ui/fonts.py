"""Register the shipped CJK font so Chinese renders on a bare Linux machine."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from reception_desk.resources import MAIN_FONT, font_path

log = logging.getLogger(__name__)
UI_POINT_SIZE = 10


def register_fonts(app: QApplication) -> str:
    """Add the shipped font, make it the application font; returns its family name."""
    font_id = QFontDatabase.addApplicationFont(str(font_path(MAIN_FONT)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.error("could not load the shipped font %s", font_path(MAIN_FONT))
        return app.font().family()
    family = families[0]
    font = QFont(family, UI_POINT_SIZE)
    app.setFont(font)
    return family
