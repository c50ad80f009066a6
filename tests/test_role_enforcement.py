"""Roles enforced in the services: each role's allowed operations go through, its refused ones raise
PermissionDeniedError with a Chinese message and change nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import (
    AuditEntry,
    Batch,
    BatchMember,
    CalendarDay,
    Case,
    CaseDraft,
    Department,
    ReceptionDay,
    Room,
)
from reception_desk.domain.roles import Role
from reception_desk.errors import PermissionDeniedError
from reception_desk.services import (
    assignment,
    case_life,
    cases,
    days,
    demo,
    drafts,
    flow,
    holiday_calendar,
    plan,
    registration_edit,
    registrations,
    users,
)
from reception_desk.services.importing import import_registrations
from reception_desk.services.registrations import PersonInput, RegistrationInput
from tests.helpers import DAY, make_day, register
from tests.life_builders import dept, handed

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Venue:
    """A day played to mid-morning in 单机模式, then the four users created (login on from then)."""

    day_id: int
    room: dict[int, int]  # room number -> id
    waiting1: int  # checked in, waiting in room 1 (host1's)
    registered1: int  # not yet come, placed in room 1
    waiting9: int  # checked in, waiting in room 9 (not host1's)
    registered2: int  # not yet come, placed in room 2
    case_id: int  # a handed-over case recorded in room 1, open for the tracking after the day
    hrss: int  # 人社局's department id


def _venue(db: Database) -> Venue:
    day_id = make_day(db)
    with db.read() as session:
        room = {n: i for n, i in session.execute(select(Room.number, Room.id).where(Room.day_id == day_id))}
    b1, b2, b3, b4, b5 = register(db, day_id, 5)
    for batch_id, number in ((b1, 1), (b2, 1), (b3, 9), (b4, 2), (b5, 1)):
        registrations.move_batch(db, batch_id, room[number], "按计划安排", "setup", _v(db, Batch, batch_id))
    for batch_id in (b5, b1, b3):
        flow.check_in(db, batch_id, "setup", expected_version=_v(db, Batch, batch_id))
    hrss = dept(db, "人力资源和社会保障局")
    case_id, _ = cases.record_case(db, b5, handed(hrss), "setup")
    users.add_user(db, "setup", "admin", Role.ADMIN, "demo-admin")
    users.add_user(db, "admin", "desk1", Role.DESK, "demo-desk")
    users.add_user(db, "admin", "host1", Role.HOST, "demo-host", rooms=[1, 2, 3, 4, 5])
    users.add_user(db, "admin", "chief", Role.SUPERVISOR, "demo-chief")
    return Venue(day_id, room, b1, b2, b3, b4, case_id, hrss)


def _state(db: Database) -> tuple[Any, ...]:
    """Everything an operation could change, to show a refusal changed nothing."""
    with db.read() as session:

        def rows(*columns: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in session.execute(select(*columns).order_by(columns[0]))]

        return (
            rows(Batch.id, Batch.status, Batch.room_id, Batch.queue_number, Batch.version, Batch.request),
            rows(BatchMember.id, BatchMember.checked_in_at),
            rows(Case.id, Case.status, Case.colour, Case.due_date, Case.supervised, Case.version),
            rows(Room.id, Room.host, Room.version),
            rows(ReceptionDay.id, ReceptionDay.working_day_deadlines),
            rows(Department.id, Department.name, Department.version),
            rows(CalendarDay.date, CalendarDay.kind),
            rows(CaseDraft.batch_id, CaseDraft.data),
            session.scalar(select(func.count(AuditEntry.id))),
        )


def _refused(db: Database, operation: Callable[[], object], match: str) -> str:
    """Run a refused operation: PermissionDeniedError in Chinese, and the database exactly as before."""
    before = _state(db)
    with pytest.raises(PermissionDeniedError, match=match) as refusal:
        operation()
    message = str(refusal.value)
    assert CHINESE.search(message), message
    assert _state(db) == before
    return message


def _v(db: Database, model: Any, row_id: int) -> int:
    """The row's version as a person would see it now (edits carry it)."""
    with db.read() as session:
        row = session.get(model, row_id)
        assert row is not None
        return int(row.version)


