"""Drafts of the room host's form on both databases: saved, replaced, read back, dropped once the case exists."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import func, inspect, select

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, head_revision
from reception_desk.db.models import AuditEntry, Batch, CaseDraft
from reception_desk.services import assignment, days, drafts, flow
from reception_desk.services.cases import CaseInput, record_case
from reception_desk.services.errors import InvalidInputError, NotFoundError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DRAFT = {
    "request": "王学德反映村道破损，要求修复。",
    "instruction": "请交通运输局三日内现场查看",
    "outcome": "handed_over",
    "lead_department_id": None,
    "lead_text": "交通",
    "co_department_ids": [3, 7],
    "colour": "yellow",
}


def _batch_in_session(db: Database) -> tuple[int, int]:
    info, _ = days.create_day(db, dt.date(2026, 12, 4))
    data = RegistrationInput(
        lead=PersonInput("王学德"), request="王学德反映村道破损，要求修复。", theme_code="transport"
    )
    batch_id, _ = add_registration(db, info.id, data)
    assignment.assign_day(db, info.id)
    flow.check_in(db, batch_id, "登记台")
    flow.start_session(db, batch_id, "第8接待室")
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None and batch.room_id is not None
        return batch_id, batch.room_id


def _audit_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


def test_save_load_replace_delete(db: Database) -> None:
    batch_id, room_id = _batch_in_session(db)
    assert drafts.load_draft(db, batch_id) is None
    audits = _audit_count(db)

    assert drafts.save_draft(db, batch_id, room_id, DRAFT, "第8接待室")
    assert drafts.load_draft(db, batch_id) == DRAFT
    changed = {**DRAFT, "instruction": "请交通运输局会同湖南镇三日内现场查看"}
    assert drafts.save_draft(db, batch_id, room_id, changed, "秘书 小周")
    assert drafts.load_draft(db, batch_id) == changed
    with db.read() as session:
        rows = list(session.scalars(select(CaseDraft)))
    assert len(rows) == 1 and rows[0].updated_by == "秘书 小周" and rows[0].room_id == room_id
    assert _audit_count(db) == audits  # scratch paper: not audited, so no laptop reloads on a keystroke

    assert drafts.delete_draft(db, batch_id)
    assert drafts.load_draft(db, batch_id) is None
    assert not drafts.delete_draft(db, batch_id)


def test_no_draft_once_the_case_is_recorded(db: Database) -> None:
    batch_id, room_id = _batch_in_session(db)
    drafts.save_draft(db, batch_id, room_id, DRAFT, "第8接待室")
    record_case(db, batch_id, CaseInput(instruction="已解释", outcome="explained"), "第8接待室")
    drafts.delete_draft(db, batch_id)
    # a late debounced save after the case must not bring the draft back
    assert not drafts.save_draft(db, batch_id, room_id, DRAFT, "第8接待室")
    assert drafts.load_draft(db, batch_id) is None


def test_unknown_batch_and_runaway_text_are_refused(db: Database) -> None:
    _batch_in_session(db)
    with pytest.raises(NotFoundError):
        drafts.save_draft(db, 9999, None, DRAFT, "x")
    with pytest.raises(InvalidInputError):
        drafts.save_draft(db, 1, None, {"instruction": "字" * 200_000}, "x")


def test_migration_steps_down_and_up(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert "case_draft" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert "case_draft" in inspect(db.engine).get_table_names()
