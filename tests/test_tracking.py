"""督办台: every case across days, most urgent first (overdue with its days over, due today, due on the next
working day, the rest, closed last); the filters; the total; the load per department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from reception_desk.db.engine import Database
from reception_desk.services.case_life import add_feedback, close_case, sign_case, supervise_case
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.tracking import TrackingFilter, department_load, tracked_cases
from tests.life_builders import at, dept, handed, id_number, load_case, new_day, record, visit

TODAY = dt.date(2026, 11, 20)  # a Friday; the next working day is Monday 11-23
DA, DB, DC = dt.date(2026, 11, 9), dt.date(2026, 11, 19), dt.date(2026, 11, 20)


def _build(db: Database) -> tuple[dict[str, int], dict[str, int]]:
    """Eight cases on three days, by urgency as of 11-20:

    green_a  DA green 人社         due 11-10: 10 days over
    red_a    DA red 人社 + 云溪乡  due 11-18: 2 days over, signed
    green_b  DB green 医保         due 11-20: due today
    green_c  DC green 医保         due 11-23: due the next working day
    yellow_b DB yellow 人社        due 11-24: the rest, supervised
    red_c    DC red 交通           due 12-01: the rest, a repeat of `explained`
    closed_a DA red 人社           closed
    explained DA 解释说明          closed on the spot
    """
    day_a, day_b, day_c = new_day(db, DA), new_day(db, DB), new_day(db, DC)
    hrss, medical = dept(db, "人力资源和社会保障局"), dept(db, "医疗保障局")
    town, transport = dept(db, "云溪乡"), dept(db, "交通运输局")
    person = id_number(61)
    ids = {
        "green_a": record(db, visit(db, day_a, "甲"), handed(hrss, "green"), at(DA, 10)),
        "red_a": record(db, visit(db, day_a, "乙"), handed(hrss, "red", [town]), at(DA, 10)),
        "closed_a": record(db, visit(db, day_a, "丙"), handed(hrss, "red"), at(DA, 10)),
        "explained": record(db, visit(db, day_a, "丁", id_no=person), CaseInput(outcome="explained"), at(DA, 10)),
        "green_b": record(db, visit(db, day_b, "戊"), handed(medical, "green"), at(DB, 10)),
        "yellow_b": record(db, visit(db, day_b, "己"), handed(hrss, "yellow"), at(DB, 10)),
        "green_c": record(db, visit(db, day_c, "庚"), handed(medical, "green"), at(DC, 10)),
        "red_c": record(db, visit(db, day_c, "丁", id_no=person), handed(transport, "red"), at(DC, 10)),
    }
    sign_case(db, ids["red_a"], "人社局 张科长", "督办员", at=at(DA, 15))
    sign_case(db, ids["closed_a"], "张", "督办员", at=at(DA, 15))
    add_feedback(db, ids["closed_a"], "已处理", "张", "督办员", at=at(DA, 16))
    close_case(db, ids["closed_a"], True, "督办员", at=at(DA, 17))
    supervise_case(db, ids["yellow_b"], "督办", "局长", at=at(DB, 15))
    return ids, {"day_a": day_a, "day_b": day_b, "day_c": day_c, "hrss": hrss, "medical": medical, "town": town}


ORDER = ["green_a", "red_a", "green_b", "green_c", "yellow_b", "red_c", "closed_a", "explained"]


def test_most_urgent_first_with_the_days_over(db: Database) -> None:
    ids, _ = _build(db)
    names = {v: k for k, v in ids.items()}
    assert load_case(db, ids["green_c"]).due_date == dt.date(2026, 11, 23)
    assert load_case(db, ids["red_c"]).due_date == dt.date(2026, 12, 1)

    rows, total = tracked_cases(db, TODAY, TrackingFilter(status="all"))
    assert total == 8
    assert [names[r.case_id] for r in rows] == ORDER
    assert [r.urgency for r in rows] == [0, 0, 1, 2, 3, 3, 4, 5]
    assert [r.overdue_days for r in rows] == [10, 2, 0, 0, 0, 0, 0, 0]
    assert [r.urgency_label for r in rows[:4]] == ["已逾期 10 天", "已逾期 2 天", "今日到期", "下一工作日到期"]
    red_a = rows[1]
    assert (red_a.status, red_a.signed_by, red_a.next_step, red_a.department) == (
        "signed",
        "人社局 张科长",
        "feedback",
        "人力资源和社会保障局",
    )
    assert rows[0].next_step == "sign" and rows[6].next_step == "follow_up" and rows[6].status_label == "已办结"
    data = rows[0].to_json()
    assert (data["overdue"], data["overdue_days"], data["status"], data["colour"]) == (True, 10, "open", "green")
    assert data["due_date"] == "2026-11-10" and data["day"] == "2026-11-09" and data["name"] == "甲"
    assert data["theme"] == "劳动和社会保障" and data["room"] in (4, 5)
    assert rows[2].to_json()["overdue"] is False

    # the default list leaves the closed cases out
    rows, total = tracked_cases(db, TODAY)
    assert [names[r.case_id] for r in rows] == ORDER[:6] and total == 6

    # a day later, the case due today is one day over
    rows, _ = tracked_cases(db, TODAY + dt.timedelta(days=1), TrackingFilter(status="overdue"))
    assert [(names[r.case_id], r.overdue_days) for r in rows] == [("green_a", 11), ("red_a", 3), ("green_b", 1)]


def test_pages_and_the_total(db: Database) -> None:
    ids, _ = _build(db)
    names = {v: k for k, v in ids.items()}
    first, total = tracked_cases(db, TODAY, TrackingFilter(status="all"), limit=3)
    second, again = tracked_cases(db, TODAY, TrackingFilter(status="all"), limit=3, offset=3)
    last, _ = tracked_cases(db, TODAY, TrackingFilter(status="all"), limit=3, offset=6)
    assert total == again == 8
    assert [names[r.case_id] for r in first + second + last] == ORDER


FILTERS: list[tuple[Callable[[dict[str, int]], TrackingFilter], list[str]]] = [
    (lambda ref: TrackingFilter(status="overdue"), ["green_a", "red_a"]),
    (lambda ref: TrackingFilter(status="due"), ["green_b", "green_c", "yellow_b", "red_c"]),
    (lambda ref: TrackingFilter(status="closed"), ["closed_a", "explained"]),
    (lambda ref: TrackingFilter(status="open"), ["green_a", "green_b", "green_c", "yellow_b", "red_c"]),
    (lambda ref: TrackingFilter(status="signed"), ["red_a"]),
    (lambda ref: TrackingFilter(department_id=ref["town"]), ["red_a"]),  # a co-department
    (lambda ref: TrackingFilter(department_id=ref["medical"]), ["green_b", "green_c"]),
    (lambda ref: TrackingFilter(status="all", department_id=ref["hrss"]), ["green_a", "red_a", "yellow_b", "closed_a"]),
    (lambda ref: TrackingFilter(colour="green"), ["green_a", "green_b", "green_c"]),
    (lambda ref: TrackingFilter(supervised=True), ["yellow_b"]),
    (lambda ref: TrackingFilter(repeat=True), ["red_c"]),
    (lambda ref: TrackingFilter(day_id=ref["day_b"]), ["green_b", "yellow_b"]),
    (lambda ref: TrackingFilter(status="all", day_id=ref["day_a"], colour="red"), ["red_a", "closed_a"]),
    (lambda ref: TrackingFilter(theme_code="civil"), []),
]


def test_filters(db: Database) -> None:
    ids, ref = _build(db)
    names = {v: k for k, v in ids.items()}
    for make, expected in FILTERS:
        f = make(ref)
        rows, total = tracked_cases(db, TODAY, f)
        assert [names[r.case_id] for r in rows] == expected, f
        assert total == len(expected), f


def test_a_repeat_row_names_the_earlier_case_and_supervision_shows(db: Database) -> None:
    ids, _ = _build(db)
    (row,), _ = tracked_cases(db, TODAY, TrackingFilter(repeat=True))
    assert row.repeat_of == load_case(db, ids["explained"]).case_no
    assert row.to_json()["repeat_of"] == row.repeat_of
    (sup,), _ = tracked_cases(db, TODAY, TrackingFilter(supervised=True))
    assert sup.supervised and sup.to_json()["supervised"] is True
    with pytest.raises(InvalidInputError, match="未知的状态"):
        tracked_cases(db, TODAY, TrackingFilter(status="lost"))


def test_department_load(db: Database) -> None:
    _build(db)
    loads = department_load(db, TODAY)
    # open handed-over cases by lead: 人社 green_a red_a yellow_b (2 over), 医保 green_b green_c, 交通 red_c
    assert [(x.department, x.open, x.overdue, x.on_time) for x in loads] == [
        ("人力资源和社会保障局", 3, 2, 1),
        ("医疗保障局", 2, 0, 2),
        ("交通运输局", 1, 0, 1),
    ]
    later = {x.department: x for x in department_load(db, dt.date(2026, 11, 24))}
    assert later["医疗保障局"].overdue == 2 and later["人力资源和社会保障局"].overdue == 2


def test_a_due_date_in_a_year_without_a_schedule_is_marked_until_the_office_enters_it(db: Database) -> None:
    from reception_desk.services.holiday_calendar import mark_year_entered

    day = new_day(db, dt.date(2026, 12, 30))
    case_id = record(
        db, visit(db, day, "甲"), handed(dept(db, "人力资源和社会保障局"), "red"), at(dt.date(2026, 12, 30), 10)
    )
    rows, _ = tracked_cases(db, dt.date(2026, 12, 30))
    row = next(r for r in rows if r.case_id == case_id)
    assert row.due_date is not None and row.due_date.year == 2027
    assert row.due_unscheduled and row.to_json()["due_unscheduled"] is True
    mark_year_entered(db, 2027)
    rows, _ = tracked_cases(db, dt.date(2026, 12, 30))
    assert not next(r for r in rows if r.case_id == case_id).due_unscheduled
