"""Resident ID numbers (居民身份证号码) per GB 11643-1999: validation, masking, generation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from reception_desk.domain import office_time

LENGTH = 18  # characters of a resident ID number (and of the column that stores one)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
# What a spreadsheet makes of an 18-digit number: 3.30803197001011E+17, 330803197001011000.0, ...
_NUMERIC_LOOKING = re.compile(r"^\d+(\.\d*)?[eE][+]?\d+$|^\d+\.\d+$")


class IdProblem(Enum):
    """Why an ID number is not valid."""

    EMPTY = "empty"
    NUMBER_MANGLED = "number_mangled"  # the spreadsheet stored it as a number; digits are lost
    BAD_SHAPE = "bad_shape"  # not 17 digits + digit/X
    BAD_DATE = "bad_date"  # birth date does not exist or lies in the future
    BAD_CHECKSUM = "bad_checksum"


@dataclass(frozen=True, slots=True)
class IdCheck:
    """The outcome of checking one ID number: its normalised text and the problem, if any."""

    normalized: str
    problem: IdProblem | None

    @property
    def valid(self) -> bool:
        """True when the number passes every rule of GB 11643."""
        return self.problem is None


def check_char(first17: str) -> str:
    """The check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: object) -> str:
    """Text form of an ID cell: stripped, full-width digits folded, inner spaces removed, x → X."""
    if raw is None:
        return ""
    text = str(raw).translate(_FULLWIDTH).strip()
    text = re.sub(r"[\s\u3000]+", "", text)
    return text.upper()


_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x"})


def is_number_mangled(raw: object) -> bool:
    """True when the value is a number or looks like one that a spreadsheet wrote (lost digits)."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int | float):
        return True
    return bool(_NUMERIC_LOOKING.match(normalize(raw)))


def birth_date(number: str) -> dt.date | None:
    """The birth date encoded in an 18-character ID, or None when it is not a real date."""
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check(raw: object, today: dt.date | None = None) -> IdCheck:
    """Check a raw cell value as a resident ID number."""
    if is_number_mangled(raw):
        return IdCheck(normalize(raw), IdProblem.NUMBER_MANGLED)
    text = normalize(raw)
    if not text:
        return IdCheck(text, IdProblem.EMPTY)
    if not _SHAPE.match(text):
        return IdCheck(text, IdProblem.BAD_SHAPE)
    born = birth_date(text)
    if born is None or born.year < 1880 or born > (today or office_time.today()):
        return IdCheck(text, IdProblem.BAD_DATE)
    if check_char(text[:17]) != text[17]:
        return IdCheck(text, IdProblem.BAD_CHECKSUM)
    return IdCheck(text, None)


def is_valid(raw: object) -> bool:
    """True when the value is a valid resident ID number."""
    return check(raw).valid


def mask(number: str | None) -> str:
    """Masked form for screens and paper: 330803********1234. Short or empty input stays unrevealing."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(region: str, born: dt.date, sequence: int) -> str:
    """Build a valid ID number from a 6-digit region code, a birth date and a 3-digit sequence."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"cannot build an ID from {region!r}, {born}, {sequence}")
    return first17 + check_char(first17)
