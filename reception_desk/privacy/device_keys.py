"""A laptop's own key file for a database that has no users yet (one laptop, no login): data folder/keys/<id>.key.

The file is created owner-only (0600, its folder 0700). A copy of the database without this file, and without a
user's password, opens nothing. Once every user of the database holds the key, the file is removed.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from reception_desk.db import data_dir

KEY_DIR_VAR = "RECEPTION_DESK_KEY_DIR"


def key_dir() -> Path:
    """The folder of this laptop's key files ($RECEPTION_DESK_KEY_DIR, else the data folder's keys/)."""
    chosen = os.environ.get(KEY_DIR_VAR, "").strip()
    path = Path(chosen) if chosen else data_dir() / "keys"
    path.mkdir(parents=True, exist_ok=True)
    with suppress(OSError):
        path.chmod(0o700)
    return path


def key_path(holder: str) -> Path:
    """The key file of a device holder ("device:<id>")."""
    return key_dir() / f"{holder.split(':', 1)[-1]}.key"


def write(holder: str, private: bytes) -> Path:
    """Store a device holder's private key, owner-only."""
    path = key_path(holder)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, private.hex().encode() + b"\n")
    finally:
        os.close(fd)
    with suppress(OSError):
        path.chmod(0o600)
    return path


def read(holder: str) -> bytes | None:
    """A device holder's private key, or None when this laptop does not have it."""
    path = key_path(holder)
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def remove(holder: str) -> None:
    """Delete a device holder's key file (overwritten first)."""
    path = key_path(holder)
    with suppress(OSError):
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
