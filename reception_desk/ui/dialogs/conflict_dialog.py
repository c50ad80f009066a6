"""冲突: someone else saved the same row while this user was editing it; theirs and mine side by side, field by field.

The user either reloads (takes theirs and drops the edit) or saves theirs plus the fields picked as mine. Nothing is
written silently over the other laptop's save.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


class Side(Enum):
    """Whose value a field keeps."""

    THEIRS = "theirs"
    MINE = "mine"


@dataclass(frozen=True)
class FieldConflict:
    """One field whose saved value (theirs) differs from the edit (mine); `changed_by_me`: the user typed it."""

    key: str
    label: str
    theirs: str
    mine: str
    changed_by_me: bool = True


class ConflictDialog(QDialog):
    """Theirs and mine per field, a choice per field; 重新载入 (reject) takes theirs, 合并保存 (accept) the choices."""

    def __init__(self, fields: list[FieldConflict], what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(self.tr("保存冲突"))
        self.setMinimumWidth(720)
        self.fields = fields
        self._groups: dict[str, QButtonGroup] = {}
        self._mine: dict[str, QRadioButton] = {}
        self._theirs: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr("{0}在您编辑期间已被他人修改并保存。请逐项选择保留他人保存的内容还是您的修改，或重新载入。").format(
                what
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for column, heading in enumerate((self.tr("项目"), self.tr("他人保存的"), self.tr("我的修改"))):
            head = QLabel(f"<b>{heading}</b>")
            grid.addWidget(head, 0, column)
        for row, conflict in enumerate(fields, start=1):
            grid.addWidget(QLabel(conflict.label), row, 0, Qt.AlignmentFlag.AlignTop)
            theirs = QRadioButton(conflict.theirs or self.tr("（空）"))
            mine = QRadioButton(conflict.mine or self.tr("（空）"))
            for button, name in ((theirs, "theirs"), (mine, "mine")):
                button.setObjectName(f"{name}_{conflict.key}")
                button.setToolTip(button.text())
            group = QButtonGroup(self)
            group.addButton(theirs)
            group.addButton(mine)
            (mine if conflict.changed_by_me else theirs).setChecked(True)
            grid.addWidget(theirs, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(mine, row, 2, Qt.AlignmentFlag.AlignTop)
            self._groups[conflict.key] = group
            self._mine[conflict.key] = mine
            self._theirs[conflict.key] = theirs
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox()
        self.reload_button = QPushButton(self.tr("重新载入（采用他人的）"))
        self.reload_button.setObjectName("reloadButton")
        self.merge_button = QPushButton(self.tr("合并保存"))
        self.merge_button.setObjectName("mergeButton")
        self.merge_button.setDefault(True)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def shown(self, key: str) -> tuple[str, str]:
        """(theirs, mine) as the dialog shows them for a field."""
        return self._theirs[key].text(), self._mine[key].text()

    def choose(self, key: str, side: Side) -> None:
        """Pick whose value a field keeps (as clicking its radio button does)."""
        (self._mine if side is Side.MINE else self._theirs)[key].setChecked(True)

    def choices(self) -> dict[str, Side]:
        """Every field's chosen side."""
        return {key: Side.MINE if self._mine[key].isChecked() else Side.THEIRS for key in self._groups}
