"""Files written whole or not at all: a temporary file beside the target, renamed over it when complete.

A print or export killed midway (a crash, a full disk, the power) then leaves the older file as it was, never a
0-byte or half-written one under the real name; the temporary file is removed when the writing fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

PART_SUFFIX = ".part"


def temporary_beside(path: Path) -> Path:
    """A fresh hidden name in the target's folder (the same file system, so the rename is atomic)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{PART_SUFFIX}")


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write; when the block ends without error it replaces `path` (os.replace)."""
    target = Path(path)
    tmp = temporary_beside(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write `data` to `path` whole: beside it first, then renamed over it."""
    with replacing(path) as tmp, tmp.open("xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
