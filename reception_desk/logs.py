"""The log file (reception-desk.log) without personal data: database errors are logged by what failed, not with
the row's values.

SQLAlchemy appends the bound parameters to its error messages (the engines hide them: hide_parameters=True),
and the driver's own message may carry a PostgreSQL DETAIL line ("Key (id_number)=(…)", "Failing row contains
(…)"). The formatter here writes a database error as its class, the driver's first line and the SQL text (which
holds placeholders only), in messages and tracebacks alike. No SQLAlchemy import: the CLI's --help and the
window's first paint load this module.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DRIVERS = ("sqlite3", "psycopg", "psycopg2", "sqlalchemy")


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.split(".")[0] in _DRIVERS


def safe_message(exc: BaseException) -> str:
    """What an exception says, fit for the log: a database error without the row's values."""
    if not _is_database_error(exc):
        return str(exc)
    orig = getattr(exc, "orig", None)
    statement = getattr(exc, "statement", None)
    if orig is not None:
        text = f"({type(orig).__module__}.{type(orig).__name__}) {_first_line(str(orig))}"
    else:
        text = _first_line(str(exc)) if statement is None else _first_line(str(exc).split("[SQL:")[0])
    if statement:
        text += f"\n[SQL: {statement}]"
    return text


def safe_traceback(exc: BaseException) -> str:
    """The traceback as Python prints it (causes and contexts too), each database error by safe_message."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = (
                current.__cause__,
                "\nThe above exception was the direct cause of the following exception:\n\n",
            )
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = (
                current.__context__,
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            )
        else:
            current = None
    parts: list[str] = []
    for item, following in reversed(chain):
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(item.__traceback__))
        name = type(item).__qualname__
        module = type(item).__module__
        if module not in ("builtins", "__main__"):
            name = f"{module}.{name}"
        message = safe_message(item)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        parts.append(following)
    return "".join(parts).rstrip("\n")


class SafeFormatter(logging.Formatter):
    """A formatter whose tracebacks and exception arguments leave the row values of database errors out."""

    def formatException(  # logging's own name
        self, ei: tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
    ) -> str:
        """The traceback, database errors without values."""
        exc = ei[1]
        return safe_traceback(exc) if exc is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        """The record with exceptions among its arguments written by safe_message."""
        # a copy: the record's cached exc_text may come from another handler's plain formatter
        record = logging.makeLogRecord(record.__dict__)
        record.exc_text = None
        args: Any = record.args
        if isinstance(args, tuple) and any(isinstance(a, BaseException) for a in args):
            record.args = tuple(safe_message(a) if isinstance(a, BaseException) else a for a in args)
        return super().format(record)


def file_handler(path: Path) -> logging.FileHandler:
    """A UTF-8 handler for the log file, with the safe formatter."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(SafeFormatter(LOG_FORMAT))
    return handler
