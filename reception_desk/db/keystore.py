"""The data key of a database, kept sealed in `key_holder` (privacy/wrapping.py), and the Core statements that
create, open, grant and rotate it. Works on a plain Connection, so the migration that encrypts an existing database
and the services share it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, insert, inspect, select, update

from reception_desk.db import app_settings
from reception_desk.db.models import AppUser, KeyHolder, table, utcnow
from reception_desk.privacy import device_keys, unlocked, wrapping
from reception_desk.privacy.vault import Vault, new_data_key

DATABASE_ID = "database_id"
GENERATION = "data_key_generation"

HOLDERS = table(KeyHolder)
USERS = table(AppUser)


def user_holder(name: str) -> str:
    """The holder name of a user."""
    return f"user:{name}"


def database_id(conn: Connection) -> str | None:
    """The database's own id (set by migration 0008), None for a database not yet migrated."""
    if not inspect(conn).has_table(KeyHolder.__tablename__):
        return None
    return app_settings.get(conn, DATABASE_ID)


def generation(conn: Connection) -> int:
    """The current data key's generation."""
    return int(app_settings.get(conn, GENERATION) or 1)


def create(conn: Connection) -> Vault:
    """A new data key for a database that has none: the laptop holds it (a key file) until users take over."""
    db_id = app_settings.get(conn, DATABASE_ID)
    if db_id is None:
        db_id = uuid.uuid4().hex
        app_settings.put(conn, DATABASE_ID, db_id)
    app_settings.put(conn, GENERATION, "1")
    vault = Vault(new_data_key(), 1)
    _add_device(conn, db_id, vault)
    unlocked.register(db_id, vault)
    return vault


def _add_device(conn: Connection, db_id: str, vault: Vault) -> None:
    pair = wrapping.new_key_pair()
    holder = f"device:{db_id}-{uuid.uuid4().hex[:8]}"
    device_keys.write(holder, pair.private)
    conn.execute(
        insert(HOLDERS).values(
            holder=holder,
            user_id=None,
            public_key=pair.public,
            private_wrapped=None,
            kdf={},
            sealed_key=wrapping.seal(vault.data_key, pair.public),
            generation=vault.generation,
            created_at=utcnow(),
        )
    )


def open_with_device(conn: Connection, db_id: str) -> Vault | None:
    """The data key through a key file of this laptop, if it has one for this database."""
    rows = conn.execute(
        select(HOLDERS.c.holder, HOLDERS.c.sealed_key, HOLDERS.c.generation).where(HOLDERS.c.holder.like("device:%"))
    ).all()
    for holder, sealed, gen in rows:
        private = device_keys.read(holder)
        if private is None:
            continue
        try:
            vault = Vault(wrapping.open_sealed(sealed, private), int(gen))
        except wrapping.WrongKeyError:
            continue
        unlocked.register(db_id, vault)
        return vault
    return None


def open_with_password(conn: Connection, db_id: str, name: str, password: str) -> Vault | None:
    """The data key through a user's password; None when the user holds no key yet (see grant)."""
    row = conn.execute(
        select(HOLDERS.c.private_wrapped, HOLDERS.c.kdf, HOLDERS.c.sealed_key, HOLDERS.c.generation).where(
            HOLDERS.c.holder == user_holder(name)
        )
    ).first()
    if row is None or row.private_wrapped is None:
        return None
    private = wrapping.unwrap_private(row.private_wrapped, dict(row.kdf), password)
    vault = Vault(wrapping.open_sealed(row.sealed_key, private), int(row.generation))
    unlocked.register(db_id, vault)
    return vault


def grant(conn: Connection, vault: Vault, user_id: int, name: str, password: str) -> None:
    """Give a user the data key: a fresh key pair, its private half wrapped under his password (replaces any)."""
    pair = wrapping.new_key_pair()
    wrapped, params = wrapping.wrap_private(pair.private, password)
    conn.execute(delete(HOLDERS).where(HOLDERS.c.holder == user_holder(name)))
    conn.execute(
        insert(HOLDERS).values(
            holder=user_holder(name),
            user_id=user_id,
            public_key=pair.public,
            private_wrapped=wrapped,
            kdf=params,
            sealed_key=wrapping.seal(vault.data_key, pair.public),
            generation=vault.generation,
            created_at=utcnow(),
        )
    )


def rewrap(conn: Connection, name: str, old_password: str, new_password: str) -> bool:
    """A user's own password change: the same private key, wrapped under the new password. False: no key held."""
    row = conn.execute(
        select(HOLDERS.c.id, HOLDERS.c.private_wrapped, HOLDERS.c.kdf).where(HOLDERS.c.holder == user_holder(name))
    ).first()
    if row is None or row.private_wrapped is None:
        return False
    private = wrapping.unwrap_private(row.private_wrapped, dict(row.kdf), old_password)
    wrapped, params = wrapping.wrap_private(private, new_password)
    conn.execute(update(HOLDERS).where(HOLDERS.c.id == row.id).values(private_wrapped=wrapped, kdf=params))
    return True


def retire_devices_if_covered(conn: Connection) -> list[str]:
    """Once every active user holds the key, the laptop key files are no longer needed: removed. Returns them."""
    active = set(conn.scalars(select(USERS.c.name).where(USERS.c.active.is_(True))))
    if not active:
        return []
    holders = set(conn.scalars(select(HOLDERS.c.holder)))
    if any(user_holder(n) not in holders for n in active):
        return []
    devices = sorted(h for h in holders if h.startswith("device:"))
    if devices:
        conn.execute(delete(HOLDERS).where(HOLDERS.c.holder.in_(devices)))
    return devices


def forget_device_files(devices: Iterable[str]) -> None:
    """Delete the key files of retired device holders (after the transaction that retired them committed)."""
    for holder in devices:
        device_keys.remove(holder)


def holders(conn: Connection) -> list[dict[str, Any]]:
    """Who holds the data key (no key material)."""
    return [
        {"holder": h, "generation": int(g), "created_at": c}
        for h, g, c in conn.execute(
            select(HOLDERS.c.holder, HOLDERS.c.generation, HOLDERS.c.created_at).order_by(HOLDERS.c.holder)
        )
    ]


def reseal_all(conn: Connection, vault: Vault) -> int:
    """Seal a (new) data key to every holder's public key; returns how many."""
    count = 0
    for hid, public in conn.execute(select(HOLDERS.c.id, HOLDERS.c.public_key)).all():
        conn.execute(
            update(HOLDERS)
            .where(HOLDERS.c.id == hid)
            .values(sealed_key=wrapping.seal(vault.data_key, bytes(public)), generation=vault.generation)
        )
        count += 1
    app_settings.put(conn, GENERATION, str(vault.generation))
    return count
