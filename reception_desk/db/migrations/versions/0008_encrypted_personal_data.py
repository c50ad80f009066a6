"""encrypted personal data: resident IDs and phones stored AES-GCM encrypted, found by keyed hash and last four

Revision ID: 0008_encrypted_personal_data
Revises: 0007_number_counters
Create Date: 2026-12-02

A new data key is made (db/keystore.py): this laptop holds it in a key file until the database's users take it over
at their next login. Every visitor's ID and phone are encrypted in place and the clear columns dropped, together
with what copied them: the SQLite phone full-text table and the ID-tail expression index. The name full-text index
is rebuilt without the phone. `db upgrade` backs the file up first and, after this step, VACUUMs it (SQLite) so
no freed page keeps a clear number (PostgreSQL: VACUUM FULL visitor).

On SQLite `visitor` is rebuilt by hand (copy aside, drop, create, copy back) with the foreign keys deferred, not in
Alembic's batch mode: its "move and copy" drops the old table while batches still point at its rows, which SQLite
refuses while it enforces foreign keys; copying the rows back into the new `visitor` settles every reference.

The downgrade decrypts with the key this process holds (a login, or this laptop's key file) and puts back what
0007 had: the clear columns, their unique constraint and index, and 0002's ID-tail index and (SQLite) the phone
and name full-text tables with their triggers.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

from reception_desk.privacy import unlocked
from reception_desk.privacy.vault import DataLockedError, Vault

revision = "0008_encrypted_personal_data"
down_revision = "0007_number_counters"
branch_labels = None
depends_on = None

CHUNK = 2000
ID_PURPOSE = "visitor.id_number"
PHONE_PURPOSE = "visitor.phone"
# the columns both forms of `visitor` share (0001, and 0006's version)
COMMON = ["id", "name", "name_initials", "id_valid", "township", "village", "created_at", "version"]
ENCRYPTED = ["id_cipher", "id_hash", "id_last4", "phone_cipher", "phone_hash", "phone_last4"]
CLEAR = ["id_number", "phone"]


def _visitor_table(encrypted: bool) -> sa.Table:
    """`visitor` as this step leaves it (encrypted) or as 0007 had it (clear), with its constraints and indexes."""
    common: list[SchemaItem] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_initials", sa.String(100), nullable=False),
        sa.Column("id_valid", sa.Boolean(), nullable=False),
        sa.Column("township", sa.String(50), nullable=False),
        sa.Column("village", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visitor"),
        sa.Index("ix_visitor_name_initials", "name_initials"),
    ]
    extra: list[SchemaItem]
    if encrypted:
        extra = [
            sa.Column("id_cipher", sa.LargeBinary(), nullable=True),
            sa.Column("id_hash", sa.String(64), nullable=True),
            sa.Column("id_last4", sa.String(4), nullable=False, server_default=""),
            sa.Column("phone_cipher", sa.LargeBinary(), nullable=True),
            sa.Column("phone_hash", sa.String(64), nullable=False, server_default=""),
            sa.Column("phone_last4", sa.String(4), nullable=False, server_default=""),
            sa.UniqueConstraint("id_hash", name="uq_visitor_id_hash"),
            sa.Index("ix_visitor_id_last4", "id_last4"),
            sa.Index("ix_visitor_phone_last4", "phone_last4"),
            sa.Index("ix_visitor_name_phone_hash", "name", "phone_hash"),
        ]
    else:
        extra = [
            sa.Column("id_number", sa.String(18), nullable=True),
            sa.Column("phone", sa.String(20), nullable=False),
            sa.UniqueConstraint("id_number", name="uq_visitor_id_number"),
            sa.Index("ix_visitor_name_phone", "name", "phone"),
        ]
    return sa.Table("visitor", sa.MetaData(), *common, *extra)


def _rebuild_sqlite_visitor(conn: sa.Connection, encrypted: bool) -> None:
    """Give `visitor` its other form on SQLite, keeping every row and id.

    The rows are copied aside, the table dropped and created anew, and the rows copied back. Foreign keys are
    deferred to the commit: dropping `visitor` leaves the batches' references open for a moment, and each row copied
    back into the new table settles its own (SQLite counts them); PRAGMA foreign_key_check confirms none is left.
    """
    columns = ", ".join(COMMON + (ENCRYPTED if encrypted else CLEAR))
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.visitor_rebuild")
    conn.exec_driver_sql(f"CREATE TEMP TABLE visitor_rebuild AS SELECT {columns} FROM main.visitor")
    conn.exec_driver_sql("DROP TABLE main.visitor")
    _visitor_table(encrypted).create(conn)
    conn.exec_driver_sql(f"INSERT INTO main.visitor ({columns}) SELECT {columns} FROM temp.visitor_rebuild ORDER BY id")
    conn.exec_driver_sql("DROP TABLE temp.visitor_rebuild")
    broken = conn.exec_driver_sql("PRAGMA main.foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rebuilding visitor left {len(broken)} broken references: {broken[:5]}")


def _drop_clear_copies(conn: sa.Connection) -> None:
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_visitor_id_tail")
    if conn.dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au_phone", "au_name"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS visitor_search_{trigger}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS visitor_phone_fts")
        conn.exec_driver_sql("DROP TABLE IF EXISTS visitor_name_fts")


def _name_search(conn: sa.Connection) -> None:
    """The SQLite name full-text table and its triggers (0002's, without the phone)."""
    from reception_desk.db.name_search import create_name_search

    create_name_search(conn)


def _search_step() -> ModuleType:
    """Migration 0002 (its module name starts with a digit: no import statement reaches it)."""
    return importlib.import_module("reception_desk.db.migrations.versions.0002_search_indexes")


def _restore_clear_copies(conn: sa.Connection) -> None:
    """What 0002 built on the clear columns: the ID-tail index, on SQLite the phone and name full-text tables."""
    step = _search_step()
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"CREATE INDEX {step.ID_TAIL_INDEX} ON visitor (substr(id_number, -4))")
        if step.sqlite_has_trigram(conn):
            for statement in step._sqlite_fts_statements():
                conn.exec_driver_sql(statement)
    else:
        conn.exec_driver_sql(f"CREATE INDEX {step.ID_TAIL_INDEX} ON visitor (right(id_number, 4))")


