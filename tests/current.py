"""The version a person would have seen of a row right now (services require it for edits)."""

from __future__ import annotations

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case


def batch_version(db: Database, batch_id: int) -> int:
    """The batch's current version."""
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch.version


def case_version(db: Database, case_id: int) -> int:
    """The case's current version."""
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.version
