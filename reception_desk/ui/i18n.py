"""Chinese is the source language of the UI; English comes from Qt translations (.qm)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from reception_desk.resources import resources_dir

LANG_KEY = "ui/language"
SUPPORTED = ("zh", "en")


def chosen_language(cli_lang: str | None, settings: QSettings) -> str:
    """--lang wins, then the saved setting, else Chinese."""
    if cli_lang in SUPPORTED:
        return cli_lang
    saved = settings.value(LANG_KEY, "zh")
    return saved if saved in SUPPORTED else "zh"


def install_translator(app: QCoreApplication, lang: str) -> QTranslator | None:
    """Load the English translation when asked; keep the returned translator alive."""
    if lang == "zh":
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        return None
    translator = QTranslator(app)
    if translator.load(str(resources_dir() / "translations" / f"reception_desk_{lang}.qm")):
        app.installTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        return translator
    return None
