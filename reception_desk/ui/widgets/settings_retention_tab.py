"""设置 → 数据保留: how many years after closing a visitor's personal data is kept, whether the number hashes stay,
and how many people are due now (立即处理…).

A mixin of SettingsPage (it builds the tab's widgets on the page, so their names stay the page's). The tab loads
when it is first shown; every read and write runs on the database thread. Only an admin may change anything (the
service checks again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reception_desk.services import retention
from reception_desk.ui import roles_view
from reception_desk.ui.errors import show_error
from reception_desk.ui.pages.base import Page
from reception_desk.ui.widgets.retention_notice import confirm_and_apply, done_text, may_apply
from reception_desk.ui.widgets.settings_common import hint

if TYPE_CHECKING:
    _Base = Page
else:
    _Base = object


class RetentionTabMixin(_Base):
    """数据保留: SettingsPage's retention policy tab and its handlers."""

    tabs: QTabWidget  # the page's tab widget

    def _build_retention_tab(self) -> QWidget:
        tab = QWidget()
        self.retention_tab = tab
        self._retention_loaded = False
        self._retention_pending = 0
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(16, 12, 16, 12)
        box = QGroupBox(self.tr("数据保留"))
        form = QFormLayout(box)
        self.retention_years = QSpinBox()
        self.retention_years.setObjectName("retentionYears")
        self.retention_years.setRange(0, retention.MAX_YEARS)
        self.retention_years.setValue(retention.DEFAULT_YEARS)
        self.retention_years.setSuffix(self.tr(" 年"))
        self.retention_years.setSpecialValueText(self.tr("永久保留"))
        self.retention_years.setMaximumWidth(160)
        self.retention_keep_hashes = QCheckBox(
            self.tr("化名后保留身份证号和电话的校验值（可识别重复访，不能还原号码）")
        )
        self.retention_keep_hashes.setObjectName("retentionKeepHashes")
        self.save_retention_button = QPushButton(self.tr("保存保留规则"))
        self.save_retention_button.setObjectName("saveRetentionButton")
        self.save_retention_button.setProperty("role", "primary")
        self.save_retention_button.clicked.connect(lambda: self.spawn(self.save_retention()))
        self.retention_message = QLabel()
        self.retention_message.setObjectName("retentionMessage")
        self.retention_message.setProperty("role", "done")
        self.retention_message.setWordWrap(True)
        form.addRow(self.tr("结案后保留"), self.retention_years)
        form.addRow("", self.retention_keep_hashes)
        form.addRow("", self.save_retention_button)
        form.addRow("", self.retention_message)
        form.addRow(
            "",
            hint(
                self.tr(
                    "到期的来访人（其全部批次的案件均已办结且办结已满保留年限）姓名改为“某某”，身份证号和电话删除；"
                    "案件内容、乡镇村和统计数据保持不变。设为 0 表示永久保留。每次处理都记入操作日志。"
                )
            ),
        )
        layout.addWidget(box)

        due = QGroupBox(self.tr("到期人员"))
        row = QHBoxLayout(due)
        self.retention_status = QLabel(self.tr("正在统计…"))
        self.retention_status.setObjectName("retentionStatus")
        self.retention_status.setWordWrap(True)
        self.retention_apply_button = QPushButton(self.tr("立即处理…"))
        self.retention_apply_button.setObjectName("retentionApplyNow")
        self.retention_apply_button.setEnabled(False)
        self.retention_apply_button.clicked.connect(lambda: self.spawn(self.apply_retention()))
        row.addWidget(self.retention_status, 1)
        row.addWidget(self.retention_apply_button)
        layout.addWidget(due)
        layout.addStretch(1)
        if not may_apply(self.ctx):
            for widget in (
                self.retention_years,
                self.retention_keep_hashes,
                self.save_retention_button,
                self.retention_apply_button,
            ):
                roles_view.forbid(widget)
        return tab

    def _retention_tab_shown(self, index: int) -> None:
        """Load the tab the first time it is shown (connected by the page to its tab widget)."""
        if not self._retention_loaded and self.tabs.widget(index) is self.retention_tab:
            self._retention_loaded = True
            self.spawn(self.load_retention())

    async def load_retention(self) -> None:
        """The saved policy and how many people are due today."""
        try:
            current = await self.ctx.read(retention.policy, self.ctx.db)
        except Exception as exc:
            show_error(self, exc)
            return
        self.retention_years.setValue(current.years)
        self.retention_keep_hashes.setChecked(current.keep_hashes)
        await self._show_due()

    async def _show_due(self) -> None:
        try:
            found = await self.ctx.read(retention.preview, self.ctx.db)
        except Exception as exc:
            show_error(self, exc)
            return
        self._retention_pending = found.people
        if found.cutoff is None:
            self.retention_status.setText(self.tr("永久保留：不做化名处理。"))
        elif found.people:
            self.retention_status.setText(
                self.tr("有 {0} 人的个人信息已到期（{1} 之前办结，涉及 {2} 批、{3} 件）。").format(
                    found.people, found.cutoff.isoformat(), found.batches, found.cases
                )
            )
        else:
            self.retention_status.setText(
                self.tr("没有到期的人员（{0} 之前办结的均已处理）。").format(found.cutoff.isoformat())
            )
        if may_apply(self.ctx):
            self.retention_apply_button.setEnabled(found.people > 0)

    async def save_retention(self) -> None:
        """保存保留规则 (admin); the due count follows the new rule."""
        years, keep = self.retention_years.value(), self.retention_keep_hashes.isChecked()
        self.save_retention_button.setEnabled(False)
        try:
            saved = await self.ctx.write(retention.set_policy, self.ctx.db, self.ctx.actor, years, keep)
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            self.save_retention_button.setEnabled(True)
        if saved.enabled:
            self.retention_message.setText(self.tr("已保存：结案满 {0} 年后化名处理。").format(saved.years))
        else:
            self.retention_message.setText(self.tr("已保存：永久保留。"))
        await self._show_due()

    async def apply_retention(self) -> None:
        """立即处理…: confirm (取消 is the default), then pseudonymise the people due."""
        self.retention_apply_button.setEnabled(False)
        result = await confirm_and_apply(self, self.ctx, self._retention_pending)
        if result is not None:
            self.retention_message.setText(done_text(result))
        await self._show_due()
