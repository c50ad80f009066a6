"""Case numbers (案件编号): JF-20261204-07-003 = reception day, room 7, third case of that room."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PREFIX = "JF"
_PATTERN = re.compile(r"^JF-(\d{8})-(\d{2})-(\d{3,})$")


@dataclass(frozen=True, slots=True)
class CaseNumber:
    """The parts of a case number."""

    day: dt.date
    room: int
    sequence: int

    def __str__(self) -> str:
        return f"{PREFIX}-{self.day:%Y%m%d}-{self.room:02d}-{self.sequence:03d}"


def format_case_number(day: dt.date, room: int, sequence: int) -> str:
    """Case number text for the given day, room and sequence within that room."""
    if not 1 <= room <= 99 or sequence < 1:
        raise ValueError(f"room {room} / sequence {sequence} out of range")
    return str(CaseNumber(day, room, sequence))


def parse_case_number(text: str) -> CaseNumber:
    """Parse a case number; ValueError when it is not one."""
    m = _PATTERN.match(text.strip())
    if not m:
        raise ValueError(f"not a case number: {text!r}")
    return CaseNumber(dt.datetime.strptime(m[1], "%Y%m%d").date(), int(m[2]), int(m[3]))


def format_registration_number(walk_in: bool, sequence: int) -> str:
    """Registration number of a batch: Y0001 pre-registered, X0001 walk-in (现场登记)."""
    return f"{'X' if walk_in else 'Y'}{sequence:04d}"
