"""The forms of a case's steps after the day: 签收, 反馈, 办结, 回访, 延期, 挂牌督办, 提级核查, one tab each.

The widget only collects input and says whether it is complete; the case dialog sends the chosen step to the
service, which decides whether the step may be taken now (and says why not, in Chinese). A step out of order is
not hidden: its tab shows the reason the domain gives, so the user sees what to do first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import office_time
from reception_desk.domain.case_life import METHODS, RATINGS, CaseStatus, next_step, refusal
from reception_desk.domain.names import clean_text
from reception_desk.services import case_life
from reception_desk.ui.models.tracking_model import word

LIFE_STEPS = ("sign", "feedback", "close", "follow_up")
ALL_STEPS = (*LIFE_STEPS, "extend", "supervise", "escalate")
HINT_STYLE = {"next": "color: #1e7d32; font-weight: bold;", "refused": "color: #b45309;", "other": "color: #5f6670;"}


@dataclass(frozen=True)
class CaseState:
    """What the forms need to know of the case: its state, due date and whether it may be escalated."""

    case_no: str
    status: str
    outcome: str
    followed_up: bool
    due_date: dt.date | None
    supervised: bool
    can_escalate: bool


@dataclass(frozen=True)
class StepCall:
    """A service call for the chosen step: the function and its arguments after (db, case_id)."""

    step: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class CaseStepForm(QTabWidget):
    """One tab per step; `changed` fires when the input or the tab changes (the dialog re-checks its save button)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseStepForm")
        self.state: CaseState | None = None
        self.today = office_time.today()
        self.hints: dict[str, QLabel] = {}
        self.pages: dict[str, QWidget] = {}
        self._titles = {
            "sign": self.tr("签收"),
            "feedback": self.tr("反馈"),
            "close": self.tr("办结"),
            "follow_up": self.tr("回访"),
            "extend": self.tr("延期"),
            "supervise": self.tr("挂牌督办"),
            "escalate": self.tr("提级核查"),
        }
        self._build_sign()
        self._build_feedback()
        self._build_close()
        self._build_follow_up()
        self._build_extend()
        self._build_supervise()
        self._build_escalate()
        self.currentChanged.connect(lambda _i: self.changed.emit())

    # --- building --------------------------------------------------------------------------------------------

    def _page(self, step: str) -> QFormLayout:
        page = QWidget()
        page.setObjectName(f"step_{step}")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(10, 10, 10, 10)
        hint = QLabel()
        hint.setObjectName(f"hint_{step}")
        hint.setWordWrap(True)
        outer.addWidget(hint)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        outer.addLayout(form)
        outer.addStretch(1)
        self.hints[step] = hint
        self.pages[step] = page
        return form

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(lambda _t: self.changed.emit())
        return edit

    def _text(self, name: str, placeholder: str = "") -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setMinimumHeight(70)
        edit.textChanged.connect(self.changed.emit)
        return edit

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.dateChanged.connect(lambda _d: self.changed.emit())
        return edit

    def _choices(self, name: str, labels: dict[str, str]) -> tuple[QButtonGroup, dict[str, QRadioButton]]:
        group = QButtonGroup(self)
        group.setObjectName(name)
        buttons: dict[str, QRadioButton] = {}
        for key, label in labels.items():
            button = QRadioButton(label)
            button.setObjectName(f"{name}_{key}")
            group.addButton(button)
            buttons[key] = button
        group.buttonToggled.connect(lambda _b, _c: self.changed.emit())
        return group, buttons

    @staticmethod
    def _row(buttons: dict[str, QRadioButton]) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _build_sign(self) -> None:
        form = self._page("sign")
        self.sign_by = self._line("signBy", self.tr("责任单位签收人姓名"))
        form.addRow(self.tr("签收人"), self.sign_by)

    def _build_feedback(self) -> None:
        form = self._page("feedback")
        self.feedback_text = self._text("feedbackText", self.tr("责任单位报告的办理情况"))
        self.feedback_by = self._line("feedbackBy", self.tr("可不填（默认为操作人）"))
        form.addRow(self.tr("反馈内容"), self.feedback_text)
        form.addRow(self.tr("反馈人"), self.feedback_by)

    def _build_close(self) -> None:
        form = self._page("close")
        # no default: whether the matter was really resolved counts in the 化解率, so it is always chosen
        self.resolved_group, self.resolved_buttons = self._choices(
            "resolved", {"yes": self.tr("是，已化解"), "no": self.tr("否，未化解")}
        )
        self.close_text = self._text("closeText", self.tr("办结情况说明（可不填）"))
        form.addRow(self.tr("化解"), self._row(self.resolved_buttons))
        form.addRow(self.tr("说明"), self.close_text)

    def _build_follow_up(self) -> None:
        form = self._page("follow_up")
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("followMethod")
        for key, label in METHODS.items():
            self.method_combo.addItem(word(label), key)
        self.rating_group, self.rating_buttons = self._choices(
            "rating", {key: word(label) for key, label in RATINGS.items()}
        )
        self.follow_text = self._text("followText", self.tr("来访人的意见（可不填）"))
        form.addRow(self.tr("方式"), self.method_combo)
        form.addRow(self.tr("结果"), self._row(self.rating_buttons))
        form.addRow(self.tr("记录"), self.follow_text)

    def _build_extend(self) -> None:
        form = self._page("extend")
        self.extend_date = self._date("extendDate")
        self.extend_reason = self._text("extendReason", self.tr("延期理由"))
        self.extend_approver = self._line("extendApprover", self.tr("批准人（可不填，默认为操作人）"))
        form.addRow(self.tr("新期限"), self.extend_date)
        form.addRow(self.tr("理由"), self.extend_reason)
        form.addRow(self.tr("批准人"), self.extend_approver)

    def _build_supervise(self) -> None:
        form = self._page("supervise")
        self.supervise_reason = self._text("superviseReason", self.tr("督办理由"))
        self.supervise_has_until = QCheckBox(self.tr("设督办期限"))
        self.supervise_has_until.setObjectName("superviseHasUntil")
        self.supervise_has_until.setChecked(True)
        self.supervise_until = self._date("superviseUntil")
        self.supervise_has_until.toggled.connect(self.supervise_until.setEnabled)
        self.supervise_has_until.toggled.connect(lambda _c: self.changed.emit())
        row = QHBoxLayout()
        row.addWidget(self.supervise_has_until)
        row.addWidget(self.supervise_until, 1)
        form.addRow(self.tr("理由"), self.supervise_reason)
        form.addRow(self.tr("督办期限"), row)

    def _build_escalate(self) -> None:
        form = self._page("escalate")
        self.escalate_reason = self._text("escalateReason", self.tr("可不填（默认说明原案件已办结）"))
        form.addRow(self.tr("说明"), self.escalate_reason)

    # --- state -----------------------------------------------------------------------------------------------

    def set_case(self, state: CaseState, today: dt.date) -> None:
        """Show the tabs that apply to the case, each with its hint; the next step's tab is chosen."""
        changed_case = self.state is None or self.state.case_no != state.case_no
        self.state, self.today = state, today
        steps = list(LIFE_STEPS)
        closed = state.status == CaseStatus.CLOSED.value
        if not closed:
            steps += ["extend"]
            if not state.supervised:
                steps += ["supervise"]
        if state.can_escalate:
            steps += ["escalate"]
        self.blockSignals(True)
        while self.count():
            self.removeTab(0)
        for step in steps:
            self.addTab(self.pages[step], self._titles[step])
            self._hint(step, state)
        self.blockSignals(False)
        if changed_case:
            self._set_defaults(state, today)
        self.choose(self.next_step())
        self.changed.emit()

    def next_step(self) -> str:
        """The step the case's life expects next (follow-up again once asked: a new call may reach them)."""
        state = self.state
        if state is None:
            return "sign"
        return next_step(CaseStatus(state.status), state.outcome, state.followed_up) or "follow_up"

    def _hint(self, step: str, state: CaseState) -> None:
        hint = self.hints[step]
        why = refusal(step, CaseStatus(state.status), state.outcome, state.case_no) if step in LIFE_STEPS else None
        if why:
            hint.setText(self.tr("当前不能办理：{0}").format(why))
            hint.setStyleSheet(HINT_STYLE["refused"])
        elif step == self.next_step():
            hint.setText(self.tr("下一步：{0}").format(self._titles[step]))
            hint.setStyleSheet(HINT_STYLE["next"])
        else:
            notes = {
                "feedback": self.tr("可多次反馈；办结前均可追加。"),
                "follow_up": self.tr("可再次回访，以最近一次的结果为准。"),
                "extend": self.tr("延期后的期限须晚于现期限，原期限保留在记录中。"),
                "supervise": self.tr("由局领导挂牌督办，督办案件在各列表中突出显示。"),
                "escalate": self.tr("该来访人就已办结的案件再次来访：提级核查。"),
            }
            hint.setText(notes.get(step, ""))
            hint.setStyleSheet(HINT_STYLE["other"])

    def _set_defaults(self, state: CaseState, today: dt.date) -> None:
        for edit in (self.sign_by, self.feedback_by, self.extend_approver):
            edit.clear()
        for text in (self.feedback_text, self.close_text, self.follow_text, self.extend_reason):
            text.clear()
        for text in (self.supervise_reason, self.escalate_reason):
            text.clear()
        self._clear_choice(self.resolved_group)
        self._clear_choice(self.rating_group)
        self.method_combo.setCurrentIndex(0)
        base = max(state.due_date or today, today)
        self.extend_date.setMinimumDate(_qdate(base + dt.timedelta(days=1)))
        self.extend_date.setDate(_qdate(base + dt.timedelta(days=3)))
        self.supervise_until.setMinimumDate(_qdate(today))
        self.supervise_until.setDate(_qdate(today + dt.timedelta(days=7)))

    @staticmethod
    def _clear_choice(group: QButtonGroup) -> None:
        group.setExclusive(False)
        for button in group.buttons():
            button.setChecked(False)
        group.setExclusive(True)

    def clear_step(self, step: str) -> None:
        """Empty a step's form after it was saved (the next feedback starts blank)."""
        if self.state is not None:
            self._set_defaults(self.state, self.today)

    def choose(self, step: str) -> None:
        """Bring a step's tab to the front."""
        index = self.indexOf(self.pages[step])
        if index >= 0:
            self.setCurrentIndex(index)

    def current_step(self) -> str:
        """The step of the tab in front."""
        page = self.currentWidget()
        return next((s for s, p in self.pages.items() if p is page), "")

    # --- input -----------------------------------------------------------------------------------------------

    def missing(self) -> str:
        """What the step in front still needs ('' when it can be saved)."""
        step = self.current_step()
        if step == "sign" and not clean_text(self.sign_by.text()):
            return self.tr("请填写签收人。")
        if step == "feedback" and not clean_text(self.feedback_text.toPlainText()):
            return self.tr("请填写反馈内容。")
        if step == "close" and self.resolved_group.checkedButton() is None:
            return self.tr("请选择是否化解。")
        if step == "follow_up" and self.rating_group.checkedButton() is None:
            return self.tr("请选择回访结果。")
        if step == "extend" and not clean_text(self.extend_reason.toPlainText()):
            return self.tr("请填写延期理由。")
        if step == "supervise" and not clean_text(self.supervise_reason.toPlainText()):
            return self.tr("请填写督办理由。")
        return "" if step else self.tr("请选择办理环节。")

    def call(self, actor: str) -> StepCall:
        """The service call for the step in front (the dialog adds db, the case id and its version)."""
        step = self.current_step()
        if step == "sign":
            return StepCall(step, case_life.sign_case, (self.sign_by.text(), actor), {})
        if step == "feedback":
            return StepCall(
                step, case_life.add_feedback, (self.feedback_text.toPlainText(), self.feedback_by.text(), actor), {}
            )
        if step == "close":
            resolved = self.resolved_buttons["yes"].isChecked()
            return StepCall(step, case_life.close_case, (resolved, actor), {"text": self.close_text.toPlainText()})
        if step == "follow_up":
            rating = next(k for k, b in self.rating_buttons.items() if b.isChecked())
            kwargs = {"method": self.method_combo.currentData(), "text": self.follow_text.toPlainText()}
            return StepCall(step, case_life.follow_up, (rating, actor), kwargs)
        if step == "extend":
            args = (_pydate(self.extend_date.date()), self.extend_reason.toPlainText(), actor)
            return StepCall(step, case_life.extend_case, args, {"approved_by": self.extend_approver.text()})
        if step == "supervise":
            until = _pydate(self.supervise_until.date()) if self.supervise_has_until.isChecked() else None
            return StepCall(
                step, case_life.supervise_case, (self.supervise_reason.toPlainText(), actor), {"until": until}
            )
        return StepCall(step, case_life.escalate_case, (actor,), {"reason": self.escalate_reason.toPlainText()})
