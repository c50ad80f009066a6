"""Settings of the database itself (table app_setting: key → text), read and written on a Connection."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from reception_desk.db.models import AppSetting, table

SETTINGS = table(AppSetting)


def get(conn: Connection, key: str) -> str | None:
    """The value saved under `key`, or None."""
    return conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.key == key))


def put(conn: Connection, key: str, value: str) -> None:
    """Save `value` under `key` (insert or update)."""
    if get(conn, key) is None:
        conn.execute(insert(SETTINGS).values(key=key, value=value))
    else:
        conn.execute(update(SETTINGS).where(SETTINGS.c.key == key).values(value=value))
