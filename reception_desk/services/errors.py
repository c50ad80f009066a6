"""Errors a service raises (defined Qt-free in reception_desk.errors, shared with the storage layer)."""

from __future__ import annotations

from reception_desk.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    StaleWriteError,
    UnusableInputError,
)

__all__ = [
    "AuthenticationError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ServiceError",
    "StaleWriteError",
    "UnusableInputError",
]
