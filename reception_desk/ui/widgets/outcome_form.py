"""The room host's outcome form: request, leader's instruction, outcome, departments, colour with its deadline.

The form knows no database: the page gives it the day, the department choices and the batch (with its draft),
reads `data()` for the draft and `case_input()` for the case, and listens to `changed` and `save_requested`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain.deadlines import CALENDAR_DAYS, Calendar, Colour, due_text
from reception_desk.services.cases import CaseInput
from reception_desk.services.plan import DepartmentInfo
from reception_desk.services.repeats import EarlierCase
from reception_desk.services.room_queue import DepartmentChoices

OUTCOMES = ("resolved", "handed_over", "explained")
HANDED_OVER = "handed_over"
COLOURS = ("green", "yellow", "red")
ID_ROLE = Qt.ItemDataRole.UserRole + 1

FORM_STYLE = """
#outcomeForm QLabel[role="caption"] { color: #1f2329; font-weight: bold; }
#outcomeForm QLabel[role="hint"] { color: #7a828c; }
#formMessage { color: #b3261e; font-weight: bold; }
#dueLabel { color: #1f2329; font-weight: bold; }
#dueLabel[colour="green"] { color: #1b7f3b; }
#dueLabel[colour="yellow"] { color: #9a6700; }
#dueLabel[colour="red"] { color: #b3261e; }
#colourGreen { color: #1b7f3b; font-weight: bold; }
#colourYellow { color: #9a6700; font-weight: bold; }
#colourRed { color: #b3261e; font-weight: bold; }
#saveButton { background: #b3261e; color: white; font-size: 12pt; font-weight: bold; padding: 7px 26px;
              border-radius: 4px; border: none; }
