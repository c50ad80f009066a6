"""Guard against the PySide6 6.12.0 bug that drops a reference to None on every void Qt call: on Python 3.11
None's count reaches zero within minutes of use and the interpreter aborts (none_dealloc)."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot: Any) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(2000):
        label.setText(str(i))
        label.setVisible(False)
    assert sys.getrefcount(None) >= before - 50
