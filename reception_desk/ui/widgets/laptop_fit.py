"""Pieces that let a page fit a small laptop screen (1280×720) without cutting any text.

`BarLayout` puts a bar's buttons on a second line when the first would be too long, instead of making the page
wider. `VerticalScroll` scrolls a tall pane up and down instead of making the window taller, and is exactly as
wide as its content needs.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLayout, QLayoutItem, QScrollArea, QWidget

Role = Literal["lead", "stretch", "trailing"]


class BarLayout(QLayout):
    """A caption (lead), one widget that takes the rest of the line (stretch), then buttons (trailing).

    On one line when every widget gets its preferred width; otherwise the trailing buttons move to a second
    line, right-aligned, and the stretch widget keeps the first line. The stretch widget never gets less than its
    preferred width (a combo adjusted to its contents shows every entry whole). The minimum width is the longer
    of the two lines, so the bar never forces its page wider; heightForWidth tells the page which form it takes.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._roles: list[Role] = []
        self._adding: Role = "lead"
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # ---- filling ----

    def add(self, widget: QWidget, role: Role) -> None:
        """Add a widget in its part of the bar (in order within the part)."""
        self._adding = role
        self.addWidget(widget)
        self._adding = "lead"

    def addItem(self, item: QLayoutItem) -> None:
        """Qt's entry point (addWidget): the item joins the part being added to."""
        self._items.append(item)
        self._roles.append(self._adding)
        self.invalidate()

    def count(self) -> int:
        """Items held."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        """The item at index, or None."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        """Remove and return the item at index."""
        if not 0 <= index < len(self._items):
            return None
        self._roles.pop(index)
        return self._items.pop(index)

    # ---- measuring ----

    def _part(self, *roles: Role) -> list[QLayoutItem]:
        pairs = zip(self._items, self._roles, strict=True)
        return [item for item, role in pairs if role in roles and not item.isEmpty()]

    def _row_width(self, items: list[QLayoutItem], minimum: bool) -> int:
        if not items:
            return 0
        widths = [(self._least(i) if minimum else i.sizeHint().width()) for i in items]
        return sum(widths) + self._gap * (len(items) - 1)

    def _least(self, item: QLayoutItem) -> int:
        # the stretch widget is never narrower than it wants to be: a combo's whole text (AdjustToContents)
        if self._roles[self._items.index(item)] == "stretch":
            return max(item.sizeHint().width(), item.minimumSize().width())
        return item.minimumSize().width()

    @staticmethod
    def _row_height(items: list[QLayoutItem]) -> int:
        return max((i.sizeHint().height() for i in items), default=0)

    def _margins(self) -> tuple[int, int]:
        m = self.contentsMargins()
        return m.left() + m.right(), m.top() + m.bottom()

    def one_line_width(self) -> int:
        """The width at which everything stands on one line at its preferred size."""
        return self._row_width(self._part("lead", "stretch", "trailing"), minimum=False) + self._margins()[0]

    def fits_one_line(self, width: int) -> bool:
        """Whether a bar this wide shows one line."""
        return width >= self.one_line_width() or not self._part("trailing")

    def sizeHint(self) -> QSize:
        """One line, everything at its preferred width."""
        extra_h = self._margins()[1]
        return QSize(self.one_line_width(), self._row_height(self._part("lead", "stretch", "trailing")) + extra_h)

    def minimumSize(self) -> QSize:
        """The longer of the two lines, each widget at its minimum width (a combo's whole text, a button's)."""
        extra_w, extra_h = self._margins()
        first = self._row_width(self._part("lead", "stretch"), minimum=True)
        second = self._row_width(self._part("trailing"), minimum=True)
        return QSize(max(first, second) + extra_w, self._row_height(self._part("lead", "stretch")) + extra_h)

    def expandingDirections(self) -> Qt.Orientation:
        """Wider is welcome (the stretch widget takes it)."""
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        """The height depends on whether the buttons wrap."""
        return True

    def heightForWidth(self, width: int) -> int:
        """One line's height, or two lines' when the buttons wrap at this width."""
        extra_h = self._margins()[1]
        if self.fits_one_line(width):
            return self._row_height(self._part("lead", "stretch", "trailing")) + extra_h
        first = self._row_height(self._part("lead", "stretch"))
        return first + self._gap + self._row_height(self._part("trailing")) + extra_h

    # ---- placing ----

    def setGeometry(self, rect: QRect) -> None:
        """Place the widgets on one line or two."""
        super().setGeometry(rect)
        area = self.contentsRect()
        lead, stretch, trailing = self._part("lead"), self._part("stretch"), self._part("trailing")
        if self.fits_one_line(rect.width()):
            height = self._row_height([*lead, *stretch, *trailing])
            self._place_line(area.left(), area.top(), area.width(), height, lead, stretch, trailing)
            return
        first = self._row_height([*lead, *stretch])
        self._place_line(area.left(), area.top(), area.width(), first, lead, stretch, [])
        second = self._row_height(trailing)
        self._place_line(area.left(), area.top() + first + self._gap, area.width(), second, [], [], trailing)

    def _place_line(
        self,
        left: int,
        top: int,
        width: int,
        height: int,
        lead: list[QLayoutItem],
        stretch: list[QLayoutItem],
        trailing: list[QLayoutItem],
    ) -> None:
        fixed = [*lead, *trailing]
        used = sum(i.sizeHint().width() for i in fixed) + self._gap * max(len(fixed) + len(stretch) - 1, 0)
        rest = max(width - used, 0)
        x = left if stretch or lead else left + rest  # a line of buttons alone stands at the right
        for item in lead:
            x = self._put(item, x, top, item.sizeHint().width(), height)
        for item in stretch:
            x = self._put(item, x, top, max(rest // len(stretch), self._least(item)), height)
        for item in trailing:
            x = self._put(item, x, top, item.sizeHint().width(), height)

    def _put(self, item: QLayoutItem, x: int, top: int, width: int, height: int) -> int:
        own = min(item.sizeHint().height(), height)
        item.setGeometry(QRect(x, top + (height - own) // 2, width, own))
        return x + width + self._gap


class VerticalScroll(QScrollArea):
    """Scrolls its widget up and down, never sideways: at least as wide as the widget's minimum (plus the scroll
    bar), as short as the page allows, so a tall pane never makes the window taller and nothing is cut at the side.
    It asks for no more than that width: give it a stretch factor in its layout to have it take the rest.

    The widget fills the viewport and scrolls only when the viewport is shorter than the widget's minimum height
    (Qt's own resizable scroll area keeps a widget with wrapping labels at its preferred height, and scrolls long
    before anything would be squeezed).
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)
        self.viewport().setAutoFillBackground(False)
        widget.setAutoFillBackground(False)
        widget.installEventFilter(self)

    def _bar_width(self) -> int:
        return self.verticalScrollBar().sizeHint().width()

    def minimumSizeHint(self) -> QSize:
        """The widget's minimum width (room kept for the scroll bar); any height."""
        widget = self.widget()
        inner = widget.minimumSizeHint() if widget is not None else QSize(0, 0)
        return QSize(inner.width() + self._bar_width(), min(inner.height(), 120))

    def sizeHint(self) -> QSize:
        """The widget's minimum width (a stretch factor gives it more) and its preferred height."""
        widget = self.widget()
        if widget is None:
            return QSize(0, 0)
        return QSize(widget.minimumSizeHint().width() + self._bar_width(), widget.sizeHint().height())

    def least_height(self) -> int:
        """The widget's minimum height (its layout's, as a window would give it)."""
        widget = self.widget()
        return max(widget.minimumSizeHint().height(), widget.minimumHeight()) if widget is not None else 0

    def fit_widget(self) -> None:
        """The widget as wide as the viewport, as tall as the viewport or its minimum, whichever is more."""
        widget = self.widget()
        if widget is None:
            return
        view = self.viewport().size()
        width = max(view.width(), widget.minimumSizeHint().width())
        size = QSize(width, max(view.height(), self.least_height()))
        if widget.size() != size:
            widget.resize(size)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the widget to the new viewport."""
        super().resizeEvent(event)
        self.fit_widget()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """When the widget's layout changes, so may its minimum height and the width this area needs."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.fit_widget()
        return super().eventFilter(watched, event)
