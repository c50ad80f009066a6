"""The settings page's editable tables: rooms and departments models, their edit queue and delegates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QSpinBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from reception_desk.domain.themes import THEMES
from reception_desk.services.plan import DepartmentInfo, RoomInfo
from reception_desk.ui.models.headed_table import HeadedTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Edit:
    """One cell edit: the row, the field, the new value, and the version of the row the user was looking at."""

    row_id: int
    field: str
    value: Any
    version: int
    seen: dict[str, Any] | None = None  # the row's fields as the user saw them (the base of a conflict)


class EditQueue:
    """Edits of one table, written one after the other.

    Each edit carries the version the user saw. A version produced by our own earlier write counts as seen, so
    two quick edits of one row do not refuse each other; a version somebody else produced does not, so their
    change is refused rather than overwritten.
    """

    def __init__(self) -> None:
        self.items: list[Edit] = []
        self.running = False
        self._ours: dict[tuple[int, int], int] = {}  # (row id, version we wrote on) -> version our write made

    def version_for(self, edit: Edit) -> int:
        """The version to send: the one the user saw, moved past our own writes since."""
        version = edit.version
        while (edit.row_id, version) in self._ours:
            version = self._ours[(edit.row_id, version)]
        return version

    def wrote(self, row_id: int, used: int, now: int) -> None:
        """Remember that our write moved the row from `used` to `now` (only when nobody else came between)."""
        if now == used + 1:
            self._ours[(row_id, used)] = now

    def queued_cells(self) -> set[tuple[int, str]]:
        """The cells still waiting to be written (they keep showing the typed value)."""
        return {(e.row_id, e.field) for e in self.items}


class RoomsModel(HeadedTableModel):
    """The day's rooms; an edit emits `edited(room_id, field, value)` and shows the new value until reloaded."""

    edited = Signal(int, str, object)
    FIELDS = ("number", "name", "theme_code", "host", "location", "capacity")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[RoomInfo] = []
        self.pending: dict[tuple[int, str], Any] = {}
        self.headers = (
            self.tr("编号"),
            self.tr("名称"),
            self.tr("主题"),
            self.tr("主持领导"),
            self.tr("地点"),
            self.tr("容量（人）"),
        )
        self._theme_names = {t.code: t.name for t in THEMES}

    def set_rows(self, rows: list[RoomInfo], keep: set[tuple[int, str]] | None = None) -> None:
        """New rows from the database: updated in place when the same rooms (an open editor stays open).

        Typed values not yet written (`keep`) go on showing."""
        self.pending = {k: v for k, v in self.pending.items() if keep and k in keep}
        if [r.id for r in rows] != [r.id for r in self.rows]:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
            return
        old, self.rows = self.rows, rows
        for i, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before != after:
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.FIELDS) - 1))

    def room(self, row: int) -> RoomInfo:
        """The room of a row."""
        return self.rows[row]

    def _value(self, room: RoomInfo, field: str) -> Any:
        if (room.id, field) in self.pending:
            return self.pending[(room.id, field)]
        return room.theme_code if field == "theme_code" else getattr(room, field)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display and edit values; the theme shows its name and edits by its code."""
        if not index.isValid():
            return None
        room = self.rows[index.row()]
        field = self.FIELDS[index.column()]
        value = self._value(room, field)
        if role == Qt.ItemDataRole.DisplayRole:
            if field == "theme_code":
                return self._theme_names.get(value, room.theme_name)
            return str(value)
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and field in ("number", "capacity"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Everything but the number is editable."""
        base = super().flags(index)
        if index.isValid() and self.FIELDS[index.column()] != "number":
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Take an edit: shown at once, written by the page."""
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        room = self.rows[index.row()]
        field = self.FIELDS[index.column()]
        if field == "number":
            return False
        if isinstance(value, str):
            value = value.strip()
        if field == "capacity":
            value = int(value)
        if value == self._value(room, field):
            return False
        self.pending[(room.id, field)] = value
        self.dataChanged.emit(index, index)
        self.edited.emit(room.id, field, value)
        return True

    def row_total(self) -> int:
        """Rows held."""
        return len(self.rows)


class DepartmentsModel(HeadedTableModel):
    """The department directory; an edit emits `edited(department_id, field, value)`."""

    edited = Signal(int, str, object)
    FIELDS = ("name", "short_name", "kind", "contact", "phone", "active")
    EDITABLE = frozenset({"name", "short_name", "contact", "phone"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[DepartmentInfo] = []
        self.pending: dict[tuple[int, str], Any] = {}
        self.headers = (
            self.tr("名称"),
            self.tr("简称"),
            self.tr("类型"),
            self.tr("联系人"),
            self.tr("联系电话"),
            self.tr("启用"),
        )
        self._kinds = {"bureau": self.tr("区级部门"), "township": self.tr("乡镇（街道）")}

    def set_rows(self, rows: list[DepartmentInfo], keep: set[tuple[int, str]] | None = None) -> None:
        """New rows from the database (in place when the same departments); `keep`: cells not yet written."""
        self.pending = {k: v for k, v in self.pending.items() if keep and k in keep}
        if [r.id for r in rows] != [r.id for r in self.rows]:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
            return
        old, self.rows = self.rows, rows
        for i, (before, after) in enumerate(zip(old, rows, strict=True)):
            if before != after:
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.FIELDS) - 1))

    def _value(self, dept: DepartmentInfo, field: str) -> Any:
        return self.pending.get((dept.id, field), getattr(dept, field))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Texts, the kind in words, the active flag as a check box; inactive rows greyed."""
        if not index.isValid():
            return None
        dept = self.rows[index.row()]
        field = self.FIELDS[index.column()]
        value = self._value(dept, field)
        if field == "active":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr("启用") if value else self.tr("停用")
        elif role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._kinds.get(value, value) if field == "kind" else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and not self._value(dept, "active"):
            return Qt.GlobalColor.gray
        if role == ID_ROLE:
            return dept.id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Texts are editable, the active flag is a check box, the kind is fixed."""
        base = super().flags(index)
        if not index.isValid():
            return base
        field = self.FIELDS[index.column()]
        if field == "active":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if field in self.EDITABLE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Take an edit (text or the active check box)."""
        if not index.isValid():
            return False
        dept = self.rows[index.row()]
        field = self.FIELDS[index.column()]
        if field == "active" and role == Qt.ItemDataRole.CheckStateRole:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif field in self.EDITABLE and role == Qt.ItemDataRole.EditRole:
            value = str(value).strip()
        else:
            return False
        if value == self._value(dept, field):
            return False
        self.pending[(dept.id, field)] = value
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(self.FIELDS) - 1))
        self.edited.emit(dept.id, field, value)
        return True

    def row_total(self) -> int:
        """Rows held."""
        return len(self.rows)


class ThemeDelegate(QStyledItemDelegate):
    """The theme column edits with a combo of the themes."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        """A combo of the theme names."""
        combo = QComboBox(parent)
        for theme in THEMES:
            combo.addItem(theme.name, theme.code)
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        """Select the row's theme."""
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        """Write the chosen theme's code."""
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class CapacityDelegate(QStyledItemDelegate):
    """The capacity column edits with a spin box from 1."""

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        """A spin box 1-500."""
        spin = QSpinBox(parent)
        spin.setRange(1, 500)
        return spin
