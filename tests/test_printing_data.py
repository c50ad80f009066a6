"""The data behind the printouts (services/print_data.py), tested apart from the drawing, on both databases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, Case, CaseDepartment, Department, Room
from reception_desk.domain import resident_id
from reception_desk.services import assignment, cases, days, flow, print_data
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import NotFoundError
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration

DAY = dt.date(2026, 12, 4)  # a Friday
EXT_B_NAME = "张\U00020bb7明"  # 𠮷, CJK Extension B
EXT_A_NAME = "龚\u4dae"  # 䶮, CJK Extension A
LONG_REQUEST = (
    "反映衢江大道东延工程征收其家庭住房，评估面积比实际少了96平方米，补偿标准偏低，过渡安置费已拖欠十个月，"
    "多次向征收办反映未果，要求重新丈量评估并按同期同类标准补足补偿款。"
) * 12


@dataclass(frozen=True)
class Person:
    """A visitor of the test day."""

    name: str
    id_number: str
    phone: str
    theme: str
    headcount: int
    township: str
    village: str
    request: str


PEOPLE = (
    Person(
        EXT_B_NAME,
        resident_id.make("330803", dt.date(1970, 1, 1), 123),
        "13857001234",
        "land",
        6,
        "樟潭街道",
        "下张村",
        "反映征地拆迁补偿标准偏低，要求按同期同类标准重新核定补偿款。",
    ),
    Person(
        EXT_A_NAME,
        resident_id.make("330803", dt.date(1958, 6, 30), 245),
        "13905701111",
        "labour",
        1,
        "云溪乡",
        "章戴村",
        "反映在某建材公司务工被拖欠工资三个月共计一万二千元，要求帮助讨薪。",
    ),
    Person(
        "王学德",
        resident_id.make("330803", dt.date(1965, 3, 8), 311),
        "13757002222",
        "land",
        1,
        "湖南镇",
        "破石村",
        LONG_REQUEST,
    ),
    Person(
        "徐秀英",
        resident_id.make("330802", dt.date(1972, 9, 9), 402),
        "15857003333",
        "labour",
        2,
        "莲花镇",
        "莲花村",
        "反映养老保险缴费年限认定有误，要求核实。",
    ),
    Person(
        "郑根水",
        resident_id.make("330803", dt.date(1949, 12, 1), 511),
        "18857004444",
        "land",
        1,
        "杜泽镇",
        "杜泽村",
        "咨询宅基地审批政策。",
    ),
    Person(
        "毛金凤",
        resident_id.make("330803", dt.date(1980, 5, 5), 602),
        "13357005555",
        "labour",
        1,
        "后溪镇",
        "后溪村",
        "反映工伤认定进度慢。",
    ),
)


@dataclass(frozen=True)
class BuiltDay:
    """The test day: its id, batches by name, cases by name, department ids by name."""

    day_id: int
    batches: dict[str, int]
    cases: dict[str, int]
    departments: dict[str, int]


def department_id(db: Database, name: str) -> int:
    """A department of the directory by name."""
    with db.read() as session:
        found = session.scalar(select(Department.id).where(Department.name == name))
        assert found is not None
        return found


def build_day(db: Database, people: tuple[Person, ...] = PEOPLE) -> BuiltDay:
    """A day with registrations, rooms assigned, and cases: four handed over, one resolved, one explained."""
    info, _ = days.create_day(db, DAY, title="衢江区领导下访接访日", venue="衢江区工贸职校", leaders="区委书记 张明")
    batches: dict[str, int] = {}
    for p in people:
        registration = RegistrationInput(
            lead=PersonInput(p.name, id_number=p.id_number, phone=p.phone),
            request=p.request,
            theme_code=p.theme,
            headcount=p.headcount,
            township=p.township,
            village=p.village,
        )
        batches[p.name], _ = add_registration(db, info.id, registration)
    assignment.assign_day(db, info.id)
    names = ("自然资源和规划分局", "征收办", "人力资源和社会保障局", "云溪乡", "医疗保障局")
    depts = {n: department_id(db, n) for n in names}
    plans = {
        people[0].name: CaseInput(
            instruction="请自然资源和规划分局会同征收办3日内核实补偿标准并答复。",
            colour="yellow",
            lead_department_id=depts["自然资源和规划分局"],
            co_department_ids=[depts["征收办"]],
        ),
        people[1].name: CaseInput(
            instruction="请区人社局牵头，会同云溪乡1日内核实欠薪情况。",
            colour="green",
            lead_department_id=depts["人力资源和社会保障局"],
            co_department_ids=[depts["云溪乡"]],
        ),
        people[2].name: CaseInput(
            instruction="请征收办牵头核实，7日内书面答复。",
            colour="red",
            lead_department_id=depts["征收办"],
        ),
        people[3].name: CaseInput(
            instruction="请医保局核实缴费年限。",
            colour="yellow",
            lead_department_id=depts["医疗保障局"],
            co_department_ids=[depts["人力资源和社会保障局"]],
        ),
        people[4].name: CaseInput(instruction="已当场讲解宅基地审批政策。", outcome="resolved"),
        people[5].name: CaseInput(instruction="已说明工伤认定的法定时限。", outcome="explained"),
    }
    recorded: dict[str, int] = {}
    for name, data in plans.items():
        flow.check_in(db, batches[name], "登记台")
        recorded[name], _ = cases.record_case(db, batches[name], data, "记录员")
    return BuiltDay(info.id, batches, recorded, depts)


# ------------------------------------------------------------------------------------------------ cases


def test_day_cases_match_case_detail_one_by_one(db: Database) -> None:
    built = build_day(db)
    listed = print_data.day_cases(db, built.day_id)
    assert [d.case_id for d in listed] == sorted(
        (built.cases[p.name] for p in PEOPLE[:4]), key=lambda i: cases.case_detail(db, i).case_no
    )
    for detail in listed:
        assert detail == cases.case_detail(db, detail.case_id)
    everything = print_data.day_cases(db, built.day_id, handed_over_only=False)
    assert len(everything) == 6
    assert {d.outcome for d in everything} == {"handed_over", "resolved", "explained"}


def test_case_detail_keeps_rare_characters_and_raw_contact(db: Database) -> None:
    built = build_day(db)
    detail = print_data.cases_by_number(db, [cases.case_detail(db, built.cases[EXT_B_NAME]).case_no])[0]
    assert detail.visitor_name == EXT_B_NAME
    assert detail.id_number == PEOPLE[0].id_number  # raw here: the renderer masks it
    assert detail.phone == PEOPLE[0].phone
    assert detail.co_departments == ("征收办",)
    assert detail.headcount == 6 and detail.colour == "yellow"


def test_cases_by_number_keeps_the_order_and_names_unknown_numbers(db: Database) -> None:
    built = build_day(db)
    numbers = [cases.case_detail(db, built.cases[p.name]).case_no for p in PEOPLE[:3]]
    assert [d.case_no for d in print_data.cases_by_number(db, list(reversed(numbers)))] == list(reversed(numbers))
    with pytest.raises(NotFoundError, match="JF-20261204-99-001"):
        print_data.cases_by_number(db, [numbers[0], "JF-20261204-99-001"])


def test_day_cases_of_a_room_and_of_a_department(db: Database) -> None:
    built = build_day(db)
    hrss = built.departments["人力资源和社会保障局"]
    of_dept = print_data.day_cases(db, built.day_id, department_id=hrss)
    # leads the EXT_A case, co-handles the 徐秀英 case
    assert {d.visitor_name for d in of_dept} == {EXT_A_NAME, "徐秀英"}
    room = cases.case_detail(db, built.cases[EXT_B_NAME]).room_number
    assert room is not None
    of_room = print_data.day_cases(db, built.day_id, room_number=room)
    assert of_room and all(d.room_number == room for d in of_room)


def test_lookups_refuse_unknown_departments_and_rooms(db: Database) -> None:
    built = build_day(db)
    assert print_data.find_department(db, "人社局").name == "人力资源和社会保障局"  # by short name
    with pytest.raises(NotFoundError):
        print_data.find_department(db, "不存在的局")
    assert print_data.find_room(db, built.day_id, 3) > 0
    with pytest.raises(NotFoundError):
        print_data.find_room(db, built.day_id, 42)
    with pytest.raises(NotFoundError):
        print_data.room_queues(db, built.day_id, 42)


# ------------------------------------------------------------------------------------------------ bundles


def test_department_bundles_hold_exactly_the_cases_led_or_co_handled(db: Database) -> None:
    built = build_day(db)
    bundles = print_data.department_bundles(db, built.day_id)
    with db.read() as session:
        handed = session.execute(
            select(Case.id, Case.lead_department_id).where(Case.day_id == built.day_id, Case.outcome == "handed_over")
        ).all()
        co = session.execute(
            select(CaseDepartment.case_id, CaseDepartment.department_id).where(
                CaseDepartment.case_id.in_([c for c, _ in handed])
            )
        ).all()
    expected: dict[int, set[tuple[int, str]]] = {}
    for case_id, lead in handed:
        expected.setdefault(lead, set()).add((case_id, "lead"))
    for case_id, dept in co:
        expected.setdefault(dept, set()).add((case_id, "co"))
    assert {b.department_id: {(e.case.case_id, e.role) for e in b.entries} for b in bundles} == expected
    for bundle in bundles:
        numbers = [e.case.case_no for e in bundle.entries]
        assert numbers == sorted(numbers)
    one = print_data.department_bundles(db, built.day_id, built.departments["医疗保障局"])
    assert len(one) == 1 and [e.role_label for e in one[0].entries] == ["主办"]
    idle = print_data.department_bundles(db, built.day_id, department_id(db, "教育局"))
    assert len(idle) == 1 and idle[0].entries == ()


# ------------------------------------------------------------------------------------------------ rooms, list


def test_room_queues_follow_the_queue_and_mask_the_id(db: Database) -> None:
    built = build_day(db)
    queues = print_data.room_queues(db, built.day_id)
    assert [q.number for q in queues] == list(range(1, 16))
    with db.read() as session:
        rows = session.execute(
            select(Room.number, Batch.reg_no)
            .join(Room, Room.id == Batch.room_id)
            .where(Batch.day_id == built.day_id)
            .order_by(Room.number, Batch.queue_position)
        ).all()
    assert [(q.number, e.reg_no) for q in queues for e in q.entries] == [(n, r) for n, r in rows]
    for entry in (e for q in queues for e in q.entries):
        assert len(entry.id_masked) == 18 and "********" in entry.id_masked
        assert entry.order >= 1
    collective = next(e for q in queues for e in q.entries if e.name == EXT_B_NAME)
    assert collective.collective and collective.headcount == 6
    single = print_data.room_queues(db, built.day_id, collective_room(queues))
    assert len(single) == 1 and single[0].people == sum(e.headcount for e in single[0].entries)


def collective_room(queues: list[print_data.RoomQueue]) -> int:
    """The number of the room that holds the collective visit."""
    return next(q.number for q in queues if any(e.collective for e in q.entries))


def test_registration_listing_is_the_days_list(db: Database) -> None:
    built = build_day(db)
    listing = print_data.registration_listing(db, built.day_id)
    assert listing.day.date == DAY
    assert [r.name for r in listing.rows] == [p.name for p in PEOPLE]
    assert all("*" in r.id_masked for r in listing.rows)


# ------------------------------------------------------------------------------------------------ summary


def test_day_summary_counts_match_the_database(db: Database) -> None:
    built = build_day(db)
    summary = print_data.day_summary(db, built.day_id)
    t = summary.totals
    with db.read() as session:
        n_batches, people = session.execute(
            select(func.count(Batch.id), func.sum(Batch.headcount)).where(Batch.day_id == built.day_id)
        ).one()
        collective = session.scalar(
            select(func.count(Batch.id)).where(Batch.day_id == built.day_id, Batch.headcount >= 5)
        )
        outcomes: dict[str, int] = dict(
            session.execute(
                select(Case.outcome, func.count(Case.id)).where(Case.day_id == built.day_id).group_by(Case.outcome)
            )
            .tuples()
            .all()
        )
        colours: dict[str | None, int] = dict(
            session.execute(
                select(Case.colour, func.count(Case.id))
                .where(Case.day_id == built.day_id, Case.outcome == "handed_over")
                .group_by(Case.colour)
            )
            .tuples()
            .all()
        )
        by_room: dict[int, int] = dict(
            session.execute(
                select(Room.number, func.count(Batch.id))
                .join(Room, Room.id == Batch.room_id)
                .where(Batch.day_id == built.day_id)
                .group_by(Room.number)
            )
            .tuples()
            .all()
        )
        lead: dict[str, int] = dict(
            session.execute(
                select(Department.name, func.count(Case.id))
                .join(Department, Department.id == Case.lead_department_id)
                .where(Case.day_id == built.day_id, Case.outcome == "handed_over")
                .group_by(Department.name)
            )
            .tuples()
            .all()
        )
    assert (t.batches, t.people, t.collective) == (n_batches, people, collective)
    assert (t.cases, t.handed_over, t.resolved, t.explained) == (
        sum(outcomes.values()),
        outcomes["handed_over"],
        outcomes["resolved"],
        outcomes["explained"],
    )
    assert t.received == 6 and t.arrived_batches == 6 and t.no_shows == 0
    assert dict(summary.by_outcome) == {"当场解决": 1, "交办": 4, "解释说明": 1}
    assert dict(summary.by_colour) == {"绿色": colours.get("green", 0), "黄色": colours["yellow"], "红色": 1}
    assert {r.number: r.batches for r in summary.by_room if r.batches} == by_room
    assert sum(r.people for r in summary.by_room) == people
    assert {d.name: d.lead for d in summary.by_department if d.lead} == lead
    co = Counter(d.name for d in summary.by_department for _ in range(d.co))
    assert co == Counter({"征收办": 1, "云溪乡": 1, "人力资源和社会保障局": 1})
    assert sum(th.batches for th in summary.by_theme) == n_batches
    assert {th.name: th.cases for th in summary.by_theme} == {"土地拆迁": 3, "劳动和社会保障": 3}
