"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this step."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("name", name=op.f("uq_department_name")),
    )
    op.create_table(
        "reception_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("leaders", sa.String(length=500), nullable=False),
        sa.Column("bureau_phone", sa.String(length=40), nullable=False),
        sa.Column("working_day_deadlines", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_day")),
        sa.UniqueConstraint("date", name=op.f("uq_reception_day_date")),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("code", name=op.f("uq_theme_code")),
        sa.UniqueConstraint("name", name=op.f("uq_theme_name")),
    )
    op.create_table(
        "visitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_initials", sa.String(length=100), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("id_valid", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor")),
        sa.UniqueConstraint("id_number", name=op.f("uq_visitor_id_number")),
    )
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitor_name_initials"), ["name_initials"], unique=False)
        batch_op.create_index("ix_visitor_name_phone", ["name", "phone"], unique=False)

    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_room_capacity_positive")),
        sa.CheckConstraint("number >= 1 AND number <= 99", name=op.f("ck_room_number_range")),
        sa.ForeignKeyConstraint(
            ["day_id"], ["reception_day.id"], name=op.f("fk_room_day_id_reception_day"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_room_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room")),
        sa.UniqueConstraint("day_id", "number", name=op.f("uq_room_day_id")),
    )
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_day_id"), ["day_id"], unique=False)

    op.create_table(
        "theme_department",
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_theme_department_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_theme_department_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("theme_id", "department_id", name=op.f("pk_theme_department")),
    )
    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("reg_no", sa.String(length=20), nullable=False),
        sa.Column("lead_visitor_id", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("category_text", sa.String(length=100), nullable=False),
        sa.Column("township", sa.String(length=50), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("queue_position", sa.Integer(), nullable=True),
        sa.Column("placed_by_hand", sa.Boolean(), nullable=False),
        sa.Column("queue_number", sa.Integer(), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("import_source", sa.String(length=300), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=True),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("headcount >= 1", name=op.f("ck_batch_headcount_positive")),
        sa.ForeignKeyConstraint(
            ["day_id"], ["reception_day.id"], name=op.f("fk_batch_day_id_reception_day"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["lead_visitor_id"], ["visitor.id"], name=op.f("fk_batch_lead_visitor_id_visitor")),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name=op.f("fk_batch_room_id_room"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_batch_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
        sa.UniqueConstraint("day_id", "reg_no", name=op.f("uq_batch_day_id")),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index("ix_batch_day_status", ["day_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_lead_visitor_id"), ["lead_visitor_id"], unique=False)
        batch_op.create_index("ix_batch_room_queue", ["room_id", "queue_position"], unique=False)

    op.create_table(
        "batch_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_batch_member_batch_id_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["visitor_id"], ["visitor.id"], name=op.f("fk_batch_member_visitor_id_visitor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_member")),
        sa.UniqueConstraint("batch_id", "visitor_id", name=op.f("uq_batch_member_batch_id")),
    )
    with op.batch_alter_table("batch_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_batch_member_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_member_visitor_id"), ["visitor_id"], unique=False)

    op.create_table(
        "petition_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=True),
        sa.Column("lead_department_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=True),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("satisfaction", sa.String(length=20), nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("repeat_of_case_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "colour IS NULL OR colour IN ('green', 'yellow', 'red')",
            name=op.f("ck_petition_case_colour_known"),
        ),
        sa.CheckConstraint(
            "outcome IN ('resolved', 'handed_over', 'explained')", name=op.f("ck_petition_case_outcome_known")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_petition_case_batch_id_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["reception_day.id"],
            name=op.f("fk_petition_case_day_id_reception_day"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["department.id"],
            name=op.f("fk_petition_case_lead_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["repeat_of_case_id"],
            ["petition_case.id"],
            name=op.f("fk_petition_case_repeat_of_case_id_petition_case"),
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], ["room.id"], name=op.f("fk_petition_case_room_id_room"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_case")),
        sa.UniqueConstraint("batch_id", name=op.f("uq_petition_case_batch_id")),
        sa.UniqueConstraint("case_no", name=op.f("uq_petition_case_case_no")),
    )
    with op.batch_alter_table("petition_case", schema=None) as batch_op:
        batch_op.create_index("ix_case_department_status", ["lead_department_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_petition_case_day_id"), ["day_id"], unique=False)

    op.create_table(
        "case_department",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["petition_case.id"],
            name=op.f("fk_case_department_case_id_petition_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_case_department_department_id_department")
        ),
        sa.PrimaryKeyConstraint("case_id", "department_id", name=op.f("pk_case_department")),
    )
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["petition_case.id"],
            name=op.f("fk_case_event_case_id_petition_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_case_event_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    """Undo this step."""
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    op.drop_table("case_department")
    with op.batch_alter_table("petition_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_petition_case_day_id"))
        batch_op.drop_index("ix_case_department_status")

    op.drop_table("petition_case")
    with op.batch_alter_table("batch_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_member_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_batch_member_batch_id"))

    op.drop_table("batch_member")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_room_queue")
        batch_op.drop_index(batch_op.f("ix_batch_lead_visitor_id"))
        batch_op.drop_index("ix_batch_day_status")

    op.drop_table("batch")
    op.drop_table("theme_department")
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_day_id"))

    op.drop_table("room")
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.drop_index("ix_visitor_name_phone")
        batch_op.drop_index(batch_op.f("ix_visitor_name_initials"))

    op.drop_table("visitor")
    op.drop_table("theme")
    op.drop_table("reception_day")
    op.drop_table("department")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_log")
