"""Recording what a room decided: case numbers, departments, deadlines, corrections, the slip's data."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseDepartment, Department, ReceptionDay, Room
from reception_desk.services import assignment, cases, days, flow
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DAY = dt.date(2026, 12, 4)  # a Friday
# working days (the default): Fri 12-04 + 1 = Mon 12-07, + 3 = Wed 12-09, + 7 = Tue 12-15 (no holiday in between)
DUE = {"green": dt.date(2026, 12, 7), "yellow": dt.date(2026, 12, 9), "red": dt.date(2026, 12, 15)}
ID_NUMBER = "33080319700101123X"


def _day(db: Database, date: dt.date = DAY) -> int:
    info, _ = days.create_day(db, date, title="衢江区领导下访接访日", venue="衢江区工贸职校")
    return info.id


def _register(db: Database, day_id: int, name: str, theme: str = "labour", id_number: str = "") -> int:
    data = RegistrationInput(
        lead=PersonInput(name, id_number=id_number, phone="13857001234"),
        request=f"{name}等人反映被拖欠工资三个月，要求帮助讨薪。",
        theme_code=theme,
        headcount=3,
        township="云溪乡",
        village="章戴村",
    )
    batch_id, _ = add_registration(db, day_id, data)
    return batch_id


def _in_session(db: Database, day_id: int, *names: str, theme: str = "labour") -> list[int]:
    ids = [_register(db, day_id, n, theme) for n in names]
    assignment.assign_day(db, day_id)
    for batch_id in ids:
        flow.check_in(db, batch_id, "登记台")
    return ids


def _dept(db: Database, name: str) -> int:
    with db.read() as session:
        dept_id = session.scalar(select(Department.id).where(Department.name == name))
        assert dept_id is not None
        return dept_id


def _natural_days(db: Database, day_id: int) -> None:
    """Count this day's deadlines in natural days (自然日), as an office may choose."""
    with db.session() as session:
        day = session.get(ReceptionDay, day_id)
        assert day is not None
        day.working_day_deadlines = False


def _case(db: Database, case_id: int) -> Case:
    with db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def _batch(db: Database, batch_id: int) -> Batch:
    with db.read() as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None
        return batch


def _co(db: Database, case_id: int) -> list[int]:
    with db.read() as session:
        return list(
            session.scalars(
                select(CaseDepartment.department_id)
                .where(CaseDepartment.case_id == case_id)
                .order_by(CaseDepartment.rank)
            )
        )


def test_record_case_numbers_dates_and_finishes_the_batch(db: Database) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "徐根土")
    room_id = _batch(db, batch_id).room_id
    assert room_id is not None
    flow.start_session(db, batch_id, "第4接待室")
    hrss, township = _dept(db, "人力资源和社会保障局"), _dept(db, "云溪乡")
    data = CaseInput(
        request="",
        instruction="请区人社局牵头，会同云溪乡3日内核实欠薪情况并答复来访人。",
        outcome="handed_over",
        colour="yellow",
        lead_department_id=hrss,
        co_department_ids=[township],
    )
    case_id, changes = cases.record_case(db, batch_id, data, "第4接待室 记录员")

    case = _case(db, case_id)
    with db.read() as session:
        room = session.get(Room, room_id)
        assert room is not None and room.number == 4  # the first labour room
    assert case.case_no == "JF-20261204-04-001"
    assert case.lead_department_id == hrss
    assert _co(db, case_id) == [township]
    assert case.due_date == DUE["yellow"] and case.original_due_date == DUE["yellow"]
    assert case.request.startswith("徐根土等人反映")  # taken from the registration
    assert case.outcome == "handed_over" and case.status == "open" and case.recorded_by == "第4接待室 记录员"
    batch = _batch(db, batch_id)
    assert batch.status == "done" and batch.finished_at is not None
    assert changes.cases == {case_id} and changes.batches == {batch_id} and changes.rooms == {room_id}


@pytest.mark.parametrize(("colour", "days_later"), [("green", 1), ("yellow", 3), ("red", 7)])
def test_due_date_follows_the_colour_in_calendar_days(db: Database, colour: str, days_later: int) -> None:
    day_id = _day(db)
    _natural_days(db, day_id)
    (batch_id,) = _in_session(db, day_id, "周水生")
    data = CaseInput(
        instruction="限期反馈。",
        outcome="handed_over",
        colour=colour,
        lead_department_id=_dept(db, "医疗保障局"),
    )
    case_id, _ = cases.record_case(db, batch_id, data, "记录员")
    assert _case(db, case_id).due_date == DAY + dt.timedelta(days=days_later)


