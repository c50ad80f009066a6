"""The room names of reception_desk.domain.rooms in the UI language: 第8接待室 / 第8室 (Room 8 in English).

A room whose stored name is still the default (第8接待室) is shown in the UI language; a name the office typed
itself is shown as typed.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from reception_desk.domain import rooms


def room_label(number: int) -> str:
    """第8接待室, translated."""
    return QCoreApplication.translate("rooms", "第{0}接待室").format(number)


def room_short(number: int) -> str:
    """第8室, translated: for tight columns and lines only."""
    return QCoreApplication.translate("rooms", "第{0}室").format(number)


def room_name(number: int, name: str) -> str:
    """A room's stored name for the screen: the default one in the UI language, an office's own as typed."""
    return room_label(number) if not name or name == rooms.room_label(number) else name
