"""Add or edit a batch (预登记, or 现场登记 for walk-ins): the lead, companions, theme, place and request.

The dialog only collects and checks input; the caller saves `registration()` through a service. Resident IDs
of people already registered are shown masked (330803********1234) and mapped back when left unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import COLLECTIVE_MIN_PEOPLE
from reception_desk.domain.names import clean_name, clean_text
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import BY_CODE, THEMES, infer_from_request
from reception_desk.services.registrations import PersonInput, RegistrationInput
from reception_desk.ui.models.registrations_model import domain_word
from reception_desk.ui.roles_view import refusal_tip

MAX_HEADCOUNT = 9999
_COMPANION_SPLIT = re.compile(r"[\s\u3000,，;；]+")
_ID_LIKE = re.compile(r"^[\dXx*＊]{15,}$")


class Level(Enum):
    """How an inline check looks: nothing typed, fine (green), a warning (orange), an error (red, blocks OK)."""

    EMPTY = "empty"
    OK = "ok"
    WARN = "warn"
    ERROR = "error"


LEVEL_COLOURS = {Level.EMPTY: "#6b7280", Level.OK: "#1e7d32", Level.WARN: "#b45309", Level.ERROR: "#b3261e"}


@dataclass(frozen=True)
class Feedback:
    """The outcome of an inline check: its level and the line shown under the field."""

    level: Level
    text: str


def id_feedback(raw: str, known: dict[str, str] | None = None) -> Feedback:
    """Check a typed resident ID: a tick when valid, orange when it will be flagged 待核, red when unusable."""
    text = (known or {}).get(raw.strip(), raw)
    if not text.strip():
        return Feedback(Level.EMPTY, QCoreApplication.translate("RegistrationDialog", "可不填（没有证件时留空）"))
    if raw.strip() in (known or {}) and not resident_id.check(text).valid:
        return Feedback(
            Level.WARN, QCoreApplication.translate("RegistrationDialog", "原登记的号码未通过校验，保存后仍标记待核")
        )
    checked = resident_id.check(text)
    problem = checked.problem
    if problem is None:
        born = resident_id.birth_date(checked.normalized)
        sex = (
            QCoreApplication.translate("RegistrationDialog", "男")
            if int(checked.normalized[16]) % 2
            else QCoreApplication.translate("RegistrationDialog", "女")
        )
        if born is None:
            return Feedback(Level.OK, QCoreApplication.translate("RegistrationDialog", "✓ 校验通过"))
        text = QCoreApplication.translate("RegistrationDialog", "✓ 校验通过（{0}年{1}月{2}日出生，{3}）").format(
            born.year, born.month, born.day, sex
        )
        return Feedback(Level.OK, text)
    if problem is resident_id.IdProblem.NUMBER_MANGLED:
        return Feedback(
            Level.ERROR,
            QCoreApplication.translate(
                "RegistrationDialog", "号码像是被表格存成了数字，后几位已丢失，请按证件原件重新输入"
            ),
        )
    if problem is resident_id.IdProblem.BAD_SHAPE:
        if "*" in checked.normalized:
            return Feedback(Level.ERROR, QCoreApplication.translate("RegistrationDialog", "请重新输入完整的身份证号"))
        return Feedback(
            Level.ERROR,
            QCoreApplication.translate("RegistrationDialog", "格式不对：应为18位数字，末位可为X（已输入{0}位）").format(
                len(checked.normalized)
            ),
        )
    if problem is resident_id.IdProblem.BAD_DATE:
        return Feedback(Level.WARN, QCoreApplication.translate("RegistrationDialog", "出生日期不存在，将标记待核"))
    return Feedback(Level.WARN, QCoreApplication.translate("RegistrationDialog", "校验位不符，将标记待核"))


def phone_feedback(raw: str) -> Feedback:
    """Check a typed phone number: its normalised form, or why it cannot be used."""
    if not raw.strip():
        return Feedback(Level.EMPTY, QCoreApplication.translate("RegistrationDialog", "可不填"))
    parsed = phones.normalize(raw)
    if parsed is None:
        return Feedback(
            Level.ERROR,
            QCoreApplication.translate(
                "RegistrationDialog", "无法识别的电话号码（手机11位；座机可带区号，如0570-3023456）"
            ),
        )
    return Feedback(Level.OK, "✓ " + parsed.display())


@dataclass
class CompanionLine:
    """One line of the companions box: the person read from it and the worst problem found."""

    line: int
    person: PersonInput
    problems: list[Feedback] = field(default_factory=list)


def parse_companions(text: str, known: dict[str, str] | None = None) -> list[CompanionLine]:
    """Companions typed one per line as "name [ID] [phone]" (separated by spaces or commas)."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = [t for t in _COMPANION_SPLIT.split(line.strip()) if t]
        if not tokens:
            continue
        name_parts: list[str] = []
        id_token = ""
        phone = ""
        problems: list[Feedback] = []
        for token in tokens:
            if not id_token and not phone and not any(ch.isdigit() or ch in "*＊" for ch in token):
                name_parts.append(token)
            elif not id_token and _ID_LIKE.match(token):
                id_token = token
            elif not phone and phones.normalize(token) is not None:
                phone = token
            else:
                problems.append(
                    Feedback(
                        Level.ERROR,
                        QCoreApplication.translate("RegistrationDialog", "无法识别“{0}”（应为身份证号或电话）").format(
                            token
                        ),
                    )
                )
        name = clean_name(" ".join(name_parts))
        if not name:
            problems.append(Feedback(Level.ERROR, QCoreApplication.translate("RegistrationDialog", "缺少姓名")))
        if id_token:
            checked = id_feedback(id_token, known)
            if checked.level in (Level.WARN, Level.ERROR):
                problems.append(checked)
        id_number = (known or {}).get(id_token, id_token)
        out.append(CompanionLine(number, PersonInput(name, id_number, phone), problems))
    return out


