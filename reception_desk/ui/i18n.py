"""Chinese is the source language of the UI; English comes from Qt translations (.qm).

Qt's own words (file and print dialogs, context menus, message-box buttons) are English in Qt; under Chinese
the Qt translation shipped with PySide6 (qt_zh_CN.qm, which pulls in qtbase_zh_CN.qm) is installed as well.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from reception_desk.resources import resources_dir

LANG_KEY = "ui/language"
SUPPORTED = ("zh", "en")
QT_CATALOGUES = ("qt_zh_CN", "qtbase_zh_CN")  # the first found wins: qt_ loads qtbase_ and the other modules


def chosen_language(cli_lang: str | None, settings: QSettings) -> str:
    """--lang wins, then the saved setting, else Chinese."""
    if cli_lang in SUPPORTED:
        return cli_lang
    saved = settings.value(LANG_KEY, "zh")
    return saved if saved in SUPPORTED else "zh"


def qt_translation_dirs() -> list[Path]:
    """Where Qt's own Chinese may be: PySide6's translations, then a copy shipped in our resources."""
    return [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), resources_dir() / "translations"]


def _load_qt_chinese(app: QCoreApplication) -> QTranslator | None:
    for folder in qt_translation_dirs():
        for name in QT_CATALOGUES:
            translator = QTranslator(app)
            if translator.load(name, str(folder)):
                return translator
            translator.deleteLater()
    return None


def install_translator(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install the translations of `lang` (ours for English, Qt's own for Chinese); returns them, installed."""
    translators: list[QTranslator] = []
    if lang == "zh":
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        qt_chinese = _load_qt_chinese(app)
        if qt_chinese is not None:
            translators.append(qt_chinese)
    else:
        ours = QTranslator(app)
        if ours.load(str(resources_dir() / "translations" / f"reception_desk_{lang}.qm")):
            translators.append(ours)
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    for translator in translators:
        app.installTranslator(translator)
    return translators


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Take translations installed by install_translator out again (a language switch, a test)."""
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
