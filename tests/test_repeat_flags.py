"""Repeat visitors (重复访) where the day meets them: registration, import, the desk's card, the room host's queue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, Case, Department
from reception_desk.domain.batches import Flag
from reception_desk.services import assignment, board, case_life, cases, days, flow, registration_edit, room_queue
from reception_desk.services.cases import CaseInput
from reception_desk.services.importing import import_registrations
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, list_registrations

FIRST, SECOND = dt.date(2026, 11, 6), dt.date(2026, 12, 4)
ID_NUMBER = "33080319700101123X"
NO_ID_PHONE = "13905701111"


def _dept(db: Database, name: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Department.id).where(Department.name == name))
        assert found is not None
        return found


def _registration(name: str, id_number: str = "", phone: str = "13857001234") -> RegistrationInput:
    return RegistrationInput(
        lead=PersonInput(name, id_number=id_number, phone=phone),
        request=f"{name}反映被拖欠工资三个月，要求帮助讨薪。",
        theme_code="labour",
        township="云溪乡",
    )


def _earlier_case(db: Database, name: str, id_number: str = "", phone: str = "13857001234", close: bool = True) -> str:
    """A handed-over case on the first day, taken to its close (or left open)."""
    day = days.find_day(db, FIRST).id if days.list_days(db) else days.create_day(db, FIRST)[0].id
    batch_id, _ = add_registration(db, day, _registration(name, id_number, phone))
    assignment.assign_day(db, day)
    flow.check_in(db, batch_id, "登记台")
    lead = _dept(db, "人力资源和社会保障局")
    data = CaseInput(outcome="handed_over", colour="yellow", lead_department_id=lead)
    case_id, _ = cases.record_case(db, batch_id, data, "第4接待室")
    if close:
        case_life.sign_case(db, case_id, "人社局 王科长", "督办")
        case_life.add_feedback(db, case_id, "已督促企业支付欠薪。", "人社局", "督办")
        case_life.close_case(db, case_id, True, "督办")
    with db.read() as session:
        no = session.scalar(select(Case.case_no).where(Case.id == case_id))
        assert no is not None
        return no


def test_a_visitor_with_an_earlier_case_is_flagged_and_the_room_host_sees_it(db: Database) -> None:
    earlier_no = _earlier_case(db, "柴卫发", ID_NUMBER)
    day2 = days.create_day(db, SECOND)[0].id
    repeat_id, _ = add_registration(db, day2, _registration("柴卫发", ID_NUMBER))
    fresh_id, _ = add_registration(db, day2, _registration("郑小明", "", "13700000000"))

    rows = {r.batch_id: r for r in list_registrations(db, day2)}
    assert Flag.REPEAT.value in rows[repeat_id].flags
    assert Flag.REPEAT.value not in rows[fresh_id].flags

    assignment.assign_day(db, day2)
    flow.check_in(db, repeat_id, "登记台")
    card = board.desk_card(db, repeat_id)
    assert [c.case_no for c in card.earlier_cases] == [earlier_no]
    assert card.earlier_cases[0].closed and "人力资源和社会保障局" in card.earlier_cases[0].summary()

    flow.start_session(db, repeat_id, "第4接待室")
    with db.read() as session:
        batch = session.get(Batch, repeat_id)
        assert batch is not None and batch.room_id is not None
        room_id = batch.room_id
    queue = room_queue.room_queue(db, room_id)
    assert queue.current is not None and [c.case_no for c in queue.current.earlier_cases] == [earlier_no]

    lead = _dept(db, "人力资源和社会保障局")
    data = CaseInput(outcome="handed_over", colour="red", lead_department_id=lead, escalate=True)
    case_id, _ = cases.record_case(db, repeat_id, data, "第4接待室")
    detail = cases.case_detail(db, case_id)
    assert detail.repeat_of_case_no == earlier_no and detail.escalated
    kinds = [e.kind for e in case_life.case_events(db, case_id)]
    assert kinds == ["escalated"]


def test_without_a_valid_id_name_and_phone_match(db: Database) -> None:
    earlier_no = _earlier_case(db, "毛秀英", "", NO_ID_PHONE, close=False)
    day2 = days.create_day(db, SECOND)[0].id
    same, _ = add_registration(db, day2, _registration("毛秀英", "", NO_ID_PHONE))
    other_phone, _ = add_registration(db, day2, _registration("毛秀英", "", "13800000000"))
    rows = {r.batch_id: r for r in list_registrations(db, day2)}
    assert Flag.REPEAT.value in rows[same].flags
    assert Flag.REPEAT.value not in rows[other_phone].flags
    earlier = board.desk_card(db, same).earlier_cases
    assert [c.case_no for c in earlier] == [earlier_no] and not earlier[0].closed


def test_an_import_flags_repeats_by_excel_row(db: Database, tmp_path: Path) -> None:
    earlier_no = _earlier_case(db, "柴卫发", ID_NUMBER)
    day2 = days.create_day(db, SECOND)[0].id
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "身份证号码", "联系电话", "人数", "问题类别", "反映问题及诉求"])
    ws.append(["郑小明", "", "13700000000", 1, "劳动社保", "讨要工资"])  # row 2
    ws.append(["柴卫发", ID_NUMBER, "13857001234", 1, "劳动社保", "欠薪仍未解决"])  # row 3
    path = tmp_path / "名单.xlsx"
    wb.save(path)
    report = import_registrations(db, path, day2, actor="登记台")
    assert report.imported == 2
    assert [v.row for v in report.repeats] == [3] and earlier_no in report.repeats[0].reason
    assert report.to_json()["repeats"][0]["row"] == 3
    with db.read() as session:
        flags = dict(session.execute(select(Batch.reg_no, Batch.flags).where(Batch.day_id == day2)).tuples().all())
    assert sum(Flag.REPEAT.value in (f or []) for f in flags.values()) == 1


def test_registrations_json_carries_the_repeat_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    from reception_desk.db.migrate import upgrade_to_head

    upgrade_to_head(db.engine)
    _earlier_case(db, "柴卫发", ID_NUMBER)
    day2 = days.create_day(db, SECOND)[0].id
    add_registration(db, day2, _registration("柴卫发", ID_NUMBER))
    db.dispose()
    assert main(["--db", str(tmp_path / "r.sqlite3"), "registrations", "--day", "2026-12-04", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "柴卫发" and "repeat" in rows[0]["flags"]


def test_a_later_registration_is_flagged_when_the_earlier_case_is_recorded_after_it(db: Database) -> None:
    day1 = days.create_day(db, FIRST)[0].id
    day2 = days.create_day(db, SECOND)[0].id
    later_id, _ = add_registration(db, day2, _registration("柴卫发", ID_NUMBER))  # the next day's import came first
    assert Flag.REPEAT.value not in {r.batch_id: r for r in list_registrations(db, day2)}[later_id].flags
    batch_id, _ = add_registration(db, day1, _registration("柴卫发", ID_NUMBER))
    assignment.assign_day(db, day1)
    flow.check_in(db, batch_id, "登记台")
    cases.record_case(db, batch_id, CaseInput(outcome="explained"), "第4接待室")
    assert Flag.REPEAT.value in {r.batch_id: r for r in list_registrations(db, day2)}[later_id].flags
    with db.read() as session:  # the flag set on the later day's batch is in the audit log, by who recorded
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "flag_repeat", AuditEntry.entity_id == later_id)
        ).one()
    assert entry.actor == "第4接待室" and entry.after == {"flags": [Flag.REPEAT.value]}


def test_an_edit_that_names_someone_who_came_before_marks_the_batch_and_the_case_links(db: Database) -> None:
    """The desk corrects a mistyped ID to a person with an earlier case: 重复访 is set, and the case records it."""
    earlier_no = _earlier_case(db, "柴卫发", ID_NUMBER)
    day2 = days.create_day(db, SECOND)[0].id
    batch_id, _ = add_registration(
        db, day2, _registration("柴卫发", "330803197001011238", phone="13900000000")
    )  # a wrong digit
    assert Flag.REPEAT.value not in {r.batch_id: r for r in list_registrations(db, day2)}[batch_id].flags
    data = registration_edit.load_registration(db, batch_id)
    lead = dataclasses.replace(data.data.lead, id_number=ID_NUMBER)
    registration_edit.update_registration(
        db, batch_id, dataclasses.replace(data.data, lead=lead), "登记台", data.version, data.visitor_versions
    )
    assert Flag.REPEAT.value in {r.batch_id: r for r in list_registrations(db, day2)}[batch_id].flags
    assignment.assign_day(db, day2)
    flow.check_in(db, batch_id, "登记台")
    case_id, _ = cases.record_case(db, batch_id, CaseInput(outcome="explained"), "第4接待室")
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.repeat_of_case_id is not None
        assert session.scalar(select(Case.case_no).where(Case.id == case.repeat_of_case_id)) == earlier_no


def test_a_first_visit_records_no_repeat(db: Database) -> None:
    day = days.create_day(db, FIRST)[0].id
    batch_id, _ = add_registration(db, day, _registration("吴建国", "330803198002021234"))
    assignment.assign_day(db, day)
    flow.check_in(db, batch_id, "登记台")
    case_id, _ = cases.record_case(db, batch_id, CaseInput(outcome="explained"), "第4接待室")
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.repeat_of_case_id is None
