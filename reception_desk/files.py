"""Files written whole or not at all: a temporary file beside the target, renamed over it when complete.

A print or export killed midway (a crash, a full disk, the power) then leaves the older file as it was, never a
0-byte or half-written one under the real name; the temporary file is removed when the writing fails.

The temporary file is created owner-only (0600) before anyone writes to it, so the finished export or PDF, which
carries names and cases, is never readable by another account on the laptop (private_files.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reception_desk.private_files import create_private, owner_only

PART_SUFFIX = ".part"


def temporary_beside(path: Path) -> Path:
    """A fresh hidden name in the target's folder (the same file system, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{PART_SUFFIX}")


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write (it exists, empty and 0600: open it with "w", not "x"); when the block ends
    without error it replaces `path` (os.replace), which is then owner-only too."""
    target = Path(path)
    tmp = temporary_beside(target)
    try:
        create_private(tmp)
        yield tmp
        owner_only(tmp)  # a writer that removed and recreated the file made it with the umask's mode
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` whole: beside it first, then renamed over it."""
    with replacing(path) as tmp, tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
