"""What the logged-in user's role may do, on screen: one place that says which controls need which permission.

The services refuse anything the role may not do (services/authz.py); the screen only keeps people from trying.
A page calls `apply(self)` at the end of building itself: the controls of work its user's role cannot do are
disabled for good (the page's own enabling cannot switch them back on), their tooltips say why, their keyboard
shortcuts are off, and tables they would edit become read-only. The main window hides the pages a role has no
use for (main_window.PAGE_PERMISSIONS); a room host sees only his rooms (`own_rooms`). In 单机模式 (role None)
nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QEvent, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from reception_desk.domain.roles import Permission, Role
from reception_desk.services.authz import Actor


class _HasNumber(Protocol):
    @property
    def number(self) -> int: ...


R = TypeVar("R", bound=_HasNumber)

# a control needs one of the permissions; widgets by attribute path on the page ("calendar_editor.save_button")
Rule = tuple[tuple[Permission, ...], tuple[str, ...], tuple[str, ...]]  # (any of, widgets, shortcut keys)

RULES: dict[str, tuple[Rule, ...]] = {
    "RegistrationsPage": (
        ((Permission.REGISTER,), ("add_button", "edit_button", "import_button"), ("Ctrl+N", "Ctrl+I")),
    ),
    "CheckInPage": (
        (
            (Permission.CHECK_IN,),
            ("walk_in_button", "check_selected_button", "check_all_button", "undo_button"),
            ("F2", "F8"),
        ),
        ((Permission.MOVE,), ("move_button",), ("F6",)),
        ((Permission.UNMASK,), ("reveal_button",), ()),
    ),
    "RoomBoardPage": (
        # placing batches that have no room is desk work too (walk-ins, imports); moving placed ones is not
        ((Permission.MOVE, Permission.CHECK_IN, Permission.REGISTER), ("auto_assign_button",), ("Ctrl+Shift+A",)),
        ((Permission.MOVE,), (), ("F6",)),
    ),
    "RoomHostPage": (
        (
            (Permission.ROOM_WORK,),
            ("call_button", "start_button", "no_show_button", "return_button", "form", "correct_case_button"),
            ("F3", "Ctrl+S"),
        ),
    ),
    "CaseDialog": (((Permission.TRACKING,), ("form", "save_button"), ("Ctrl+Return", "Ctrl+Enter")),),
    "SettingsPage": (
        (
            (Permission.ADMIN,),
            (
                "create_day_button",
                "rooms_view",
                "departments_view",
                "add_dept_button",
                "calendar_editor.working_radio",
                "calendar_editor.natural_radio",
                "calendar_editor.mark_button",
                "calendar_editor.save_button",
                "calendar_editor.remove_button",
                "calendar_editor.table",
            ),
            (),
        ),
    ),
}


def may_any(user: Actor, permissions: Iterable[Permission]) -> bool:
    """True when the user may do one of the permissions (always in 单机模式)."""
    return any(user.may(p) for p in permissions)


def own_rooms(user: Actor, rooms: Sequence[R]) -> list[R]:
    """The rooms the user works in: a room host's own (by number), everyone else's all of them."""
    if user.role is not Role.HOST:
        return list(rooms)
    return [r for r in rooms if r.number in user.rooms]


def refusal_tip() -> str:
    """The tooltip of a control the user's role may not use."""
    return QCoreApplication.translate("RolesView", "当前用户的角色无权进行此操作")


class _StayDisabled(QObject):
    """Switches its widget off again whenever the page's own logic switches it on, and keeps saying why."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """After an enable, disable again; after a new tooltip, the refusal again (the events follow the change)."""
        if isinstance(watched, QWidget):
            if event.type() == QEvent.Type.EnabledChange and watched.isEnabled():
                watched.setEnabled(False)
            elif event.type() == QEvent.Type.ToolTipChange and watched.toolTip() != refusal_tip():
                watched.setToolTip(refusal_tip())
        return False


class _ReadOnlyDelegate(QStyledItemDelegate):
    """Paints like the default delegate but takes no clicks or keys (no check box toggles)."""

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        """Nothing is edited."""
        return False


def forbid(widget: QWidget) -> None:
    """Keep a control from being used: a table becomes read-only, anything else disabled for good."""
    widget.setToolTip(refusal_tip())
    if isinstance(widget, QAbstractItemView):
        widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        delegate = _ReadOnlyDelegate(widget)
        widget.setItemDelegate(delegate)
        model = widget.model()
        for column in range(model.columnCount() if model is not None else 0):
            widget.setItemDelegateForColumn(column, delegate)
        widget.setProperty("readOnlyByRole", True)
        return
    widget.setEnabled(False)
    keeper = _StayDisabled(widget)
    widget.installEventFilter(keeper)


def forbid_keys(owner: QWidget, keys: Iterable[str]) -> None:
    """Switch off the owner's shortcuts bound to these keys."""
    wanted = {QKeySequence(k).toString() for k in keys}
    for shortcut in owner.findChildren(QShortcut):
        if shortcut.key().toString() in wanted:
            shortcut.setEnabled(False)


def _widget(owner: QObject, path: str) -> QWidget:
    target: Any = owner
    for part in path.split("."):
        target = getattr(target, part)
    if not isinstance(target, QWidget):
        raise TypeError(f"{type(owner).__name__}.{path} is not a widget")
    return target


def apply(owner: QWidget, user: Actor | None = None) -> list[QWidget]:
    """Restrict a page (or dialog) built for ctx.user by the RULES of its class; the controls switched off."""
    user = user if user is not None else owner.ctx.user  # type: ignore[attr-defined]
    if user.role is None:
        return []
    forbidden: list[QWidget] = []
    for needs, paths, keys in RULES.get(type(owner).__name__, ()):
        if may_any(user, needs):
            continue
        for path in paths:
            widget = _widget(owner, path)
            forbid(widget)
            forbidden.append(widget)
        forbid_keys(owner, keys)
    return forbidden