def _status(db: Database, batch_id: int) -> str:
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch.status


def _walk_in(name: str) -> RegistrationInput:
    return RegistrationInput(PersonInput(name, phone="13857009999"), f"{name}反映问题。", theme_code="labour")


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "名单.csv"
    path.write_text(
        "序号,姓名,身份证号,联系电话,来访人数,问题类别,反映问题及诉求,同行人员\n1,王五,,13805701234,1,劳资,拖欠工资,\n",
        encoding="utf-8",
    )
    return path


def test_desk_registers_checks_in_and_takes_walk_ins(db: Database, tmp_path: Path) -> None:
    v = _venue(db)
    pre_id, _ = registrations.add_registration(db, v.day_id, _walk_in("赵六"), actor="desk1")
    walk_id, _ = registrations.add_registration(db, v.day_id, _walk_in("钱七"), walk_in=True, actor="desk1")
    assert assignment.assign_day(db, v.day_id, "desk1").assigned == 2  # a walk-in is given its room
    editable = registration_edit.load_registration(db, v.registered2)
    changed = dataclasses.replace(editable.data, request="改正后的诉求")
    registration_edit.update_registration(
        db, v.registered2, changed, "desk1", editable.version, editable.visitor_versions
    )
    assert import_registrations(db, _csv(tmp_path), v.day_id, actor="desk1").imported == 1
    flow.check_in(db, walk_id, "desk1", expected_version=_v(db, Batch, walk_id))
    flow.check_in(db, v.registered2, "desk1", expected_version=_v(db, Batch, v.registered2))
    assert _status(db, v.registered2) == "waiting"
    flow.undo_check_in(db, v.registered2, "desk1", "签错了人", expected_version=_v(db, Batch, v.registered2))
    assert _status(db, v.registered2) == "registered"
    with db.read() as session:
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "desk1")))
        assert {"register", "check_in", "undo_check_in"} <= actions
        assert session.scalar(select(Batch.request).where(Batch.id == v.registered2)) == "改正后的诉求"
        assert session.get(Batch, pre_id) is not None


def test_desk_is_refused_room_work_moves_tracking_and_the_admin_work(db: Database) -> None:
    v = _venue(db)
    _refused(db, lambda: flow.call_next(db, v.room[1], "desk1"), "登记台用户“desk1”无权在接待室叫号")
    _refused(
        db,
        lambda: flow.start_session(db, v.waiting1, "desk1", expected_version=_v(db, Batch, v.waiting1)),
        "无权在接待室叫号",
    )
    _refused(db, lambda: cases.record_case(db, v.waiting1, handed(v.hrss), "desk1"), "无权在接待室")
    _refused(db, lambda: drafts.save_draft(db, v.waiting1, v.room[1], {"request": "草稿"}, "desk1"), "无权在接待室")
    _refused(
        db,
        lambda: registrations.move_batch(db, v.waiting1, v.room[3], "换", "desk1", _v(db, Batch, v.waiting1)),
        "无权调整批次的接待室",
    )
    _refused(db, lambda: case_life.sign_case(db, v.case_id, "张科长", "desk1"), "无权办理事后督办")
    _refused(db, lambda: days.create_day(db, DAY + dt.timedelta(days=7), actor="desk1"), "无权管理接访日")
    _refused(db, lambda: plan.update_room(db, v.room[1], _v(db, Room, v.room[1]), "desk1", host="某某"), "无权管理")
    _refused(db, lambda: holiday_calendar.set_calendar_day(db, DAY, "holiday", "", "desk1"), "无权管理")
    _refused(db, lambda: demo.create_demo_day(db, date=DAY + dt.timedelta(days=14), actor="desk1"), "无权管理")