def test_due_date_in_working_days_skips_the_weekend(db: Database) -> None:
    day_id = _day(db)
    with db.read() as session:
        day = session.get(ReceptionDay, day_id)
        assert day is not None and day.working_day_deadlines is True  # the default for a new day
    green, yellow = _in_session(db, day_id, "郑卫东", "毛秀英")
    lead = _dept(db, "人力资源和社会保障局")
    green_id, _ = cases.record_case(
        db, green, CaseInput(outcome="handed_over", colour="green", lead_department_id=lead), "r"
    )
    yellow_id, _ = cases.record_case(
        db, yellow, CaseInput(outcome="handed_over", colour="yellow", lead_department_id=lead), "r"
    )
    assert _case(db, green_id).due_date == dt.date(2026, 12, 7)  # Friday + 1 working day = Monday
    assert _case(db, yellow_id).due_date == dt.date(2026, 12, 9)  # Wednesday


def test_sequence_counts_per_room_and_recording_straight_from_the_queue(db: Database) -> None:
    day_id = _day(db)
    a, b = _in_session(db, day_id, "甲某", "乙某", theme="transport")
    c = _register(db, day_id, "丙某", theme="civil")
    assignment.assign_day(db, day_id)
    flow.check_in(db, c, "登记台")
    explained = CaseInput(instruction="向来访人解释了政策。", outcome="explained")
    first, _ = cases.record_case(db, a, explained, "r")  # waiting: recorded directly
    second, _ = cases.record_case(
        db, b, CaseInput(instruction="当场协调解决。", outcome="resolved", colour="green"), "r"
    )
    other, _ = cases.record_case(db, c, explained, "r")
    assert [_case(db, i).case_no for i in (first, second, other)] == [
        "JF-20261204-08-001",
        "JF-20261204-08-002",
        "JF-20261204-13-001",
    ]
    assert _case(db, first).due_date is None and _case(db, first).lead_department_id is None
    assert _case(db, second).due_date == DUE["green"]
    batch = _batch(db, a)
    assert batch.status == "done" and batch.started_at is not None and batch.finished_at is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (CaseInput(outcome="handed_over", colour="red"), "主办单位"),
        (CaseInput(outcome="handed_over", lead_department_id=-1), "颜色分类"),
        (CaseInput(outcome="done"), "处理结果"),
        (CaseInput(instruction="当场解决。", outcome="resolved", colour="blue"), "颜色分类"),
        (CaseInput(outcome="resolved"), "当场解决的事项必须填写处理意见"),
        (CaseInput(instruction="  \n ", outcome="resolved"), "处理意见"),
    ],
)
def test_bad_case_input_is_refused(db: Database, data: CaseInput, message: str) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "吴某")
    with pytest.raises(InvalidInputError, match=message):
        cases.record_case(db, batch_id, data, "r")
    assert _batch(db, batch_id).status == "waiting"


def test_co_department_must_differ_from_lead_and_exist(db: Database) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "叶某")
    lead = _dept(db, "人力资源和社会保障局")
    same = CaseInput(outcome="handed_over", colour="red", lead_department_id=lead, co_department_ids=[lead])
    with pytest.raises(InvalidInputError, match="协办单位不能与主办单位相同"):
        cases.record_case(db, batch_id, same, "r")
    unknown = CaseInput(outcome="handed_over", colour="red", lead_department_id=lead, co_department_ids=[999_999])
    with pytest.raises(InvalidInputError, match="不在目录中"):
        cases.record_case(db, batch_id, unknown, "r")
    with db.read() as session:
        assert session.scalar(select(Case.id)) is None


def test_second_record_and_unready_batches_are_refused(db: Database) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "程某")
    not_here = _register(db, day_id, "傅某")
    assignment.assign_day(db, day_id)
    first, _ = cases.record_case(db, batch_id, CaseInput(outcome="explained"), "r")
    with pytest.raises(InvalidInputError, match=_case(db, first).case_no):
        cases.record_case(db, batch_id, CaseInput(outcome="explained"), "r")
    with pytest.raises(InvalidInputError, match="已登记"):
        cases.record_case(db, not_here, CaseInput(outcome="explained"), "r")
    with pytest.raises(NotFoundError):
        cases.record_case(db, 999_999, CaseInput(outcome="explained"), "r")


