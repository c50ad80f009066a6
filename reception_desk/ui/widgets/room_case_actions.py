"""接待室's cases: the banner of the case just saved, the print bar (the room's cases, 打印交办单, the receipts)
and 更正案件 of the chosen case. A part of RoomHostPage, kept apart as one job."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from reception_desk.services import plan
from reception_desk.services.cases import CaseDetail, case_detail
from reception_desk.ui.dialogs.case_correction_dialog import CaseCorrectionDialog
from reception_desk.ui.errors import show_error
from reception_desk.ui.pages.base import Page
from reception_desk.ui.printing import jobs
from reception_desk.ui.widgets.laptop_fit import BarLayout


def outcome_labels() -> dict[str, str]:
    """The outcomes as the host reads them (translated)."""
    return {
        "resolved": QCoreApplication.translate("RoomHostPage", "当场解决"),
        "handed_over": QCoreApplication.translate("RoomHostPage", "交办"),
        "explained": QCoreApplication.translate("RoomHostPage", "解释说明"),
    }


class RoomCaseActions(Page):
    """The saved-case banner, the print bar and case corrections of RoomHostPage (which sets up the printer and
    the two dicts below in its __init__ and knows the chosen room)."""

    printer: jobs.PrintRunner
    _print_cases: dict[str, str]  # case number → outcome, of the chosen room's cases
    _print_pick: str | None  # the case just saved: chosen for printing once listed

    room_combo: QComboBox  # the page's room chooser

    def current_room_id(self) -> int | None:
        """The id of the chosen room on the current day, or None."""
        data = self.room_combo.currentData()
        return int(data) if data is not None else None

    def _build_case_banner(self) -> QWidget:
        self.case_banner = QFrame()
        self.case_banner.setObjectName("caseBanner")
        banner = QVBoxLayout(self.case_banner)
        banner.setContentsMargins(12, 6, 12, 6)
        banner.setSpacing(2)
        self.case_number_label = QLabel()
        self.case_number_label.setObjectName("caseNumber")
        self.case_number_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # outcome and due date never wrap (a date cut into "12月 / 2日" was misread); a long lead name may
        self.case_info_label = QLabel()
        self.case_info_label.setObjectName("caseInfo")
        self.case_due_label = QLabel()
        self.case_due_label.setObjectName("caseDue")
        self.case_lead_label = QLabel()
        self.case_lead_label.setObjectName("caseLead")
        self.case_lead_label.setWordWrap(True)
        info = QHBoxLayout()
        info.setSpacing(14)
        info.addWidget(self.case_info_label)
        info.addWidget(self.case_due_label)
        info.addWidget(self.case_lead_label, 1)
        banner.addWidget(self.case_number_label)
        banner.addLayout(info)
        self.case_banner.hide()
        return self.case_banner

    def _build_print_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("printBar")
        # the picker shows its whole line (case number, visitor, outcome); when the buttons do not fit beside it
        # (English, a 1280-pixel laptop) they go on a second line instead of cutting the picker's text
        row = BarLayout(bar, spacing=6)
        caption = QLabel(self.tr("打印本室案件："))
        caption.setProperty("role", "muted")
        self.print_case_combo = QComboBox()
        self.print_case_combo.setObjectName("printCaseCombo")
        self.print_case_combo.setMinimumContentsLength(24)
        self.print_case_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.print_case_combo.currentIndexChanged.connect(lambda _i: self._update_print_actions())
        self.print_slip_button = QPushButton(self.tr("打印交办单  Ctrl+P"))
        self.print_slip_button.setObjectName("printSlipButton")
        self.print_slip_button.clicked.connect(lambda: self.spawn(self.print_slip()))
        self.print_receipt_button = QPushButton(self.tr("打印回执(A4)"))
        self.print_receipt_button.setObjectName("printReceiptButton")
        self.print_receipt_button.setToolTip(self.tr("A4 受理回执单：来访人联和存根联"))
        self.print_receipt_button.clicked.connect(lambda: self.spawn(self.print_receipt(thermal=False)))
        self.print_thermal_button = QPushButton(self.tr("回执(80mm)"))
        self.print_thermal_button.setObjectName("printThermalButton")
        self.print_thermal_button.setToolTip(self.tr("80 毫米热敏小票打印机用的受理回执"))
        self.print_thermal_button.clicked.connect(lambda: self.spawn(self.print_receipt(thermal=True)))
        row.add(caption, "lead")
        row.add(self.print_case_combo, "stretch")
        self.correct_case_button = QPushButton(self.tr("更正案件"))
        self.correct_case_button.setObjectName("correctCaseButton")
        self.correct_case_button.setToolTip(self.tr("更正所选案件的诉求、意见、处理结果、颜色或主办单位"))
        self.correct_case_button.clicked.connect(lambda: self.spawn(self.correct_case()))
        row.add(self.correct_case_button, "trailing")
        row.add(self.print_slip_button, "trailing")
        row.add(self.print_receipt_button, "trailing")
        row.add(self.print_thermal_button, "trailing")
        self.print_bar = bar
        policy = bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        bar.setSizePolicy(policy)
        bar.hide()
        return bar

    def _show_case(self, case_no: str, outcome: str, lead: str, colour: str | None, due: Any) -> None:
        self.case_number_label.setText(self.tr("已生成案件 {0}").format(case_no))
        self.case_info_label.setText(outcome_labels().get(outcome, outcome))
        due_text = self.tr("反馈期限：{0}年{1}月{2}日").format(due.year, due.month, due.day) if due is not None else ""
        self.case_due_label.setText(due_text)
        self.case_due_label.setVisible(bool(due_text))
        self.case_lead_label.setText(self.tr("主办：{0}").format(lead) if lead else "")
        self.case_banner.setProperty("colour", colour or "")
        self.case_banner.show()
        self.last_case_no = case_no
        self._print_pick = case_no
        self._pick_print_case()

    last_case_no: str = ""

    # ---- printing ----

    def _show_print_cases(self, cases: list[CaseDetail]) -> None:
        """List the room's cases for printing, newest first; keep the chosen one (or take the one just saved)."""
        keep = self.print_case_no()
        outcomes = outcome_labels()
        newest_first = sorted(cases, key=lambda c: c.case_no, reverse=True)
        self._print_cases = {c.case_no: c.outcome for c in newest_first}
        self._case_ids = {c.case_no: c.case_id for c in newest_first}
        combo = self.print_case_combo
        combo.blockSignals(True)
        try:
            combo.clear()
            for case in newest_first:
                label = f"{case.case_no}  {case.visitor_name} · {outcomes.get(case.outcome, case.outcome)}"
                combo.addItem(label, case.case_no)
            index = combo.findData(keep) if keep else -1
            combo.setCurrentIndex(index if index >= 0 else (0 if newest_first else -1))
        finally:
            combo.blockSignals(False)
        self._pick_print_case()
        self.print_bar.setVisible(self.current_room_id() is not None and bool(newest_first))
        self._update_print_actions()

    def _pick_print_case(self) -> None:
        """Choose the case just saved for printing, once the list holds it."""
        if self._print_pick is None:
            return
        index = self.print_case_combo.findData(self._print_pick)
        if index >= 0:
            self.print_case_combo.setCurrentIndex(index)
            self._print_pick = None

    def print_case_no(self) -> str | None:
        """The case chosen for printing (by default the room's latest)."""
        value = self.print_case_combo.currentData()
        return str(value) if value else None

    def _update_print_actions(self) -> None:
        case_no = self.print_case_no()
        idle = case_no is not None and not self.printer.busy
        handed_over = self._print_cases.get(case_no or "") == "handed_over"
        self.print_slip_button.setEnabled(idle and handed_over)
        self.print_slip_button.setToolTip(
            self.tr("打印所选案件的交办单（Ctrl+P）")
            if handed_over or case_no is None
            else self.tr("当场解决或解释说明的案件不需要交办单")
        )
        self.print_receipt_button.setEnabled(idle)
        self.print_thermal_button.setEnabled(idle)

    active_correction: CaseCorrectionDialog | None = None  # the last correction dialog opened (tests look at it)
    _case_ids: dict[str, int] = {}  # case number → id, of the chosen room's cases

    async def correct_case(self) -> None:
        """更正案件: the chosen case in the correction dialog, read now (its version is the one the save sends)."""
        case_id = self._case_ids.get(self.print_case_no() or "")
        if case_id is None:
            return
        try:
            detail = await self.ctx.read(case_detail, self.ctx.db, case_id)
            departments = await self.ctx.read(plan.list_departments, self.ctx.db, True)
        except Exception as exc:
            show_error(self, exc)
            return
        dialog = CaseCorrectionDialog(self.ctx, detail, departments, self)
        dialog.saved.connect(lambda case_no: self.schedule_reload())
        self.active_correction = dialog
        dialog.open()

    async def print_slip(self) -> None:
        """打印交办单: the chosen case's slip in the preview."""
        case_no = self.print_case_no()
        if case_no is not None and self.print_slip_button.isEnabled():
            await self.printer.run(jobs.slip_job(self.ctx.db, case_no))

    async def print_receipt(self, thermal: bool) -> None:
        """打印回执: the chosen case's receipt (A4, or 80 mm) in the preview."""
        case_no = self.print_case_no()
        if case_no is not None and not self.printer.busy:
            await self.printer.run(jobs.receipt_job(self.ctx.db, case_no, thermal))