def _visitor_columns(*names: str, binary: tuple[str, ...] = ()) -> sa.TableClause:
    return sa.table(
        "visitor", *(sa.column(n, sa.LargeBinary if n in binary else sa.String) for n in names), sa.column("id")
    )


def upgrade() -> None:
    """Apply this step."""
    from reception_desk.db import keystore

    conn = op.get_bind()
    op.create_table(
        "key_holder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_wrapped", sa.LargeBinary(), nullable=True),
        sa.Column("kdf", sa.JSON(), nullable=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_key_holder_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_holder")),
        sa.UniqueConstraint("holder", name=op.f("uq_key_holder_holder")),
    )
    op.create_index(op.f("ix_key_holder_user_id"), "key_holder", ["user_id"])
    _drop_clear_copies(conn)
    # plain ADD COLUMN on both databases (no table rebuild yet)
    op.add_column("visitor", sa.Column("id_cipher", sa.LargeBinary(), nullable=True))
    op.add_column("visitor", sa.Column("id_hash", sa.String(64), nullable=True))
    op.add_column("visitor", sa.Column("id_last4", sa.String(4), nullable=False, server_default=""))
    op.add_column("visitor", sa.Column("phone_cipher", sa.LargeBinary(), nullable=True))
    op.add_column("visitor", sa.Column("phone_hash", sa.String(64), nullable=False, server_default=""))
    op.add_column("visitor", sa.Column("phone_last4", sa.String(4), nullable=False, server_default=""))

    vault = keystore.create(conn)
    visitor = _visitor_columns("id_number", "phone", *ENCRYPTED, binary=("id_cipher", "phone_cipher"))
    rows = conn.execute(sa.select(visitor.c.id, visitor.c.id_number, visitor.c.phone).order_by(visitor.c.id)).all()
    stmt = (
        sa.update(visitor)
        .where(visitor.c.id == sa.bindparam("v_id"))
        .values(
            id_cipher=sa.bindparam("v_id_cipher"),
            id_hash=sa.bindparam("v_id_hash"),
            id_last4=sa.bindparam("v_id_last4"),
            phone_cipher=sa.bindparam("v_phone_cipher"),
            phone_hash=sa.bindparam("v_phone_hash"),
            phone_last4=sa.bindparam("v_phone_last4"),
        )
    )
    params = []
    for vid, number, phone in rows:
        number = (number or "").strip().upper()
        phone = (phone or "").strip()
        params.append(
            {
                "v_id": vid,
                "v_id_cipher": vault.encrypt(number, ID_PURPOSE) if number else None,
                "v_id_hash": vault.digest("id", number) if number else None,
                "v_id_last4": number[-4:],
                "v_phone_cipher": vault.encrypt(phone, PHONE_PURPOSE) if phone else None,
                "v_phone_hash": vault.digest("phone", phone) if phone else "",
                "v_phone_last4": phone[-4:],
            }
        )
    for start in range(0, len(params), CHUNK):
        conn.execute(stmt, params[start : start + CHUNK])

    if conn.dialect.name == "sqlite":
        _rebuild_sqlite_visitor(conn, encrypted=True)
        _name_search(conn)
    else:
        with op.batch_alter_table("visitor") as batch:
            batch.drop_index("ix_visitor_name_phone")
            batch.drop_constraint("uq_visitor_id_number", type_="unique")
            batch.drop_column("id_number")
            batch.drop_column("phone")
            batch.create_unique_constraint(op.f("uq_visitor_id_hash"), ["id_hash"])
            batch.create_index(op.f("ix_visitor_id_last4"), ["id_last4"])
            batch.create_index(op.f("ix_visitor_phone_last4"), ["phone_last4"])
            batch.create_index("ix_visitor_name_phone_hash", ["name", "phone_hash"])
    assert unlocked.vault_for(keystore.database_id(conn)) is vault


