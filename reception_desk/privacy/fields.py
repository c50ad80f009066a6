"""The stored columns of a person's resident ID and phone: the value (encrypted by the column type), its keyed
hash for exact look-ups and its last four characters for the desk's search."""

from __future__ import annotations

from reception_desk.privacy import unlocked

ID_KIND = "id"
PHONE_KIND = "phone"


def id_hash(number: str) -> str:
    """The keyed hash of a resident ID (upper case)."""
    return unlocked.active().digest(ID_KIND, number.strip().upper())


def phone_hash(digits: str) -> str:
    """The keyed hash of a phone number's digits."""
    return unlocked.active().digest(PHONE_KIND, digits.strip())


def id_columns(number: str | None) -> dict[str, str | None]:
    """id_number, id_hash, id_last4 for a resident ID (all empty for none)."""
    if not number:
        return {"id_number": None, "id_hash": None, "id_last4": ""}
    return {"id_number": number, "id_hash": id_hash(number), "id_last4": number.strip().upper()[-4:]}


def phone_columns(digits: str | None) -> dict[str, str]:
    """phone, phone_hash, phone_last4 for a phone number ("" for none)."""
    if not digits:
        return {"phone": "", "phone_hash": "", "phone_last4": ""}
    return {"phone": digits, "phone_hash": phone_hash(digits), "phone_last4": digits.strip()[-4:]}
