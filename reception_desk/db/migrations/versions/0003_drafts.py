"""case drafts: what a room host typed for a batch before saving the case

Revision ID: 0003_drafts
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_drafts"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this step."""
    op.create_table(
        "case_draft",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_case_draft_batch_id_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["room_id"], ["room.id"], name=op.f("fk_case_draft_room_id_room"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_case_draft")),
    )
    with op.batch_alter_table("case_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_draft_room_id"), ["room_id"], unique=False)


def downgrade() -> None:
    """Undo this step."""
    with op.batch_alter_table("case_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_draft_room_id"))

    op.drop_table("case_draft")
