"""number counters: the last registration number (by prefix) and case number (by room) given on a day

Revision ID: 0007_number_counters
Revises: 0006_users_and_roles
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_number_counters"
down_revision = "0006_users_and_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this step (a day's counters start from its largest number on first use: services/numbering.py)."""
    op.create_table(
        "number_counter",
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(20), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["reception_day.id"],
            name=op.f("fk_number_counter_day_id_reception_day"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day_id", "series", name=op.f("pk_number_counter")),
    )


def downgrade() -> None:
    """Undo this step."""
    op.drop_table("number_counter")
