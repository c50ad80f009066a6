"""Errors an operation raises; the message is in Chinese and fit to show to the user. No Qt here."""

from __future__ import annotations


class ServiceError(Exception):
    """An operation could not be done; nothing was changed."""


class NotFoundError(ServiceError):
    """The row asked for does not exist (any more)."""


class InvalidInputError(ServiceError):
    """The input breaks a rule of the domain."""


class UnusableInputError(ServiceError):
    """A file cannot be read at all (missing, not a spreadsheet, no header row)."""


class StaleWriteError(ServiceError):
    """Somebody else changed the row since it was read: the write is refused, not silently applied."""

    def __init__(
        self,
        entity: str,
        entity_id: int | None = None,
        expected: int | None = None,
        actual: int | None = None,
    ) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.expected = expected
        self.actual = actual
        which = f"（{entity} #{entity_id}）" if entity_id is not None else f"（{entity}）"
        super().__init__(f"该记录{which}已被他人修改，为避免覆盖他人的修改，本次保存未执行。请刷新后重试。")
