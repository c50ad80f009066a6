"""after the day: case life (化解, extension, follow-up, supervision, 提级核查) and the holiday calendar

Revision ID: 0004_after_the_day
Revises: 0003_drafts
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_after_the_day"
down_revision = "0003_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this step."""
    # plain ADD COLUMN (no table rebuild): SQLite would drop and recreate petition_case, and with foreign keys
    # on, the rebuild would cascade into the case events and departments
    for column in (
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("original_due_date", sa.Date(), nullable=True),
        sa.Column("followed_up_at", sa.DateTime(), nullable=True),
        sa.Column("supervised_at", sa.DateTime(), nullable=True),
        sa.Column("supervised_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("supervision_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("supervision_until", sa.Date(), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false()),
    ):
        op.add_column("petition_case", column)
    op.create_index("ix_case_status_due", "petition_case", ["status", "due_date"])
    op.create_index("ix_case_repeat_of", "petition_case", ["repeat_of_case_id"])
    unclosed = sa.text("status <> 'closed'")
    op.create_index(
        "ix_case_unclosed_due", "petition_case", ["due_date"], sqlite_where=unclosed, postgresql_where=unclosed
    )
    op.create_index("ix_case_event_case_at", "case_event", ["case_id", "at"])
    # cases resolved on the spot or explained were closed when recorded
    op.execute(
        "UPDATE petition_case SET status = 'closed', closed_at = recorded_at, "
        "resolved = (outcome = 'resolved') WHERE outcome IN ('resolved', 'explained')"
    )
    op.execute("UPDATE petition_case SET original_due_date = due_date")
    calendar_year = op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    calendar_day = op.create_table(
        "calendar_day",
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f("ck_calendar_day_kind_known")),
        sa.PrimaryKeyConstraint("date", name=op.f("pk_calendar_day")),
    )
    from reception_desk.services.calendar_seed import package_schedule

    years, days = package_schedule()
    op.bulk_insert(calendar_year, years)
    op.bulk_insert(calendar_day, days)


def downgrade() -> None:
    """Undo this step."""
    op.drop_table("calendar_day")
    op.drop_table("calendar_year")
    op.drop_index("ix_case_event_case_at", table_name="case_event")
    op.drop_index("ix_case_unclosed_due", table_name="petition_case")
    op.drop_index("ix_case_repeat_of", table_name="petition_case")
    op.drop_index("ix_case_status_due", table_name="petition_case")
    with op.batch_alter_table("petition_case") as batch:
        for column in (
            "escalated",
            "supervision_until",
            "supervision_reason",
            "supervised_by",
            "supervised_at",
            "followed_up_at",
            "original_due_date",
            "resolved",
        ):
            batch.drop_column(column)
