"""queue numbers per room: room.last_queue_number, existing 排队号 renumbered within each room by arrival

Revision ID: 0005_room_queue_numbers
Revises: 0004_after_the_day
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0005_room_queue_numbers"
down_revision = "0004_after_the_day"
branch_labels = None
depends_on = None

_BATCH = sa.table(
    "batch",
    sa.column("id", sa.Integer),
    sa.column("room_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("queue_number", sa.Integer),
    sa.column("arrived_at", sa.DateTime),
)
_ROOM = sa.table("room", sa.column("id", sa.Integer), sa.column("last_queue_number", sa.Integer))
# at the venue (or was, for a late no-show that kept its ticket): these hold a number
_CHECKED_IN = ("arrived", "waiting", "in_session", "done")


def upgrade() -> None:
    """Apply this step."""
    # plain ADD COLUMN (no table rebuild): SQLite would recreate room, and with foreign keys on, cascade
    op.add_column("room", sa.Column("last_queue_number", sa.Integer(), nullable=False, server_default=sa.text("0")))
    conn = op.get_bind()
    b = _BATCH.c
    rows = conn.execute(
        sa.select(b.id, b.room_id)
        .where(b.room_id.is_not(None), sa.or_(b.queue_number.is_not(None), b.status.in_(_CHECKED_IN)))
        # the order they came in: arrival, then the old day-wide ticket
        .order_by(b.room_id, b.arrived_at.is_(None), b.arrived_at, b.queue_number, b.id)
    ).all()
    numbers: dict[int, int] = defaultdict(int)
    updates = []
    for batch_id, room_id in rows:
        numbers[room_id] += 1
        updates.append({"b_id": batch_id, "b_number": numbers[room_id]})
    # a number only means something within a room: a batch without one has none
    conn.execute(sa.update(_BATCH).where(b.room_id.is_(None)).values(queue_number=None))
    if updates:
        conn.execute(
            sa.update(_BATCH).where(b.id == sa.bindparam("b_id")).values(queue_number=sa.bindparam("b_number")),
            updates,
        )
    if numbers:
        conn.execute(
            sa.update(_ROOM).where(_ROOM.c.id == sa.bindparam("r_id")).values(last_queue_number=sa.bindparam("r_last")),
            [{"r_id": room_id, "r_last": last} for room_id, last in numbers.items()],
        )


def downgrade() -> None:
    """Undo this step (the numbers stay per room; the day-wide sequence continues after the largest)."""
    with op.batch_alter_table("room") as batch:
        batch.drop_column("last_queue_number")
