"""Files only their owner can read: the database, its WAL and SHM, backups, exports, printed PDFs and the log.

On Linux and macOS a file is made 0600 and a folder 0700, so another account on the laptop reads nothing. On
Windows the data folder is under %LOCALAPPDATA%, which only the user and the administrators can read; chmod
there only toggles the read-only flag, so nothing is changed. No Qt, no SQLAlchemy: the log and the CLI load this.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
POSIX = os.name == "posix"


def owner_only(path: Path | str) -> None:
    """Make a file 0600 or a folder 0700 (POSIX; nothing on Windows, nothing when it is gone)."""
    if not POSIX:
        return
    target = Path(path)
    with suppress(OSError):  # gone meanwhile, or not ours: the caller's own open or write says what is wrong
        target.chmod(DIR_MODE if target.is_dir() else FILE_MODE)


def private_dir(path: Path | str) -> Path:
    """The folder, created when missing, owner-only (0700)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    owner_only(folder)
    return folder


def create_private(path: Path | str) -> Path:
    """Create the file empty and 0600 when it does not exist yet; an existing file is made 0600, not emptied."""
    target = Path(path)
    with suppress(FileExistsError):
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    owner_only(target)
    return target


@contextmanager
def private_umask() -> Iterator[None]:
    """New files and folders in this block are created owner-only (umask 077), whoever creates them.

    The umask belongs to the whole process: keep the block short (a library call that opens a file by name).
    """
    if not POSIX:
        yield
        return
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