def _held_key(conn: sa.Connection) -> Vault:
    """The data key: the one this process holds (a login), else this laptop's key file; DataLockedError if none."""
    from reception_desk.db import keystore

    db_id = keystore.database_id(conn)
    vault = unlocked.vault_for(db_id)
    if vault is None and db_id is not None:
        vault = keystore.open_with_device(conn, db_id)
    if vault is None:
        raise DataLockedError(unlocked.LOCKED_MESSAGE)
    return vault


def downgrade() -> None:
    """Undo this step: the IDs and phones decrypted back into clear columns (needs the data key)."""
    from reception_desk.db import keystore

    conn = op.get_bind()
    vault = _held_key(conn)
    _drop_clear_copies(conn)  # the name full-text table: 0002's comes back below, with the phone
    op.add_column("visitor", sa.Column("id_number", sa.String(18), nullable=True))
    op.add_column("visitor", sa.Column("phone", sa.String(20), nullable=False, server_default=""))
    visitor = _visitor_columns(*CLEAR, "id_cipher", "phone_cipher", binary=("id_cipher", "phone_cipher"))
    rows = conn.execute(sa.select(visitor.c.id, visitor.c.id_cipher, visitor.c.phone_cipher)).all()
    stmt = (
        sa.update(visitor)
        .where(visitor.c.id == sa.bindparam("v_id"))
        .values(id_number=sa.bindparam("v_id_number"), phone=sa.bindparam("v_phone"))
    )
    params = [
        {
            "v_id": vid,
            "v_id_number": vault.decrypt(id_cipher, ID_PURPOSE) if id_cipher is not None else None,
            "v_phone": vault.decrypt(phone_cipher, PHONE_PURPOSE) if phone_cipher is not None else "",
        }
        for vid, id_cipher, phone_cipher in rows
    ]
    for start in range(0, len(params), CHUNK):
        conn.execute(stmt, params[start : start + CHUNK])

    if conn.dialect.name == "sqlite":
        _rebuild_sqlite_visitor(conn, encrypted=False)
    else:
        with op.batch_alter_table("visitor") as batch:
            batch.alter_column("phone", existing_type=sa.String(20), server_default=None)
            batch.drop_index("ix_visitor_name_phone_hash")
            batch.drop_index("ix_visitor_phone_last4")
            batch.drop_index("ix_visitor_id_last4")
            batch.drop_constraint("uq_visitor_id_hash", type_="unique")
            for column in ENCRYPTED:
                batch.drop_column(column)
            batch.create_unique_constraint("uq_visitor_id_number", ["id_number"])
            batch.create_index("ix_visitor_name_phone", ["name", "phone"])
    _restore_clear_copies(conn)
    op.drop_index(op.f("ix_key_holder_user_id"), table_name="key_holder")
    op.drop_table("key_holder")
    # the database keeps its id (app setting "database_id"): an upgrade again names the new key after it
    conn.execute(sa.text("DELETE FROM app_setting WHERE key = :k"), {"k": keystore.GENERATION})
