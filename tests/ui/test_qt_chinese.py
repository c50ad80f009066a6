"""Qt's own words (file dialog, message-box buttons, a text box's context menu) follow the UI language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit, QMessageBox, QPushButton

from reception_desk.ui.i18n import install_translator, remove_translators


@pytest.fixture
def language(qapp: Any) -> Iterator[Any]:
    """Install a language's translations for one test; take them out again at its end."""
    installed: list[Any] = []

    def use(lang: str) -> None:
        remove_translators(qapp, installed)
        installed[:] = install_translator(qapp, lang)

    yield use
    remove_translators(qapp, installed)


def _file_dialog_buttons(qtbot: Any, mode: QFileDialog.AcceptMode) -> list[str]:
    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own widgets, on every desktop
    dialog.setAcceptMode(mode)
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return [button.text().replace("&", "") for button in box.findChildren(QPushButton)]


def _message_box_buttons(qtbot: Any) -> list[str]:
    box = QMessageBox()
    box.setStandardButtons(
        QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel | QMessageBox.StandardButton.Yes
    )
    qtbot.addWidget(box)
    return [button.text().replace("&", "") for button in box.buttons()]


def _context_menu(qtbot: Any) -> list[str]:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    assert menu is not None
    texts = [action.text().split("\t")[0].replace("&", "") for action in menu.actions() if action.text()]
    menu.deleteLater()
    return texts


def test_file_dialog_buttons_are_chinese_under_zh(qtbot: Any, language: Any) -> None:
    language("zh")
    assert set(_file_dialog_buttons(qtbot, QFileDialog.AcceptMode.AcceptOpen)) == {"打开(O)", "取消"}
    assert set(_file_dialog_buttons(qtbot, QFileDialog.AcceptMode.AcceptSave)) == {"保存(S)", "取消"}


def test_file_dialog_buttons_are_english_under_en(qtbot: Any, language: Any) -> None:
    language("zh")
    language("en")  # a switch takes Qt's Chinese out again
    assert set(_file_dialog_buttons(qtbot, QFileDialog.AcceptMode.AcceptOpen)) == {"Open", "Cancel"}


def test_message_box_buttons_and_context_menu_follow_the_language(qtbot: Any, language: Any) -> None:
    language("zh")
    assert _message_box_buttons(qtbot) == ["确定", "取消", "是(Y)"]
    menu = _context_menu(qtbot)
    assert "复制(C)" in menu and "粘贴(P)" in menu and "全选" in menu
    language("en")
    assert _message_box_buttons(qtbot) == ["OK", "Cancel", "Yes"]
    assert "Copy" in _context_menu(qtbot)


def test_print_dialog_is_chinese_under_zh(qtbot: Any, language: Any) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    language("zh")
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    texts = {button.text().replace("&", "") for button in dialog.findChildren(QPushButton)}
    assert dialog.windowTitle() == "打印"
    assert {"打印(P)", "取消"} <= texts
