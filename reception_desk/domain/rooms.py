"""How a reception room is named on every page, paper and message: 第8接待室, and 第8室 only where space demands.

One spelling keeps a visitor from meeting "8号接待室" on the ticket and "接待室8" on the door: "8号" is a queue
number (排队号), never a room. The UI translates the same two forms (reception_desk/ui/room_names.py).
"""

from __future__ import annotations

ROOM_LABEL = "第{0}接待室"
ROOM_SHORT = "第{0}室"


def room_label(number: int) -> str:
    """The room's full name: 第8接待室."""
    return ROOM_LABEL.format(number)


def room_short(number: int) -> str:
    """The short form for tight columns and lines: 第8室."""
    return ROOM_SHORT.format(number)


def room_label_or(number: int | None, missing: str = "") -> str:
    """The full name, or `missing` for a batch without a room."""
    return room_label(number) if number is not None else missing
