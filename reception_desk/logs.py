"""The log file (reception-desk.log) without personal data: database errors are logged by what failed, not with
the row's values.

SQLAlchemy appends the bound parameters to its error messages (the engines hide them: hide_parameters=True),
and the driver's own message may carry a PostgreSQL DETAIL line ("Key (id_number)=(…)", "Failing row contains
(…)"). The formatter here writes a database error as its class, the driver's first line and the SQL text (which
holds placeholders only), in messages and tracebacks alike. No SQLAlchemy import: the CLI's --help and the
window's first paint load this module.

Whatever else reaches the log (an exception's own message quoting a cell, a local variable in a traceback line,
a caller's careless %s) is scrubbed last: every resident ID number and phone number in the written line, its
arguments, the traceback and the stack becomes its masked form (330803********1234, 139****2345). The file itself
is created owner-only (0600).
"""

from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from reception_desk.domain import phone as phone_numbers
from reception_desk.domain import resident_id
from reception_desk.private_files import create_private

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_DRIVERS = ("sqlite3", "psycopg", "psycopg2", "sqlalchemy")


# 15 to 18 characters, the last may be X: real IDs (18, or the old 15) and mistyped ones (a digit short) alike;
# never part of a longer run of digits (an amount, a hash's decimal form).
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9])")
# mobiles as stored (13957012345) or shown (139 5701 2345, 139-5701-2345); landlines with their area code
# (0570-3023456, 05703023456, 010 12345678)
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
_LANDLINE = re.compile(r"(?<![0-9])0[0-9]{2,3}[ -]?[0-9]{7,8}(?![0-9])")


def _masked_id(match: re.Match[str]) -> str:
    return resident_id.mask(match.group(0).upper())


def _masked_phone(match: re.Match[str]) -> str:
    return phone_numbers.mask(re.sub(r"[ -]", "", match.group(0)))


def scrub(text: str) -> str:
    """The text with every resident ID number and phone number replaced by its masked form."""
    if not any(ch.isdigit() for ch in text):
        return text
    text = _ID_NUMBER.sub(_masked_id, text)
    text = _MOBILE.sub(_masked_phone, text)
    return _LANDLINE.sub(_masked_phone, text)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _is_database_error(exc: BaseException) -> bool:
    module = type(exc).__module__ or ""
    return module.split(".")[0] in _DRIVERS


def safe_message(exc: BaseException) -> str:
    """What an exception says, fit for the log: a database error without the row's values, ID and phone numbers
    masked (the CLI prints its first line too)."""
    if not _is_database_error(exc):
        return scrub(str(exc))
    orig = getattr(exc, "orig", None)
    statement = getattr(exc, "statement", None)
    if orig is not None:
        text = f"({type(orig).__module__}.{type(orig).__name__}) {_first_line(str(orig))}"
    else:
        text = _first_line(str(exc)) if statement is None else _first_line(str(exc).split("[SQL:")[0])
    if statement:
        text += f"\n[SQL: {statement}]"
    return scrub(text)


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
    """A formatter whose tracebacks and exception arguments leave the row values of database errors out, and
    whose every line has its ID and phone numbers masked."""

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
        # the whole line: message, arguments, traceback (exc_text) and stack_info
        return scrub(super().format(record))


class ScrubFilter(logging.Filter):
    """A handler filter that masks ID and phone numbers in a record's message and arguments before any formatter
    sees them (for a handler whose formatter is not ours); the traceback is left to SafeFormatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: the record is rewritten, never dropped."""
        args: Any = record.args
        if isinstance(args, tuple) and any(isinstance(a, BaseException) for a in args):
            args = tuple(safe_message(a) if isinstance(a, BaseException) else a for a in args)
        try:
            message = str(record.msg) % args if args else str(record.msg)
        except (TypeError, ValueError, KeyError):
            return True  # a broken format: logging reports it; the formatter still scrubs what is written
        record.msg, record.args = scrub(message), None
        return True


def file_handler(path: Path) -> logging.FileHandler:
    """A UTF-8 handler for the log file (created 0600), with the scrubbing filter and the safe formatter."""
    create_private(path)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(ScrubFilter())
    handler.setFormatter(SafeFormatter(LOG_FORMAT))
    return handler
