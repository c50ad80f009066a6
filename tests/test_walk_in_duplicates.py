"""A walk-in who already has a batch this day (same resident ID, or same name and phone) is not registered again
unless a reason is confirmed; the reason is kept in the batch note and the audit entry. Both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch
from reception_desk.services import days
from reception_desk.services.registrations import (
    AlreadyRegisteredError,
    PersonInput,
    RegistrationInput,
    add_registration,
    same_day_batch,
)

ID = "33080319700101123X"


def _count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(Batch.id))) or 0)


def test_a_pre_registered_id_is_not_registered_again(db: Database) -> None:
    day_id = days.create_day(db, dt.date(2026, 12, 4))[0].id
    other_day = days.create_day(db, dt.date(2026, 12, 11))[0].id
    lead = PersonInput("柴卫发", ID, "13857001234")
    pre, _ = add_registration(db, day_id, RegistrationInput(lead, "村道破损", theme_code="transport"))
    add_registration(db, day_id, RegistrationInput(PersonInput("王学德"), "养老金"), walk_in=True)

    same_id = RegistrationInput(PersonInput("柴卫发", ID.lower(), ""), "村道破损，要求修复")
    with pytest.raises(AlreadyRegisteredError) as refused:
        add_registration(db, day_id, same_id, walk_in=True, actor="登记台")
    assert (refused.value.existing.batch_id, refused.value.existing.reg_no) == (pre, "Y0001")
    assert refused.value.existing.lead_name == "柴卫发" and refused.value.existing.source == "pre"
    same_phone = RegistrationInput(PersonInput("柴卫发", "", "138-5700-1234"), "村道")
    with pytest.raises(AlreadyRegisteredError):
        add_registration(db, day_id, same_phone, walk_in=True)
    assert _count(db) == 2
    found = same_day_batch(db, day_id, PersonInput("柴卫发", "", "13857001234"))
    assert found is not None and found.batch_id == pre
    assert same_day_batch(db, day_id, PersonInput("柴卫发", "", "13900000000")) is None  # same name only
    assert same_day_batch(db, other_day, lead) is None  # another day is a repeat visit, not a duplicate

    # a companion of a batch is found too
    group = RegistrationInput(PersonInput("李芳"), "宅基地", companions=[PersonInput("赵刚", "", "13905701111")])
    add_registration(db, day_id, group)
    with pytest.raises(AlreadyRegisteredError, match="李芳"):
        add_registration(db, day_id, RegistrationInput(PersonInput("赵刚", "", "13905701111"), "x"), walk_in=True)

    second, _ = add_registration(
        db, day_id, same_id, walk_in=True, actor="登记台", second_batch_reason="另一件不相关的事项"
    )
    with db.read() as session:
        batch = session.get(Batch, second)
        assert batch is not None and batch.reg_no.startswith("X") and "另一件不相关的事项" in batch.note
        assert "duplicate" in batch.flags
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "register", AuditEntry.entity_id == second)
        ).one()
        assert entry.reason == "另一件不相关的事项" and entry.actor == "登记台"
