"""A column type that stores text encrypted under the current database's data key (privacy/unlocked.py).

Reading a row decrypts, writing encrypts with a fresh nonce, so the same value is stored differently every time:
such a column can only be tested for NULL. Look-ups go through the keyed-hash and last-four columns beside it,
and comparing the column itself raises, so a query that would silently never match cannot be written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

from reception_desk.privacy import unlocked

_ALLOWED = {operators.is_, operators.is_not, operators.asc_op, operators.desc_op}


class EncryptedText(TypeDecorator[str]):
    """Text stored as AES-GCM ciphertext; `empty` is what a NULL reads as ("" for a phone, None for an ID)."""

    impl = LargeBinary
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op not in _ALLOWED:
                raise TypeError("encrypted column: compare its _hash or _last4 column instead")
            return super().operate(op, *other, **kwargs)

    def __init__(self, purpose: str, empty: str | None = None) -> None:
        super().__init__()
        self.purpose = purpose
        self.empty = empty

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if not value:
            return None
        return unlocked.active().encrypt(value, self.purpose)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return self.empty
        return unlocked.active().decrypt(value, self.purpose)

    def copy(self, **kw: Any) -> EncryptedText:
        return EncryptedText(self.purpose, self.empty)
