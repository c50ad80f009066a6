"""The import wizard says what a bad input is: a folder, a FIFO, a header used twice, a stray quote."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from reception_desk.ui.context import AppContext
from reception_desk.ui.dialogs.import_wizard import ImportWizard
from reception_desk.ui.pages.registrations_page import RegistrationsPage

WAIT = 8000


@pytest.fixture
def wizard(qtbot: Any, app_ctx: AppContext) -> ImportWizard:
    """The import wizard opened from the 预登记 page."""
    page = RegistrationsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.reloaded, timeout=WAIT):
        page.schedule_reload()
    page.import_button.click()
    assert isinstance(page.active_wizard, ImportWizard)
    return page.active_wizard


def test_a_folder_is_called_a_folder(wizard: ImportWizard, tmp_path: Path) -> None:
    wizard.file_page.path.setText(str(tmp_path))
    assert "文件夹" in wizard.file_page.hint.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_a_regular_file(wizard: ImportWizard, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    wizard.file_page.path.setText(str(fifo))
    assert "不是普通文件" in wizard.file_page.hint.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_preview_names_a_header_used_twice_and_a_stray_quote(qtbot: Any, wizard: ImportWizard, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    lines = ["姓名,联系电话,反映问题及诉求,来访人姓名", "张一,13800000001,修路,", '张二,13800000002,"漏水,']
    lines += ["张三,13800000003,拖欠工资,", '张四,13800000004,征地"补偿,', "张五,13800000005,养殖场污染,"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard.file_page.path.setText(str(path))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)

    preview = wizard.preview_page
    qtbot.waitUntil(lambda: preview.model.rowCount() == 3, timeout=WAIT)
    assert "第 1 行：" in preview.counts.text() and "“姓名”出现了不止一次" in preview.counts.text()
    reasons = {
        preview.model.data(preview.model.index(r, 0)): preview.model.data(preview.model.index(r, 3)) for r in range(3)
    }
    assert "引号不配对" in reasons["3"] and "张三、张四" in reasons["3"]
