"""The data key of a database: who holds it, and its rotation (admin), Qt-free.

A rotation makes a new data key (generation + 1) and, in one transaction, re-encrypts every visitor's resident ID
and phone under it (read with the old key, written with the new), recomputes their keyed hashes, and seals the new
key to every key holder. The process switches to the new key only after the commit; a rollback leaves the old key
and every stored value as they were. Other laptops open the new key at their next login.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from reception_desk.db import keystore
from reception_desk.db.engine import Database
from reception_desk.db.models import Visitor, table
from reception_desk.domain.roles import Permission
from reception_desk.errors import StaleWriteError
from reception_desk.privacy import fields, unlocked
from reception_desk.privacy.vault import DataLockedError, Vault, new_data_key
from reception_desk.services import audit, authz
from reception_desk.services.backup import raw_table

ID_PURPOSE = "visitor.id_number"
PHONE_PURPOSE = "visitor.phone"
CHUNK = 2000


@dataclass(frozen=True)
class Rotation:
    """What a rotation changed."""

    database_id: str
    old_generation: int
    generation: int
    visitors: int
    ids: int
    phones: int
    holders: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class KeyInfo:
    """The current data key's generation and who holds it (no key material)."""

    database_id: str | None
    generation: int | None
    holders: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "database_id": self.database_id,
            "generation": self.generation,
            "holders": [
                {**h, "created_at": h["created_at"].isoformat() if h.get("created_at") else None} for h in self.holders
            ],
        }


def list_keys(db: Database, actor: str) -> KeyInfo:
    """The data key's generation and its holders (admin)."""
    with db.read() as session:
        authz.require(session, actor, Permission.ADMIN)
        conn = session.connection()
        db_id = keystore.database_id(conn)
        if db_id is None:
            return KeyInfo(None, None, [])
        return KeyInfo(db_id, keystore.generation(conn), keystore.holders(conn))


def _lock_for_rotation(session: Session) -> None:
    # PostgreSQL: no other laptop writes a visitor or grants the key while the values change key (they may read)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE visitor, key_holder IN SHARE ROW EXCLUSIVE MODE"))


def rotate(db: Database, actor: str) -> Rotation:
    """A new data key for the database: every ID and phone re-encrypted, the key resealed to every holder (admin).

    DataLockedError when this process does not hold the current key; StaleWriteError when another laptop rotated
    it meanwhile.
    """
    db_id = db.database_id()
    old = unlocked.vault_for(db_id)
    if db_id is None or old is None:
        raise DataLockedError(unlocked.LOCKED_MESSAGE)
    new = Vault(new_data_key(), old.generation + 1)
    visitor = raw_table(table(Visitor))  # the stored columns (id_cipher, phone_cipher) as bytes
    c = visitor.c
    with db.session() as session:  # unlocked.using(db_id) for the whole unit of work
        session.info[unlocked.ROTATING] = True  # this unit of work moves the generation on purpose
        authz.require(session, actor, Permission.ADMIN)
        _lock_for_rotation(session)
        conn = session.connection()
        if keystore.generation(conn) != old.generation:
            raise StaleWriteError("数据密钥")
        rows = conn.execute(select(c.id, c.id_cipher, c.phone_cipher).order_by(c.id)).all()
        params: list[dict[str, Any]] = []
        ids = phones = 0
        for vid, id_cipher, phone_cipher in rows:
            number = old.decrypt(id_cipher, ID_PURPOSE) if id_cipher is not None else None
            phone = old.decrypt(phone_cipher, PHONE_PURPOSE) if phone_cipher is not None else None
            ids += number is not None
            phones += phone is not None
            params.append(
                {
                    "v_id": vid,
                    "v_id_cipher": new.encrypt(number, ID_PURPOSE) if number else None,
                    "v_id_hash": new.digest(fields.ID_KIND, number.strip().upper()) if number else None,
                    "v_phone_cipher": new.encrypt(phone, PHONE_PURPOSE) if phone else None,
                    "v_phone_hash": new.digest(fields.PHONE_KIND, phone.strip()) if phone else "",
                }
            )
        stmt = (
            update(visitor)
            .where(c.id == bindparam("v_id"))
            .values(
                id_cipher=bindparam("v_id_cipher"),
                id_hash=bindparam("v_id_hash"),
                phone_cipher=bindparam("v_phone_cipher"),
                phone_hash=bindparam("v_phone_hash"),
            )
            .execution_options(synchronize_session=False)
        )
        for start in range(0, len(params), CHUNK):
            conn.execute(stmt, params[start : start + CHUNK])
        holders = keystore.reseal_all(conn, new)
        audit.record(
            session,
            actor,
            "rotate_data_key",
            "key_holder",
            None,
            before={"generation": old.generation},
            after={
                "generation": new.generation,
                "visitors": len(rows),
                "ids": ids,
                "phones": phones,
                "holders": holders,
            },
        )
    unlocked.register(db_id, new)  # only now: a rollback above leaves the old key in use
    return Rotation(db_id, old.generation, new.generation, len(rows), ids, phones, holders)