class RegistrationDialog(QDialog):
    """Collects a batch. OK stays disabled while the name or request is missing or a field is unusable.

    Enter confirms (Ctrl+Enter inside the multi-line boxes), Esc cancels. `registration()` gives the input.
    Editing, the lead's ID shows masked; 显示完整号码 (enabled when `reveal_allowed`) emits `reveal_requested`, the
    page asks the reason and fetches the number (logged), then `show_full_id` and later `mask_again`.
    """

    reveal_requested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        walk_in: bool = False,
        initial: RegistrationInput | None = None,
        reg_no: str = "",
        reveal_allowed: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("registrationDialog")
        self.walk_in = walk_in
        self.editing = initial is not None
        self._theme_chosen = initial is not None
        self._known: dict[str, str] = {}
        self._revealed: str | None = None  # the lead's whole ID while 显示完整号码 shows it
        if self.editing:
            title = self.tr("编辑登记 {0}").format(reg_no) if reg_no else self.tr("编辑登记")
        else:
            title = self.tr("现场登记") if walk_in else self.tr("新增预登记")
        self.setWindowTitle(title)
        self.setMinimumWidth(680)
        self._build()
        if initial is not None:
            self._fill(initial)
        self.reveal_button.setVisible(initial is not None and bool(initial.lead.id_number))
        self.reveal_button.setEnabled(reveal_allowed)
        if not reveal_allowed:
            self.reveal_button.setToolTip(refusal_tip())
        self._refresh()

    # --- layout ----------------------------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.heading = QLabel(self.windowTitle())
        self.heading.setObjectName("dialogHeading")
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold; color: #b3261e; padding-bottom: 4px;")
        outer.addWidget(self.heading)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.lead_name = self._line("leadName", self.tr("领头人姓名"))
        form.addRow(self._required(self.tr("姓名")), self.lead_name)
        self.lead_id = self._line("leadId", self.tr("18位，末位可为X"))
        self.lead_id_status = self._status("leadIdStatus")
        self.reveal_button = QPushButton(self.tr("显示完整号码"))
        self.reveal_button.setObjectName("revealIdButton")
        self.reveal_button.setAutoDefault(False)
        self.reveal_button.setToolTip(self.tr("显示完整的身份证号（须填写原因，记入操作日志，稍后自动隐藏）"))
        self.reveal_button.clicked.connect(self.reveal_requested)
        id_row = QWidget()
        id_layout = QHBoxLayout(id_row)
        id_layout.setContentsMargins(0, 0, 0, 0)
        id_layout.addWidget(self.lead_id, 1)
        id_layout.addWidget(self.reveal_button)
        form.addRow(self.tr("身份证号"), self._stack(id_row, self.lead_id_status))
        self.lead_phone = self._line("leadPhone", self.tr("手机或座机"))
        self.lead_phone_status = self._status("leadPhoneStatus")
        form.addRow(self.tr("电话"), self._stack(self.lead_phone, self.lead_phone_status))

        self.companions = QPlainTextEdit()
        self.companions.setObjectName("companions")
        self.companions.setPlaceholderText(
            self.tr("每行一人：姓名 [身份证号] [电话]，例如：\n李秀英 330803195803120025 13905701234")
        )
        self.companions.setTabChangesFocus(True)
        self.companions.setMinimumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.companions.setMaximumHeight(self.fontMetrics().lineSpacing() * 7 + 12)
        self.companions_status = self._status("companionsStatus")
        form.addRow(self.tr("同行人员"), self._stack(self.companions, self.companions_status))

        self.headcount = QSpinBox()
        self.headcount.setObjectName("headcount")
        self.headcount.setRange(1, MAX_HEADCOUNT)
        self.headcount.setSuffix(self.tr(" 人"))
        self.headcount.setMinimumWidth(110)
        self.headcount_hint = self._status("headcountHint")
        row = QHBoxLayout()
        row.addWidget(self.headcount)
        row.addWidget(self.headcount_hint, 1)
        form.addRow(self.tr("来访人数"), row)

        self.theme = QComboBox()
        self.theme.setObjectName("theme")
        for spec in THEMES:
            self.theme.addItem(domain_word(spec.name), spec.code)
        self.theme.setCurrentIndex(self.theme.findData("general"))
        self.theme_hint = self._status("themeHint")
        row = QHBoxLayout()
        row.addWidget(self.theme, 1)
        row.addWidget(self.theme_hint)
        form.addRow(self.tr("问题类别"), row)

        self.township = QComboBox()
        self.township.setObjectName("township")
        self.township.setEditable(True)
        self.township.addItems(list(TOWNSHIPS))
        self.township.setCurrentIndex(-1)
        township_edit = self.township.lineEdit()
        if township_edit is not None:
            township_edit.setPlaceholderText(self.tr("选择或输入乡镇（街道）"))
        self.village = self._line("village", self.tr("村（社区）"))
        row = QHBoxLayout()
        row.addWidget(self.township, 1)
        row.addWidget(self.village, 1)
        form.addRow(self.tr("乡镇 / 村"), row)

        self.request = QPlainTextEdit()
        self.request.setObjectName("request")
        self.request.setPlaceholderText(self.tr("反映的问题及诉求（来访人原话）"))
        self.request.setTabChangesFocus(True)
        self.request.setMinimumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        form.addRow(self._required(self.tr("诉求")), self.request)
        outer.addLayout(form)

        self.missing = QLabel()
        self.missing.setObjectName("missingHint")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.ok_button.setText(self.tr("保存"))
        self.ok_button.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing, 1)
        bottom.addWidget(self.buttons)
        outer.addLayout(bottom)

        for edit in (self.lead_name, self.lead_id, self.lead_phone, self.village):
            edit.textChanged.connect(self._refresh)
        self.companions.textChanged.connect(self._refresh)
        self.request.textChanged.connect(self._on_request)
        self.theme.activated.connect(self._on_theme_chosen)
        self.headcount.valueChanged.connect(self._refresh)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self._accept_if_ready)
        self.lead_name.setFocus()

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        return edit

    def _status(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _required(self, text: str) -> QLabel:
        label = QLabel(f"{text} <span style='color:#b3261e'>*</span>")
        return label

    def _stack(self, field_widget: QWidget, status: QLabel) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field_widget)
        layout.addWidget(status)
        return box

    def _fill(self, data: RegistrationInput) -> None:
        people = [data.lead, *data.companions]
        for person in people:
            if person.id_number:
                self._known[resident_id.mask(person.id_number)] = person.id_number
        self.lead_name.setText(data.lead.name)
        self.lead_id.setText(resident_id.mask(data.lead.id_number))
        self.lead_phone.setText(data.lead.phone)
        self.companions.setPlainText(
            "\n".join(
                " ".join(p for p in (c.name, resident_id.mask(c.id_number), c.phone) if p) for c in data.companions
            )
        )
        index = self.theme.findData(data.theme_code)
        if index >= 0:
            self.theme.setCurrentIndex(index)
        self.township.setEditText(data.township)
        self.village.setText(data.village)
        self.request.setPlainText(data.request)
        self.headcount.setValue(max(data.headcount or 1, 1 + len(data.companions)))

    # --- 显示完整号码 -------------------------------------------------------------------------------------------

    def show_full_id(self, value: str) -> None:
        """The lead's whole ID in its field (the page fetched it, logged), until `mask_again`."""
        self._revealed = value
        self.lead_id.setText(value)

    def mask_again(self) -> None:
        """The lead's ID masked again, unless it has been edited meanwhile (then it is the new input)."""
        value, self._revealed = self._revealed, None
        if value is not None and self.lead_id.text().strip() == value:
            self._known.setdefault(resident_id.mask(value), value)
            self.lead_id.setText(resident_id.mask(value))

    # --- live checks -----------------------------------------------------------------------------------------

    def _on_request(self) -> None:
        if not self._theme_chosen:
            code = infer_from_request(self.request.toPlainText())
            self.theme.setCurrentIndex(self.theme.findData(code))
        self._refresh()

    def _on_theme_chosen(self, _index: int) -> None:
        self._theme_chosen = True
        self._refresh()

    def _show(self, label: QLabel, feedback: Feedback) -> None:
        label.setText(feedback.text)
        label.setStyleSheet(f"color: {LEVEL_COLOURS[feedback.level]};")
        label.setProperty("level", feedback.level.value)

    def _refresh(self) -> None:
        lead_id = id_feedback(self.lead_id.text(), self._known)
        self._show(self.lead_id_status, lead_id)
        lead_phone = phone_feedback(self.lead_phone.text())
        self._show(self.lead_phone_status, lead_phone)

        lines = parse_companions(self.companions.toPlainText(), self._known)
        problems = [(c, p) for c in lines for p in c.problems]
        if problems:
            worst = Level.ERROR if any(p.level is Level.ERROR for _, p in problems) else Level.WARN
            text = "\n".join(
                self.tr("第{0}行 {1}：{2}").format(c.line, c.person.name or "?", p.text) for c, p in problems[:4]
            )
            if len(problems) > 4:
                text += "\n" + self.tr("……另有{0}处").format(len(problems) - 4)
            self._show(self.companions_status, Feedback(worst, text))
        elif lines:
            names = "、".join(c.person.name for c in lines[:8]) + ("……" if len(lines) > 8 else "")
            text = self.tr("✓ 同行{0}人：{1}").format(len(lines), names)
            self._show(self.companions_status, Feedback(Level.OK, text))
        else:
            self._show(self.companions_status, Feedback(Level.EMPTY, self.tr("没有同行人员时留空")))

        named = 1 + len(lines)
        self.headcount.setMinimum(named)
        count = self.headcount.value()
        hint = self.tr("至少{0}人（领头人加同行人员）").format(named)
        if count >= COLLECTIVE_MIN_PEOPLE:
            hint += self.tr("；{0}人及以上为集体访").format(COLLECTIVE_MIN_PEOPLE)
        self._show(self.headcount_hint, Feedback(Level.EMPTY, hint))
        if self._theme_chosen:
            self._show(self.theme_hint, Feedback(Level.EMPTY, ""))
        else:
            self._show(self.theme_hint, Feedback(Level.EMPTY, self.tr("按诉求自动推断，可改选")))

        missing = []
        if not clean_name(self.lead_name.text()):
            missing.append(self.tr("姓名"))
        if not clean_text(self.request.toPlainText()):
            missing.append(self.tr("诉求"))
        errors = [f for f in (lead_id, lead_phone) if f.level is Level.ERROR]
        errors += [p for _, p in problems if p.level is Level.ERROR]
        if missing:
            self._show(self.missing, Feedback(Level.ERROR, self.tr("请填写：{0}").format("、".join(missing))))
        elif errors:
            self._show(self.missing, Feedback(Level.ERROR, self.tr("请先改正标红的内容")))
        else:
            self._show(self.missing, Feedback(Level.EMPTY, ""))
        self.ok_button.setEnabled(not missing and not errors)

    def is_ready(self) -> bool:
        """True when the input can be saved (the OK button is enabled)."""
        return self.ok_button.isEnabled()

    def _accept_if_ready(self) -> None:
        if self.is_ready():
            self.accept()

    def accept(self) -> None:
        """Close with OK, only when the input is complete."""
        if self.is_ready():
            super().accept()

    # --- result ----------------------------------------------------------------------------------------------

    def registration(self) -> RegistrationInput:
        """The batch as typed (known masked IDs mapped back to the whole number)."""
        raw_id = self.lead_id.text().strip()
        lead = PersonInput(
            clean_name(self.lead_name.text()), self._known.get(raw_id, raw_id), self.lead_phone.text().strip()
        )
        companions = [c.person for c in parse_companions(self.companions.toPlainText(), self._known)]
        code = self.theme.currentData()
        return RegistrationInput(
            lead=lead,
            request=self.request.toPlainText().strip(),
            theme_code=code if code in BY_CODE else "general",
            headcount=self.headcount.value(),
            companions=[c for c in companions if c.name],
            township=self.township.currentText().strip(),
            village=self.village.text().strip(),
        )
