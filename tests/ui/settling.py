"""Ending a UI test cleanly: let each page finish its work, then delete it while the test's loop still runs."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from reception_desk.ui.pages.base import Page

WAIT = 5000


def settle(qtbot: Any, widgets: list[Any]) -> None:
    """Wait until no reload of a page is pending or running, then close and delete each widget."""
    for widget in widgets:
        if not shiboken6.isValid(widget):
            continue
        if isinstance(widget, Page):
            # the base page's own bookkeeping is the only way to see that no reload is pending or running
            qtbot.waitUntil(lambda p=widget: not p._tasks and not p._debounce.isActive(), timeout=WAIT)
        assert isinstance(widget, QWidget)
        widget.close()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