#saveButton:disabled { background: #e3b6b2; color: #fbeeed; }
#saveButton:focus { border: 2px solid #5c130f; }
QListWidget#coList::item { padding: 1px 2px; }
"""


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "caption")
    return label


class OutcomeForm(QWidget):
    """What the room decided for the batch in session; `save_requested` fires on 保存 when the form is valid."""

    changed = Signal()  # the user edited something: time to save the draft
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outcomeForm")
        self.setStyleSheet(FORM_STYLE)
        self._batch_id: int | None = None
        self._registered_request = ""
        self._day: dt.date | None = None
        self._calendar: Calendar = CALENDAR_DAYS
        self._earlier: tuple[EarlierCase, ...] = ()
        self._choices: tuple[DepartmentInfo, ...] = ()
        self._default_ids: frozenset[int] = frozenset()
        self._by_name: dict[str, int] = {}
        self._filling = False  # programmatic changes are not the user's edits
        self._touched = False  # messages show only after the host edited something or tried to save

        self.request_edit = QPlainTextEdit()
        self.request_edit.setObjectName("requestEdit")
        self.request_edit.setTabChangesFocus(True)
        self.request_edit.setPlaceholderText(self.tr("来访人反映的问题（已按登记内容预填，可修改）"))
        self.instruction_edit = QPlainTextEdit()
        self.instruction_edit.setObjectName("instructionEdit")
        self.instruction_edit.setTabChangesFocus(True)
        self.instruction_edit.setPlaceholderText(
            self.tr("领导当场的意见或批示，如：请区人社局三日内核实欠薪情况并答复")
        )

        self.outcome_group = QButtonGroup(self)
        outcome_row = QHBoxLayout()
        labels = {"resolved": self.tr("当场解决"), "handed_over": self.tr("交办"), "explained": self.tr("解释说明")}
        names = {"resolved": "outcomeResolved", "handed_over": "outcomeHandedOver", "explained": "outcomeExplained"}
        self.outcome_buttons: dict[str, QRadioButton] = {}
        for index, code in enumerate(OUTCOMES):
            button = QRadioButton(labels[code])
            button.setObjectName(names[code])
            self.outcome_group.addButton(button, index)
            self.outcome_buttons[code] = button
            outcome_row.addWidget(button)
        outcome_row.addStretch(1)

        self.lead_combo = QComboBox()
        self.lead_combo.setObjectName("leadCombo")
        self.lead_combo.setEditable(True)
        self.lead_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.lead_combo.setMaxVisibleItems(16)
        lead_line = self.lead_combo.lineEdit()
        assert lead_line is not None  # an editable combo has one
        lead_line.setPlaceholderText(self.tr("输入或选择主办单位"))
        lead_line.setClearButtonEnabled(True)
        completer = QCompleter(self)
        completer.setModel(self.lead_combo.model())
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.lead_combo.setCompleter(completer)
        self.lead_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lead_combo.setMinimumContentsLength(14)

        self.co_filter = QLineEdit()
        self.co_filter.setObjectName("coFilter")
        self.co_filter.setPlaceholderText(self.tr("筛选协办单位"))
        self.co_filter.setClearButtonEnabled(True)
        self.co_list = QListWidget()
        self.co_list.setObjectName("coList")
        self.co_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.co_list.setMinimumHeight(110)
        self.co_summary = QLabel()
        self.co_summary.setObjectName("coSummary")
        self.co_summary.setWordWrap(True)
        self.co_summary.setProperty("role", "hint")

        self.colour_group = QButtonGroup(self)
        colour_row = QHBoxLayout()
        colour_labels = {"green": self.tr("绿色 1日"), "yellow": self.tr("黄色 3日"), "red": self.tr("红色 7日")}
        colour_names = {"green": "colourGreen", "yellow": "colourYellow", "red": "colourRed"}
        self.colour_buttons: dict[str, QRadioButton] = {}
        for index, code in enumerate(COLOURS):
            button = QRadioButton(colour_labels[code])
            button.setObjectName(colour_names[code])
            self.colour_group.addButton(button, index)
            self.colour_buttons[code] = button
            colour_row.addWidget(button)
        colour_row.addStretch(1)
        self.due_label = QLabel()
        self.due_label.setObjectName("dueLabel")
        self.due_label.setWordWrap(True)
        self.repeat_label = QLabel()
        self.repeat_label.setObjectName("repeatLabel")
        self.repeat_label.setWordWrap(True)
        self.repeat_label.setStyleSheet(
            "color: #8a1c14; background: #fdecea; border: 1px solid #f1b0a8; border-radius: 3px; padding: 4px 6px;"
        )
        self.repeat_label.setVisible(False)
        self.escalate_check = QCheckBox(self.tr("提级核查（原案件已办结，重复来访）"))
        self.escalate_check.setObjectName("escalateCheck")
        self.escalate_check.setStyleSheet("color: #8a1c14; font-weight: bold;")
        self.escalate_check.setVisible(False)

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.save_button = QPushButton(self.tr("保存 Ctrl+S"))
        self.save_button.setObjectName("saveButton")
        self.save_button.setToolTip(self.tr("保存接谈结果并生成案件编号（Ctrl+S）"))
        self.save_button.clicked.connect(self.request_save)

        self._build_layout(outcome_row, colour_row)
        self._connect()
        self.set_batch(None, "", None)

    def _build_layout(self, outcome_row: QHBoxLayout, colour_row: QHBoxLayout) -> None:
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(_caption(self.tr("诉求")))
        left.addWidget(self.request_edit, 2)
        left.addSpacing(6)
        self.instruction_caption = _caption(self.tr("领导意见 / 批示"))
        self.instruction_caption.setObjectName("instructionCaption")
        left.addWidget(self.instruction_caption)
        left.addWidget(self.instruction_edit, 3)

        right = QGridLayout()
        right.setHorizontalSpacing(10)
        right.setVerticalSpacing(6)
        right.addWidget(_caption(self.tr("处理结果")), 0, 0)
        right.addLayout(outcome_row, 0, 1)
        right.addWidget(_caption(self.tr("主办单位")), 1, 0)
        right.addWidget(self.lead_combo, 1, 1)
        right.addWidget(_caption(self.tr("协办单位")), 2, 0, Qt.AlignmentFlag.AlignTop)
        co_box = QVBoxLayout()
        co_box.setSpacing(3)
        co_box.addWidget(self.co_filter)
        co_box.addWidget(self.co_list, 1)
        co_box.addWidget(self.co_summary)
        right.addLayout(co_box, 2, 1)
        right.addWidget(_caption(self.tr("颜色分类")), 3, 0)
        right.addLayout(colour_row, 3, 1)
        right.addWidget(self.due_label, 4, 1)
        right.setRowStretch(2, 1)
        right.setColumnStretch(1, 1)

        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setStyleSheet("color: #e1e4e8;")
        columns.addWidget(line)
        columns.addLayout(right, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(self.repeat_label)
        outer.addWidget(self.escalate_check)
        outer.addLayout(columns, 1)
        outer.addLayout(bottom)

        self.setTabOrder(self.request_edit, self.instruction_edit)
        self.setTabOrder(self.instruction_edit, self.outcome_buttons["resolved"])
        self.setTabOrder(self.outcome_buttons["explained"], self.lead_combo)
        self.setTabOrder(self.lead_combo, self.co_filter)
        self.setTabOrder(self.co_filter, self.co_list)
        self.setTabOrder(self.co_list, self.colour_buttons["green"])
        self.setTabOrder(self.colour_buttons["red"], self.save_button)

    def _connect(self) -> None:
        self.request_edit.textChanged.connect(self._edited)
        self.instruction_edit.textChanged.connect(self._edited)
        self.outcome_group.idToggled.connect(self._toggled)
        self.colour_group.idToggled.connect(self._toggled)
        self.lead_combo.editTextChanged.connect(self._lead_changed)
        self.co_list.itemChanged.connect(self._co_changed)
        self.co_filter.textChanged.connect(self._filter_co)

    # ---- what the page gives the form ----

    @property
    def batch_id(self) -> int | None:
        """The batch the form is for (None: no batch in session, the form is disabled)."""
        return self._batch_id

    def set_day(self, date: dt.date, working_days: bool | Calendar) -> None:
        """The day's date and deadline rule (the office calendar, or True/False), for the due date shown."""
        self._day = date
        if isinstance(working_days, Calendar):
            self._calendar = working_days
        else:
            self._calendar = Calendar.working() if working_days else CALENDAR_DAYS
        self._update_due()

    def set_repeats(self, earlier: Sequence[EarlierCase]) -> None:
        """重复访: show the same people's earlier cases; a repeat of a closed case proposes 提级核查."""
        self._earlier = tuple(earlier)
        if not earlier:
            self.repeat_label.setVisible(False)
            self.escalate_check.setVisible(False)
            self.escalate_check.setChecked(False)
            return
        lines = [c.summary() for c in earlier[:3]]
        if len(earlier) > 3:
            lines.append(self.tr("……共 {0} 件").format(len(earlier)))
        self.repeat_label.setText(self.tr("重复访：此前已有案件") + "\n" + "\n".join(lines))
        self.repeat_label.setVisible(True)
        closed = earlier[0].closed
        self.escalate_check.setVisible(closed)
        self.escalate_check.setChecked(closed)  # proposed; the host confirms by saving or unticks it

    def set_departments(self, choices: DepartmentChoices) -> None:
        """The lead combo and co-department list: the theme's defaults first; keeps what was chosen."""
        ordered = choices.all
        if ordered == self._choices and frozenset(d.id for d in choices.defaults) == self._default_ids:
            return
        lead_text = self.lead_combo.currentText()
        co_ids = self.co_department_ids()
        self._choices = ordered
        self._default_ids = frozenset(d.id for d in choices.defaults)
        self._by_name = {}
        for dept in ordered:
            self._by_name.setdefault(dept.short_name, dept.id)
        for dept in ordered:
            self._by_name[dept.name] = dept.id  # full names win over short names
        with QSignalBlocker(self.lead_combo), QSignalBlocker(self.co_list):
            self.lead_combo.clear()
            for dept in choices.defaults:
                self.lead_combo.addItem(dept.name, dept.id)
            if choices.defaults and choices.others:
                self.lead_combo.insertSeparator(self.lead_combo.count())
            for dept in choices.others:
                self.lead_combo.addItem(dept.name, dept.id)
            self.lead_combo.setCurrentIndex(-1)
            self.lead_combo.setEditText(lead_text)
            self.co_list.clear()
            self._add_co_header(self.tr("常用单位") if choices.defaults else "")
            for dept in choices.defaults:
                self._add_co_item(dept, dept.id in co_ids)
            self._add_co_header(self.tr("其他单位") if choices.defaults else "")
            for dept in choices.others:
                self._add_co_item(dept, dept.id in co_ids)
        self._sync_co_with_lead()
        self._filter_co(self.co_filter.text())
        self._validate()

    def _add_co_header(self, text: str) -> None:
        if not text:
            return
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        item.setForeground(Qt.GlobalColor.darkGray)
        self.co_list.addItem(item)

    def _add_co_item(self, dept: DepartmentInfo, checked: bool) -> None:
        item = QListWidgetItem(dept.name)
        item.setData(ID_ROLE, dept.id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if dept.short_name and dept.short_name != dept.name:
            item.setToolTip(dept.short_name)
        self.co_list.addItem(item)

    def set_batch(self, batch_id: int | None, request: str, draft: dict[str, Any] | None) -> None:
        """Show the form for a batch: its registered request, or the saved draft; None empties and disables it."""
        self._batch_id = batch_id
        self._registered_request = request
        self._touched = False
        self.fill(draft or {"request": request, "outcome": HANDED_OVER})
        self.setEnabled(batch_id is not None)
        self._validate()

    def fill(self, data: dict[str, Any]) -> None:
        """Put a draft (as `data()` gives it) into the fields without counting it as an edit."""
        self._filling = True
        try:
            self.request_edit.setPlainText(str(data.get("request", self._registered_request) or ""))
            self.instruction_edit.setPlainText(str(data.get("instruction", "") or ""))
            self._check(self.outcome_group, self.outcome_buttons.get(str(data.get("outcome") or "")))
            lead_id = data.get("lead_department_id")
            index = self.lead_combo.findData(lead_id) if lead_id is not None else -1
            if index >= 0:
                self.lead_combo.setCurrentIndex(index)
            else:
                self.lead_combo.setCurrentIndex(-1)
                self.lead_combo.setEditText(str(data.get("lead_text", "") or ""))
            co_ids = {int(i) for i in data.get("co_department_ids") or []}
            self.co_filter.clear()
            for row in range(self.co_list.count()):
                item = self.co_list.item(row)
                if item.data(ID_ROLE) is not None:
                    checked = item.data(ID_ROLE) in co_ids
                    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self._check(self.colour_group, self.colour_buttons.get(str(data.get("colour") or "")))
            self._sync_co_with_lead()
        finally:
            self._filling = False
        self._update_due()
        self._update_co_summary()
        self._validate()

    def clear(self) -> None:
        """Empty and disable the form (after a case is saved)."""
        self.set_batch(None, "", None)

    def focus_first_field(self) -> None:
        """Put the cursor where the host types first: the leader's instruction."""
        self.instruction_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @staticmethod
    def _check(group: QButtonGroup, button: QRadioButton | None) -> None:
        group.setExclusive(False)
        for other in group.buttons():
            other.setChecked(other is button)
        group.setExclusive(True)

    # ---- what the form gives back ----

    def outcome(self) -> str | None:
        """resolved | handed_over | explained, or None."""
        index = self.outcome_group.checkedId()
        return OUTCOMES[index] if index >= 0 else None

    def colour(self) -> str | None:
        """green | yellow | red, or None."""
        index = self.colour_group.checkedId()
        return COLOURS[index] if index >= 0 else None

    def lead_department_id(self) -> int | None:
        """The chosen lead department (by its name or short name as typed), or None."""
        text = self.lead_combo.currentText().strip()
        return self._by_name.get(text) if text else None

    def co_department_ids(self) -> list[int]:
        """The checked co-departments in list order, never the lead."""
        lead = self.lead_department_id()
        ids = []
        for row in range(self.co_list.count()):
            item = self.co_list.item(row)
            dept_id = item.data(ID_ROLE)
            if dept_id is not None and item.checkState() == Qt.CheckState.Checked and dept_id != lead:
                ids.append(int(dept_id))
        return ids

    def data(self) -> dict[str, Any]:
        """Everything typed and chosen, as a draft (JSON-safe)."""
        return {
            "request": self.request_edit.toPlainText(),
            "instruction": self.instruction_edit.toPlainText(),
            "outcome": self.outcome(),
            "lead_department_id": self.lead_department_id(),
            "lead_text": self.lead_combo.currentText(),
            "co_department_ids": self.co_department_ids(),
            "colour": self.colour(),
        }

    def case_input(self) -> CaseInput:
        """The form as the service takes it."""
        return CaseInput(
            request=self.request_edit.toPlainText().strip(),
            instruction=self.instruction_edit.toPlainText().strip(),
            outcome=self.outcome() or HANDED_OVER,
            colour=self.colour(),
            lead_department_id=self.lead_department_id(),
            co_department_ids=self.co_department_ids(),
            repeat_of_case_id=self._earlier[0].case_id if self._earlier else None,
            escalate=bool(self._earlier) and self.escalate_check.isVisible() and self.escalate_check.isChecked(),
        )

    def problem(self) -> str:
        """Why the form cannot be saved yet ('' when it can)."""
        if self._batch_id is None:
            return self.tr("当前没有接谈中的批次。")
        if not self.request_edit.toPlainText().strip():
            return self.tr("请填写诉求。")
        outcome = self.outcome()
        if outcome is None:
            return self.tr("请选择处理结果。")
        if outcome == "resolved" and not self.instruction_edit.toPlainText().strip():
            return self.tr("当场解决须填写处理意见（领导意见 / 批示），写明是怎样解决的。")
        lead_text = self.lead_combo.currentText().strip()
        if lead_text and self.lead_department_id() is None:
            return self.tr("主办单位“{0}”不在单位目录中，请从列表中选择。").format(lead_text)
        if outcome == HANDED_OVER and self.lead_department_id() is None:
            return self.tr("交办须选择主办单位。")
        if outcome == HANDED_OVER and self.colour() is None:
            return self.tr("交办须选择颜色分类（绿色1日、黄色3日、红色7日反馈）。")
        if self.co_department_ids() and self.lead_department_id() is None:
            return self.tr("选择了协办单位时，须同时选择主办单位。")
        return ""

    def request_save(self) -> None:
        """Ask the page to save, when the form is complete; otherwise say what is missing."""
        if not self.isEnabled() or self._batch_id is None:
            return
        if self.problem():
            self._touched = True
            self._validate()
            return
        self.save_requested.emit()

    @property
    def touched(self) -> bool:
        """The host edited the form or tried to save it (from then on, what is missing is shown)."""
        return self._touched

    # ---- reacting to edits ----

    def _edited(self) -> None:
        if not self._filling:
            self._touched = True
        self._validate()
        if not self._filling:
            self.changed.emit()

    def _toggled(self, _index: int, checked: bool) -> None:
        if checked:
            self._update_due()
            self._edited()

    def _lead_changed(self, _text: str) -> None:
        self._sync_co_with_lead()
        self._update_co_summary()
        self._edited()

    def _co_changed(self, _item: QListWidgetItem) -> None:
        self._update_co_summary()
        self._edited()

    def _sync_co_with_lead(self) -> None:
        # the lead is never its own co-department: hide it from the list and drop its tick
        lead = self.lead_department_id()
        with QSignalBlocker(self.co_list):
            for row in range(self.co_list.count()):
                item = self.co_list.item(row)
                dept_id = item.data(ID_ROLE)
                if dept_id is None:
                    continue
                if dept_id == lead:
                    item.setCheckState(Qt.CheckState.Unchecked)
                item.setHidden(dept_id == lead or not self._matches_filter(item))
            self._hide_empty_headers()

    def _hide_empty_headers(self) -> None:
        # a section header shows only while the whole list shows and its section has a visible department
        filtering = bool(self.co_filter.text().strip())
        header: QListWidgetItem | None = None
        visible = False
        for row in range(self.co_list.count() + 1):
            item = self.co_list.item(row) if row < self.co_list.count() else None
            if item is None or item.data(ID_ROLE) is None:
                if header is not None:
                    header.setHidden(filtering or not visible)
                header, visible = item, False
            elif not item.isHidden():
                visible = True

    def _matches_filter(self, item: QListWidgetItem) -> bool:
        text = self.co_filter.text().strip().lower()
        return not text or text in item.text().lower() or text in (item.toolTip() or "").lower()

    def _filter_co(self, _text: str) -> None:
        self._sync_co_with_lead()

    def _update_co_summary(self) -> None:
        names = {d.id: d.name for d in self._choices}
        chosen = [names.get(i, "") for i in self.co_department_ids()]
        self.co_summary.setText(self.tr("已选：{0}").format("、".join(chosen)) if chosen else self.tr("未选协办单位"))

    def _update_due(self) -> None:
        colour = self.colour()
        if colour is None or self._day is None:
            self.due_label.setText(self.tr("选择颜色后显示反馈期限"))
            self.due_label.setProperty("colour", "")
        else:
            self.due_label.setText(due_text(self._day, Colour(colour), self._calendar))
            self.due_label.setProperty("colour", colour)
        self.due_label.style().unpolish(self.due_label)
        self.due_label.style().polish(self.due_label)

    def _validate(self) -> None:
        problem = self.problem() if self._batch_id is not None else ""
        # before the host has done anything the form is quiet: 保存 stays available and says what is missing
        self.message.setText(problem if self._touched else "")
        self.save_button.setEnabled(self._batch_id is not None and not (problem and self._touched))
        resolved = self.outcome() == "resolved"
        self.instruction_caption.setText(
            self.tr("处理意见（当场解决必填）") if resolved else self.tr("领导意见 / 批示")
        )
