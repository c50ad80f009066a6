"""Drafts of the room host's outcome form: saved as they type, so nothing typed is lost (a crash, a closed lid).

A draft belongs to a batch; it is written on every pause in typing, read back when the batch is in session
again, and deleted once the case is recorded. Drafts are not audited and publish no change-set: they are
the host's scratch paper, not a decision (writing the audit log would also make every laptop reload).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseDraft, utcnow
from reception_desk.domain.roles import Permission
from reception_desk.services import authz
from reception_desk.services.errors import InvalidInputError, NotFoundError

MAX_DRAFT_CHARS = 100_000  # a runaway paste must not fill the database


def _size(data: dict[str, Any]) -> int:
    return sum(len(str(k)) + len(str(v)) for k, v in data.items())


def save_draft(db: Database, batch_id: int, room_id: int | None, data: dict[str, Any], actor: str) -> bool:
    """Store (or replace) the draft of a batch; False when the batch already has its case (nothing stored)."""
    if _size(data) > MAX_DRAFT_CHARS:
        raise InvalidInputError("草稿内容过长，未能保存。")
    with db.session() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise NotFoundError(f"批次 #{batch_id} 不存在。")
        authz.require(session, actor, Permission.ROOM_WORK, room_id=batch.room_id)
        if session.scalar(select(Case.id).where(Case.batch_id == batch_id)) is not None:
            return False  # recorded meanwhile: a late keystroke must not resurrect the draft
        draft = session.get(CaseDraft, batch_id)
        if draft is None:
            draft = CaseDraft(batch_id=batch_id)
            session.add(draft)
        draft.room_id = room_id
        draft.data = dict(data)
        draft.updated_at = utcnow()
        draft.updated_by = actor
        return True


def load_draft(db: Database, batch_id: int) -> dict[str, Any] | None:
    """The saved draft of a batch, or None."""
    with db.read() as session:
        draft = session.get(CaseDraft, batch_id)
        return dict(draft.data) if draft is not None else None


def delete_draft(db: Database, batch_id: int) -> bool:
    """Remove the draft of a batch (after its case is recorded); False when there was none."""
    with db.session() as session:
        draft = session.get(CaseDraft, batch_id)
        if draft is None:
            return False
        session.delete(draft)
        return True
