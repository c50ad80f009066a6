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


# what a stale row is called in the refusal, by table (the storage layer reports its table) or model name
ENTITY_NAMES = {
    "reception_day": "接访日",
    "ReceptionDay": "接访日",
    "theme": "问题类别",
    "Theme": "问题类别",
    "room": "接待室",
    "Room": "接待室",
    "department": "单位",
    "Department": "单位",
    "theme_department": "问题类别的责任单位",
    "visitor": "来访人",
    "Visitor": "来访人",
    "batch": "批次",
    "Batch": "批次",
    "batch_member": "来访人员",
    "BatchMember": "来访人员",
    "petition_case": "信访事项",
    "case": "信访事项",
    "Case": "信访事项",
    "case_department": "信访事项的协办单位",
    "case_event": "办理记录",
    "CaseEvent": "办理记录",
    "calendar_year": "节假日安排",
    "calendar_day": "节假日安排",
    "audit_log": "操作记录",
    "case_draft": "草稿",
    "CaseDraft": "草稿",
}


def entity_name(entity: str) -> str:
    """The Chinese word for a table or model name ("room" → 接待室); Chinese words pass unchanged."""
    if entity in ENTITY_NAMES:
        return ENTITY_NAMES[entity]
    return entity if entity and not entity.isascii() else "记录"


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
        which = entity_name(entity) + (f"（#{entity_id}）" if entity_id is not None else "")
        super().__init__(f"该{which}已被他人修改，为避免覆盖他人的修改，本次保存未执行。请刷新后重试。")


class DatabaseBusyError(ServiceError):
    """The database stayed locked by another writer for longer than the busy timeout; nothing was changed."""


class ConnectionLostError(ServiceError):
    """The connection to the database server broke during the operation (a restart, the network): retry it."""

    def __init__(self, message: str, committing: bool = False) -> None:
        self.committing = committing  # lost at COMMIT: the write may or may not be in the database
        super().__init__(message)


class PermissionDeniedError(ServiceError):
    """The acting user's role may not do this (the CLI exits 3); nothing was changed."""


class AuthenticationError(ServiceError):
    """A wrong user name or password, a disabled or a locked account (the CLI exits 3)."""
