"""Repeat visits (重复访): a visitor with a case on an earlier day is found with that case (by resident ID, or by
name + phone without a valid ID), the new case links repeat_of, and 提级核查 only for a repeat of a closed case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch
from reception_desk.services import cases
from reception_desk.services.case_life import add_feedback, case_events, close_case, escalate_case, sign_case
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.registrations import PersonInput
from reception_desk.services.repeats import batch_repeats, day_repeats, person_repeats
from tests.life_builders import (
    at,
    case_audit,
    count_cases,
    dept,
    event_kinds,
    handed,
    id_number,
    load_case,
    new_day,
    record,
    visit,
)

D0, D1, D2 = dt.date(2026, 10, 19), dt.date(2026, 11, 2), dt.date(2026, 11, 16)


def _batch_status(db: Database, batch_id: int) -> str:
    with db.read() as session:
        status = session.scalar(select(Batch.status).where(Batch.id == batch_id))
        assert status is not None
        return status


def test_a_visitor_with_an_id_on_a_second_day_is_found_with_the_earlier_cases(db: Database) -> None:
    day0, day1, day2 = new_day(db, D0), new_day(db, D1), new_day(db, D2)
    hrss = dept(db, "人力资源和社会保障局")
    pid = id_number(11)
    first = record(db, visit(db, day0, "徐根土", id_no=pid), CaseInput(outcome="explained"), at(D0, 10))
    second = record(db, visit(db, day1, "徐根土", id_no=pid), handed(hrss, "yellow"), at(D1, 10))
    stranger = record(db, visit(db, day1, "周水生", id_no=id_number(12)), handed(hrss), at(D1, 11))

    again = visit(db, day2, "徐根土", id_no=pid)
    newcomer = visit(db, day2, "毛秀英", id_no=id_number(13))
    found = batch_repeats(db, again)
    assert [c.case_id for c in found] == [second, first]  # newest first
    newest = found[0]
    assert (newest.case_no, newest.day_date, newest.outcome, newest.department, newest.status) == (
        load_case(db, second).case_no,
        D1,
        "handed_over",
        "人力资源和社会保障局",
        "open",
    )
    assert not newest.closed and found[1].closed  # 解释说明 was closed at once
    assert newest.visitor_name == "徐根土"
    assert newest.summary() == f"2026-11-02 {newest.case_no} 交办 人力资源和社会保障局 待签收"
    assert found[1].summary().endswith("解释说明 已办结")
    assert batch_repeats(db, newcomer) == []

    by_day = day_repeats(db, day2)
    assert set(by_day) == {again}
    assert [c.case_id for c in by_day[again]] == [second, first]
    assert stranger not in {c.case_id for c in by_day[again]}
    assert [c.case_id for c in person_repeats(db, D2, id_number=pid.lower())] == [second, first]
    assert [c.case_id for c in person_repeats(db, D1, id_number=pid)] == [first]  # only days before
    assert person_repeats(db, D2, id_number=id_number(14)) == []

    # recording the new case links the newest earlier case
    case_id, _ = cases.record_case(db, again, CaseInput(outcome="explained"), "记录员")
    assert load_case(db, case_id).repeat_of_case_id == second
    assert cases.case_detail(db, case_id).repeat_of_case_no == load_case(db, second).case_no
    assert load_case(db, case_id).escalated is False


def test_without_a_valid_id_the_visitor_is_matched_by_name_and_phone(db: Database) -> None:
    day1, day2 = new_day(db, D1), new_day(db, D2)
    valid = id_number(21)
    broken = valid[:-1] + ("0" if valid[-1] != "0" else "1")  # a wrong check character: not a valid ID
    earlier = record(
        db, visit(db, day1, "王某", id_no=broken, phone="13900001111"), CaseInput(outcome="explained"), at(D1, 10)
    )
    record(db, visit(db, day1, "王某", phone="13900002222"), CaseInput(outcome="explained"), at(D1, 11))

    same = visit(db, day2, "王某", phone="13900001111")  # no ID today: a new visitor row, same name and phone
    other_phone = visit(db, day2, "王某", phone="13700003333")
    assert [c.case_id for c in batch_repeats(db, same)] == [earlier]
    assert batch_repeats(db, other_phone) == []
    by_day = day_repeats(db, day2)
    assert {b: [c.case_id for c in found] for b, found in by_day.items()} == {same: [earlier]}
    assert [c.case_id for c in person_repeats(db, D2, name="王某", phone="13900001111")] == [earlier]
    assert person_repeats(db, D2, name="王某", phone="13600000000") == []

    case_id, _ = cases.record_case(db, same, CaseInput(outcome="explained"), "记录员")
    assert load_case(db, case_id).repeat_of_case_id == earlier
    other_id, _ = cases.record_case(db, other_phone, CaseInput(outcome="explained"), "记录员")
    assert load_case(db, other_id).repeat_of_case_id is None


def test_a_companion_of_an_earlier_batch_who_comes_again_is_a_repeat(db: Database) -> None:
    day1, day2 = new_day(db, D1), new_day(db, D2)
    companion = id_number(31)
    earlier = record(
        db,
        visit(db, day1, "程某", id_no=id_number(30), companions=[PersonInput("傅某", id_number=companion)]),
        CaseInput(outcome="explained"),
        at(D1, 10),
    )
    again = visit(db, day2, "傅某", id_no=companion)
    assert [c.case_id for c in batch_repeats(db, again)] == [earlier]
    assert [c.case_id for c in day_repeats(db, day2)[again]] == [earlier]


def test_escalation_only_for_a_repeat_of_a_closed_case(db: Database) -> None:
    day1, day2 = new_day(db, D1), new_day(db, D2)
    hrss = dept(db, "人力资源和社会保障局")
    pid = id_number(41)
    earlier = record(db, visit(db, day1, "叶某", id_no=pid), handed(hrss), at(D1, 10))
    again = visit(db, day2, "叶某", id_no=pid)
    fresh = visit(db, day2, "祝某", id_no=id_number(42))

    # the earlier case is still open: no 提级核查, and nothing is recorded
    before = count_cases(db)
    with pytest.raises(InvalidInputError, match="不是对已办结案件的重复访"):
        cases.record_case(db, again, CaseInput(outcome="explained", escalate=True), "记录员")
    with pytest.raises(InvalidInputError, match="不是对已办结案件的重复访"):
        cases.record_case(db, fresh, CaseInput(outcome="explained", escalate=True), "记录员")
    assert count_cases(db) == before
    assert _batch_status(db, again) == "waiting" and _batch_status(db, fresh) == "waiting"

    sign_case(db, earlier, "张科长", "督办员", at=at(D1, 15))
    add_feedback(db, earlier, "已处理", "张科长", "督办员", at=at(D1, 16))
    close_case(db, earlier, True, "督办员", at=at(D1, 17))
    case_id, _ = cases.record_case(db, again, CaseInput(outcome="explained", escalate=True), "主持人")
    case = load_case(db, case_id)
    assert case.repeat_of_case_id == earlier and case.escalated is True
    assert event_kinds(db, case_id) == ["closed", "escalated"]
    escalated = next(e for e in case_events(db, case_id) if e.kind == "escalated")
    assert escalated.data == {"repeat_of": load_case(db, earlier).case_no} and escalated.by == "主持人"
    assert cases.case_detail(db, case_id).escalated
    with pytest.raises(InvalidInputError, match="已提级核查"):
        escalate_case(db, case_id, "主持人")

    # not a repeat at all: refused, nothing changed
    fresh_id, _ = cases.record_case(db, fresh, CaseInput(outcome="explained"), "主持人")
    version = load_case(db, fresh_id).version
    with pytest.raises(InvalidInputError, match="不是对已办结案件的重复访"):
        escalate_case(db, fresh_id, "主持人")
    assert load_case(db, fresh_id).version == version and event_kinds(db, fresh_id) == ["closed"]
    assert case_audit(db, fresh_id) == ["record"]


def test_escalate_case_after_recording(db: Database) -> None:
    day1, day2 = new_day(db, D1), new_day(db, D2)
    pid = id_number(51)
    record(db, visit(db, day1, "童某", id_no=pid), CaseInput(instruction="当场解决。", outcome="resolved"), at(D1, 10))
    case_id = record(db, visit(db, day2, "童某", id_no=pid), CaseInput(outcome="explained"), at(D2, 10))
    assert load_case(db, case_id).escalated is False
    changes = escalate_case(db, case_id, "主持人", reason="当场解决后再次来访", at=at(D2, 11))
    assert changes.cases == {case_id}
    assert load_case(db, case_id).escalated is True
    history = case_events(db, case_id)
    assert [(e.kind, e.at, e.text) for e in history] == [
        ("closed", at(D2, 10), "解释说明"),
        ("escalated", at(D2, 11), "当场解决后再次来访"),
    ]
    assert case_audit(db, case_id) == ["record", "escalate"]
