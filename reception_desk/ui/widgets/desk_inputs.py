"""The desk's keyboard-driven lists and search box: typing stays in the box, ↑↓ move the matches, Enter picks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget


class SearchBox(QLineEdit):
    """The desk's one input: arrow keys move through the matches below while the typing stays here."""

    moved = Signal(int)  # rows to move the selection by

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Up/Down/PageUp/PageDown go to the matches; everything else is typing."""
        steps = {
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -5,
            Qt.Key.Key_PageDown: 5,
        }
        step = steps.get(Qt.Key(event.key()))
        if step is not None:
            self.moved.emit(step)
            event.accept()
            return
        super().keyPressEvent(event)


class MatchList(QListWidget):
    """The matches: focused only when Enter in the box could not decide; Enter here picks, typing goes back."""

    picked = Signal()
    typed = Signal(str)  # a character typed while the list had the focus, for the search box

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter picks the current match; printable keys and Backspace go back to the search box."""
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picked.emit()
            event.accept()
            return
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        if plain and (key == Qt.Key.Key_Backspace or (event.text() and event.text().isprintable())):
            self.typed.emit("\b" if key == Qt.Key.Key_Backspace else event.text())
            event.accept()
            return
        super().keyPressEvent(event)


class MemberList(QListWidget):
    """The batch's people: Space ticks, Enter checks in the ticked ones."""

    confirmed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter confirms the ticked members."""
        if Qt.Key(event.key()) in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirmed.emit()
            event.accept()
            return
        super().keyPressEvent(event)