def test_host_calls_and_records_in_his_rooms_only(db: Database) -> None:
    v = _venue(db)
    called, _ = flow.call_next(db, v.room[1], "host1")
    assert called == v.waiting1 and _status(db, v.waiting1) == "in_session"
    assert drafts.save_draft(db, v.waiting1, v.room[1], {"request": "草稿"}, "host1")
    flow.return_to_queue(db, v.waiting1, "host1", "取材料", expected_version=_v(db, Batch, v.waiting1))
    flow.start_session(db, v.waiting1, "host1", expected_version=_v(db, Batch, v.waiting1))
    case_id, _ = cases.record_case(db, v.waiting1, handed(v.hrss), "host1")
    cases.update_case(db, case_id, handed(v.hrss, "yellow"), "host1", _v(db, Case, case_id))
    flow.mark_no_show(db, v.registered1, "host1", expected_version=_v(db, Batch, v.registered1))
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and (case.colour, case.recorded_by) == ("yellow", "host1")
    assert _status(db, v.registered1) == "no_show"

    not_his = "只能在第1接待室、第2接待室、第3接待室、第4接待室、第5接待室操作，不能在第9接待室操作"
    _refused(db, lambda: flow.call_next(db, v.room[9], "host1"), not_his)
    _refused(
        db, lambda: flow.start_session(db, v.waiting9, "host1", expected_version=_v(db, Batch, v.waiting9)), not_his
    )
    _refused(db, lambda: cases.record_case(db, v.waiting9, handed(v.hrss), "host1"), not_his)
    _refused(db, lambda: drafts.save_draft(db, v.waiting9, v.room[9], {"request": "草稿"}, "host1"), not_his)
    _refused(
        db, lambda: flow.mark_no_show(db, v.waiting9, "host1", expected_version=_v(db, Batch, v.waiting9)), not_his
    )
    _refused(
        db,
        lambda: flow.check_in(db, v.registered2, "host1", expected_version=_v(db, Batch, v.registered2)),
        "接待室用户“host1”无权办理签到",
    )
    _refused(
        db, lambda: registrations.add_registration(db, v.day_id, _walk_in("孙八"), actor="host1"), "无权办理预登记"
    )
    _refused(
        db,
        lambda: registrations.move_batch(db, v.registered2, v.room[3], "换", "host1", _v(db, Batch, v.registered2)),
        "无权调整",
    )
    _refused(db, lambda: assignment.assign_day(db, v.day_id, "host1"), "无权调整批次的接待室")
    _refused(db, lambda: case_life.sign_case(db, v.case_id, "张科长", "host1"), "无权办理事后督办")
    _refused(db, lambda: plan.create_department(db, "新单位", actor="host1"), "无权管理")


