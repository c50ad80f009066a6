"""Phone numbers as people write them: full-width digits, spaces, dashes, +86; mobile or landline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"－": "-", "（": "(", "）": ")"})
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_LOCAL = re.compile(r"^[2-8]\d{6,7}$")


class PhoneKind(Enum):
    """What sort of number a phone is."""

    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class Phone:
    """A normalised phone number: digits only (landlines keep their area code)."""

    digits: str
    kind: PhoneKind

    def display(self) -> str:
        """Readable form: 138 0570 1234, 0570-8881234."""
        if self.kind is PhoneKind.MOBILE:
            d = self.digits
            return f"{d[:3]} {d[3:7]} {d[7:]}"
        area = 3 if self.digits[:2] in {"01", "02"} else 4
        return f"{self.digits[:area]}-{self.digits[area:]}"


def normalize(raw: object, default_area: str = "0570") -> Phone | None:
    """Parse a phone cell; None when it is not a usable number. Local landlines get default_area."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).translate(_FULLWIDTH).strip()
    text = re.sub(r"[\s\u3000\-()（）.]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if _MOBILE.match(text):
        return Phone(text, PhoneKind.MOBILE)
    if _LANDLINE.match(text):
        return Phone(text, PhoneKind.LANDLINE)
    if _LOCAL.match(text):
        return Phone(default_area + text, PhoneKind.LANDLINE)
    return None


def mask(digits: str | None) -> str:
    """Partly masked phone for printed lists: 138****1234."""
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:2] + "*" * (len(digits) - 2)
    return digits[:3] + "****" + digits[-4:]
