"""encrypted personal data: resident IDs and phones stored AES-GCM encrypted, found by keyed hash and last four

Revision ID: 0008_encrypted_personal_data
Revises: 0007_number_counters
Create Date: 2026-12-02

A new data key is made (db/keystore.py): this laptop holds it in a key file until the database's users take it over
at their next login. Every visitor's ID and phone are encrypted in place and the clear columns dropped, together
with what copied them: the SQLite phone full-text table and the ID-tail expression index. The name full-text index
is rebuilt without the phone. `db upgrade` backs the file up first and, after this step, VACUUMs it (SQLite) so
no freed page keeps a clear number (PostgreSQL: VACUUM FULL visitor).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reception_desk.privacy import unlocked

revision = "0008_encrypted_personal_data"
down_revision = "0007_number_counters"
branch_labels = None
depends_on = None

CHUNK = 2000


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
    with op.batch_alter_table("visitor") as batch:
        batch.add_column(sa.Column("id_cipher", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("id_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("id_last4", sa.String(4), nullable=False, server_default=""))
        batch.add_column(sa.Column("phone_cipher", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("phone_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("phone_last4", sa.String(4), nullable=False, server_default=""))

    vault = keystore.create(conn)
    visitor = sa.table(
        "visitor",
        sa.column("id", sa.Integer),
        sa.column("id_number", sa.String),
        sa.column("phone", sa.String),
        sa.column("id_cipher", sa.LargeBinary),
        sa.column("id_hash", sa.String),
        sa.column("id_last4", sa.String),
        sa.column("phone_cipher", sa.LargeBinary),
        sa.column("phone_hash", sa.String),
        sa.column("phone_last4", sa.String),
    )
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
                "v_id_cipher": vault.encrypt(number, "visitor.id_number") if number else None,
                "v_id_hash": vault.digest("id", number) if number else None,
                "v_id_last4": number[-4:],
                "v_phone_cipher": vault.encrypt(phone, "visitor.phone") if phone else None,
                "v_phone_hash": vault.digest("phone", phone) if phone else "",
                "v_phone_last4": phone[-4:],
            }
        )
    for start in range(0, len(params), CHUNK):
        conn.execute(stmt, params[start : start + CHUNK])

    with op.batch_alter_table("visitor") as batch:
        batch.drop_index("ix_visitor_name_phone")
        batch.drop_constraint("uq_visitor_id_number", type_="unique")
        batch.drop_column("id_number")
        batch.drop_column("phone")
        batch.create_unique_constraint(op.f("uq_visitor_id_hash"), ["id_hash"])
        batch.create_index(op.f("ix_visitor_id_last4"), ["id_last4"])
        batch.create_index(op.f("ix_visitor_phone_last4"), ["phone_last4"])
        batch.create_index("ix_visitor_name_phone_hash", ["name", "phone_hash"])
    if conn.dialect.name == "sqlite":
        _name_search(conn)
    assert unlocked.vault_for(keystore.database_id(conn)) is vault


def downgrade() -> None:
    """Not reversible in place: restore the backup `db upgrade` made before this step."""
    raise NotImplementedError("0008 encrypted the personal data: restore the backup made before the upgrade instead")
