"""The data keys this process holds, by database, and which database the current unit of work is in.

A login (or, for a database without users, the laptop's key file) puts the database's Vault here; the storage
layer's encrypted columns and the lookup hashes take it from the unit of work in progress (a context variable set
by Database.session/read), so no service carries a key around and none is ever written to disk in clear.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from reception_desk.privacy.vault import DataLockedError, Vault

_VAULTS: dict[str, Vault] = {}
_CURRENT: ContextVar[str | None] = ContextVar("reception_desk_database_id", default=None)

ROTATING = "reception_desk_rotating_data_key"  # Session.info flag of the unit of work that rotates the key
ROTATED_MESSAGE = "本数据库的数据密钥已由管理员轮换，本次操作未保存：请重新登录后再试。"
LOCKED_MESSAGE = "本数据库的个人信息已加密，尚未解锁：请用本数据库的用户登录（或在建立数据库的电脑上打开）。"


def register(database_id: str, vault: Vault) -> None:
    """Hold a database's data key for the rest of the process (or until forget)."""
    _VAULTS[database_id] = vault


def forget(database_id: str | None = None) -> None:
    """Drop one database's key (logout), or every key."""
    if database_id is None:
        _VAULTS.clear()
    else:
        _VAULTS.pop(database_id, None)


def vault_for(database_id: str | None) -> Vault | None:
    """The key held for a database, if any."""
    return _VAULTS.get(database_id) if database_id else None


def current_id() -> str | None:
    """The database the current unit of work is in."""
    return _CURRENT.get()


def active() -> Vault:
    """The key of the current unit of work's database; DataLockedError when this process holds none."""
    vault = vault_for(_CURRENT.get())
    if vault is None:
        raise DataLockedError(LOCKED_MESSAGE)
    return vault


@contextmanager
def using(database_id: str | None) -> Iterator[None]:
    """Make `database_id` the current database for the block."""
    token = _CURRENT.set(database_id)
    try:
        yield
    finally:
        _CURRENT.reset(token)