def test_supervisor_tracks_moves_and_assigns_but_does_not_check_in_or_call(db: Database, tmp_path: Path) -> None:
    v = _venue(db)
    registrations.move_batch(db, v.registered2, v.room[3], "人多，换到第3接待室", "chief", _v(db, Batch, v.registered2))
    assignment.assign_day(db, v.day_id, "chief")
    case_life.sign_case(db, v.case_id, "人社局 张科长", "chief")
    case_life.add_feedback(db, v.case_id, "已核实。", "张科长", "chief")
    case_life.supervise_case(db, v.case_id, "群众反映强烈", "chief")
    with db.read() as session:
        case = session.get(Case, v.case_id)
        assert case is not None and (case.status, case.supervised_by) == ("replied", "chief")
        assert session.scalar(select(Batch.room_id).where(Batch.id == v.registered2)) == v.room[3]

    _refused(
        db,
        lambda: flow.check_in(db, v.registered2, "chief", expected_version=_v(db, Batch, v.registered2)),
        "督办用户“chief”无权办理签到和现场登记",
    )
    _refused(
        db,
        lambda: flow.undo_check_in(db, v.waiting1, "chief", "错了", expected_version=_v(db, Batch, v.waiting1)),
        "无权办理签到",
    )
    _refused(db, lambda: flow.call_next(db, v.room[1], "chief"), "无权在接待室叫号")
    _refused(db, lambda: cases.record_case(db, v.waiting1, handed(v.hrss), "chief"), "无权在接待室")
    _refused(
        db,
        lambda: cases.update_case(db, v.case_id, handed(v.hrss, "yellow"), "chief", _v(db, Case, v.case_id)),
        "无权在接待室",
    )
    _refused(
        db, lambda: registrations.add_registration(db, v.day_id, _walk_in("周九"), actor="chief"), "无权办理预登记"
    )
    _refused(db, lambda: import_registrations(db, _csv(tmp_path), v.day_id, actor="chief"), "无权办理预登记")
    _refused(db, lambda: days.create_day(db, DAY + dt.timedelta(days=7), actor="chief"), "无权管理")
    _refused(db, lambda: holiday_calendar.set_day_deadline_mode(db, v.day_id, False, "chief"), "无权管理")
    _refused(
        db, lambda: plan.update_department(db, v.hrss, _v(db, Department, v.hrss), "chief", phone="123"), "无权管理"
    )


def test_admin_may_do_everything(db: Database) -> None:
    v = _venue(db)
    info, _ = days.create_day(db, DAY + dt.timedelta(days=7), actor="admin")
    plan.update_room(db, v.room[9], _v(db, Room, v.room[9]), "admin", host="李主任")
    plan.create_department(db, "新设单位", actor="admin")
    holiday_calendar.set_calendar_day(db, dt.date(2026, 12, 31), "holiday", "元旦前", "admin")
    holiday_calendar.set_day_deadline_mode(db, v.day_id, False, "admin")
    registrations.add_registration(db, v.day_id, _walk_in("吴十"), walk_in=True, actor="admin")
    flow.check_in(db, v.registered2, "admin", expected_version=_v(db, Batch, v.registered2))
    assert flow.call_next(db, v.room[9], "admin")[0] == v.waiting9  # any room
    registrations.move_batch(db, v.registered1, v.room[4], "调整", "admin", _v(db, Batch, v.registered1))
    case_life.sign_case(db, v.case_id, "张科长", "admin")
    with db.read() as session:
        assert session.get(ReceptionDay, info.id) is not None
        assert session.scalar(select(Room.host).where(Room.id == v.room[9])) == "李主任"
        assert session.scalar(select(Case.status).where(Case.id == v.case_id)) == "signed"


def test_a_disabled_user_and_a_stranger_are_refused(db: Database) -> None:
    v = _venue(db)
    users.set_active(db, "admin", "desk1", False)
    _refused(
        db,
        lambda: flow.check_in(db, v.registered2, "desk1", expected_version=_v(db, Batch, v.registered2)),
        "“desk1”不存在或已停用",
    )
    _refused(
        db,
        lambda: flow.check_in(db, v.registered2, "somebody", expected_version=_v(db, Batch, v.registered2)),
        "“somebody”不存在或已停用",
    )


def test_without_users_everyone_may_do_everything(db: Database) -> None:
    day_id = make_day(db)
    (batch_id,) = register(db, day_id, 1)
    with db.read() as session:
        room9 = session.scalar(select(Room.id).where(Room.day_id == day_id, Room.number == 9))
    assert room9 is not None
    registrations.move_batch(db, batch_id, room9, "按计划安排", "某人", _v(db, Batch, batch_id))
    flow.check_in(db, batch_id, "某人", expected_version=_v(db, Batch, batch_id))
    assert flow.call_next(db, room9, "另一人")[0] == batch_id
    holiday_calendar.set_calendar_day(db, DAY, "holiday", "", "第三人")
    assert not users.has_users(db)
