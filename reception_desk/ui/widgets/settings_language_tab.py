"""设置 → 语言: the interface language and the office's time zone (办公时区).

A mixin of SettingsPage (it builds the tab's widgets on the page, so their names stay the page's).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import office_time
from reception_desk.ui.i18n import LANG_KEY
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.settings_common import hint

if TYPE_CHECKING:
    _Base = Page
else:
    _Base = object

# offered in the 办公时区 box (any IANA zone name may be typed)
ZONE_CHOICES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC")


class LanguageTabMixin(_Base):
    """(e) 语言: SettingsPage's language and office time zone tab."""

    def _build_language_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        box = QGroupBox(self.tr("界面语言"))
        inner = QVBoxLayout(box)
        self.language_group = QButtonGroup(self)
        self.zh_radio = QRadioButton("中文")
        self.zh_radio.setObjectName("languageZh")
        self.en_radio = QRadioButton("English")
        self.en_radio.setObjectName("languageEn")
        self.language_group.addButton(self.zh_radio, 0)
        self.language_group.addButton(self.en_radio, 1)
        saved = str(self.ctx.settings.value(LANG_KEY, "zh"))
        (self.en_radio if saved == "en" else self.zh_radio).setChecked(True)
        inner.addWidget(self.zh_radio)
        inner.addWidget(self.en_radio)
        self.language_message = QLabel()
        self.language_message.setObjectName("languageMessage")
        self.language_message.setProperty("role", "done")
        inner.addWidget(self.language_message)
        inner.addWidget(hint(self.tr("更改语言后，下次启动接访台时生效。")))
        layout.addWidget(box)
        layout.addWidget(self._build_zone_box())
        line = QFrame()
        line.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(line, 1)
        self.language_group.idToggled.connect(self._language_chosen)
        return tab

    def _build_zone_box(self) -> QGroupBox:
        """办公时区: the zone every time is shown and printed in (CLI and app read the same setting)."""
        box = QGroupBox(self.tr("办公时区"))
        row = QHBoxLayout(box)
        self.zone_edit = QComboBox()
        self.zone_edit.setObjectName("officeZone")
        self.zone_edit.setEditable(True)
        self.zone_edit.addItems(list(ZONE_CHOICES))
        self.zone_edit.setCurrentText(office_time.zone().key)
        self.zone_edit.setMinimumWidth(220)
        save = QPushButton(self.tr("保存时区"))
        save.setObjectName("saveZoneButton")
        save.clicked.connect(self._save_zone)
        self.zone_message = QLabel()
        self.zone_message.setObjectName("zoneMessage")
        self.zone_message.setWordWrap(True)
        row.addWidget(self.zone_edit)
        row.addWidget(save)
        row.addWidget(self.zone_message, 1)
        return box

    def _save_zone(self) -> None:
        name = self.zone_edit.currentText().strip()
        try:
            chosen = office_time.save_zone(name)
        except ValueError:
            self.zone_message.setProperty("role", "")
            self.zone_message.setText(self.tr("未知的时区“{0}”，请填写如 Asia/Shanghai 的时区名称。").format(name))
            return
        except OSError as exc:
            self.zone_message.setProperty("role", "")
            self.zone_message.setText(self.tr("无法保存时区：{0}").format(exc))
            return
        self.zone_message.setProperty("role", "done")
        text = self.tr("已保存：显示和打印的时间按 {0}。").format(chosen.key)
        if os.environ.get(office_time.ZONE_ENV):
            text += self.tr("（环境变量 {0} 已设置，以它为准。）").format(office_time.ZONE_ENV)
        self.zone_message.setText(text)
        self.zone_message.style().polish(self.zone_message)

    def _language_chosen(self, button_id: int, checked: bool) -> None:
        if not checked:
            return
        lang = "en" if button_id == 1 else "zh"
        self.ctx.settings.setValue(LANG_KEY, lang)
        self.ctx.settings.sync()
        self.language_message.setText(self.tr("已保存，下次启动时生效。"))
