"""A quiet line over an empty list: “没有找到…” where a search or the filters left no rows."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel

NOTE_STYLE = "color: #5f6670; font-size: 11pt; background: transparent; padding: 8px;"


class EmptyNote(QLabel):
    """Sits at the top of a list's viewport and follows its size; `say(text)` shows it, `say("")` hides it."""

    def __init__(self, view: QAbstractScrollArea, name: str = "emptyNote") -> None:
        super().__init__(view.viewport())
        self.setObjectName(name)
        self.setStyleSheet(NOTE_STYLE)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)
        self.hide()

    def say(self, text: str) -> None:
        """Show the note (an empty text hides it)."""
        self.setText(text)
        self._place()
        self.setVisible(bool(text))

    def _place(self) -> None:
        width = self._viewport.width()
        self.setGeometry(0, 24, width, self.heightForWidth(width) if self.text() else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the note as wide as the viewport."""
        if watched is self._viewport and event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(watched, event)