def test_stale_batch_version_refuses_the_record(db: Database) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "祝某")
    seen = _batch(db, batch_id).version
    flow.start_session(db, batch_id, "主持人")
    with pytest.raises(StaleWriteError):
        cases.record_case(db, batch_id, CaseInput(outcome="explained"), "r", expected_version=seen)
    assert _batch(db, batch_id).status == "in_session"
    with db.read() as session:
        assert session.scalar(select(Case.id)) is None


def test_update_case_corrects_with_version_check(db: Database) -> None:
    day_id = _day(db)
    (batch_id,) = _in_session(db, day_id, "童某")
    hrss, medical, town = (_dept(db, n) for n in ("人力资源和社会保障局", "医疗保障局", "云溪乡"))
    case_id, _ = cases.record_case(
        db, batch_id, CaseInput(outcome="handed_over", colour="green", lead_department_id=hrss), "r"
    )
    version = _case(db, case_id).version
    correction = CaseInput(
        instruction="改为红色件，7日内反馈。",
        outcome="handed_over",
        colour="red",
        lead_department_id=hrss,
        co_department_ids=[medical, town],
    )
    changes = cases.update_case(db, case_id, correction, "审核员", expected_version=version)
    assert changes.cases == {case_id}
    case = _case(db, case_id)
    assert case.colour == "red" and case.due_date == DUE["red"]
    assert _co(db, case_id) == [medical, town]
    assert case.version == version + 1

    with pytest.raises(StaleWriteError):
        cases.update_case(db, case_id, CaseInput(outcome="explained"), "另一人", expected_version=version)
    assert _case(db, case_id).outcome == "handed_over"

    only_co = CaseInput(
        instruction="改为红色件，7日内反馈。",
        outcome="handed_over",
        colour="red",
        lead_department_id=hrss,
        co_department_ids=[town],
    )
    cases.update_case(db, case_id, only_co, "审核员", expected_version=version + 1)
    assert _co(db, case_id) == [town]
    assert _case(db, case_id).version == version + 2  # co-departments alone move the version too


def test_case_detail_and_lists_by_department(db: Database) -> None:
    day_id = _day(db)
    batch_id = _register(db, day_id, "王学德", id_number=ID_NUMBER)
    other = _register(db, day_id, "吴某")
    assignment.assign_day(db, day_id)
    flow.check_in(db, batch_id, "登记台")
    flow.check_in(db, other, "登记台")
    hrss, medical, town = (_dept(db, n) for n in ("人力资源和社会保障局", "医疗保障局", "云溪乡"))
    case_id, _ = cases.record_case(
        db,
        batch_id,
        CaseInput(
            instruction="请人社局牵头，7日内处理。",
            outcome="handed_over",
            colour="red",
            lead_department_id=hrss,
            co_department_ids=[town, medical],
        ),
        "记录员",
    )
    other_case, _ = cases.record_case(
        db, other, CaseInput(instruction="当场答复报销比例。", outcome="resolved", lead_department_id=medical), "记录员"
    )

    detail = cases.case_detail(db, case_id)
    assert detail.day_title == "衢江区领导下访接访日" and detail.venue == "衢江区工贸职校"
    assert detail.day_date == DAY
    assert detail.room_number in (4, 5) and detail.room_name.startswith("第")
    assert detail.visitor_name == "王学德" and detail.id_number == ID_NUMBER and detail.phone == "13857001234"
    assert (detail.township, detail.village, detail.headcount) == ("云溪乡", "章戴村", 3)
    assert detail.outcome_label == "交办" and detail.colour_label == "红色"
    assert detail.due_date == DUE["red"]
    assert detail.lead_department == "人力资源和社会保障局"
    assert detail.co_departments == ("云溪乡", "医疗保障局")
    assert detail.instruction == "请人社局牵头，7日内处理。" and detail.recorded_at is not None

    everything = cases.list_cases(db, day_id)
    assert [r.case_id for r in everything] == sorted([case_id, other_case], key=lambda i: _case(db, i).case_no)
    assert [r.case_id for r in cases.list_cases(db, day_id, hrss)] == [case_id]
    assert {r.case_id for r in cases.list_cases(db, day_id, medical)} == {case_id, other_case}
    assert cases.list_cases(db, day_id, _dept(db, "交通运输局")) == []
    with pytest.raises(NotFoundError):
        cases.case_detail(db, 999_999)
