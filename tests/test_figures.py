"""The office's figures on a small hand-built set: every count and the four rates worked out by hand, as of
several dates, a zero denominator, and the breakdowns by department, theme and room."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Case, Room
from reception_desk.domain.figures import CaseFacts, Figures, figures, figures_by, rate_text
from reception_desk.domain.office_time import to_utc
from reception_desk.services.case_life import (
    add_feedback,
    close_case,
    extend_case,
    follow_up,
    sign_case,
    supervise_case,
)
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import InvalidInputError
from reception_desk.services.metrics import metrics
from tests.life_builders import at, dept, handed, id_number, load_case, new_day, record, visit

D1 = dt.date(2026, 11, 2)  # Monday: green due 11-03, yellow 11-05, red 11-11 (working days)
D2 = dt.date(2026, 11, 16)  # Monday: red due 11-25


def _d(day: int) -> dt.date:
    return dt.date(2026, 11, day)


def _build(db: Database) -> dict[str, int]:
    """Eight cases on two days, each taken through its steps at chosen moments.

    c1 交办 red 人社   due 11-11, closed 11-10 (on time), 化解 yes, 满意 11-12
    c2 交办 green 人社 due 11-03, closed 11-05 (late), 化解 no, 不满意 11-06
    c3 交办 yellow 医保 due 11-05, signed only: open and overdue
    c4 交办 red 人社   due 11-11 extended to 11-18, closed 11-17 (within the extension), 化解 yes, 基本满意 11-18
    c5 当场解决 (person P) closed at once, 化解 yes, 未能联系 11-03; repeated by c8 on 11-16
    c6 解释说明 (民政 theme) closed at once, 化解 no, 满意 11-12
    c7 交办 red 医保 on D2, due 11-25: open, not yet due; supervised 11-17
    c8 解释说明 on D2 by person P: a repeat of c5, closed at once, no follow-up
    """
    day1, day2 = new_day(db, D1), new_day(db, D2)
    hrss, medical = dept(db, "人力资源和社会保障局"), dept(db, "医疗保障局")
    person_p = id_number(5)
    ids: dict[str, int] = {}
    ids["c1"] = record(db, visit(db, day1, "甲一"), handed(hrss, "red"), at(D1, 10))
    ids["c2"] = record(db, visit(db, day1, "乙二"), handed(hrss, "green"), at(D1, 10))
    ids["c3"] = record(db, visit(db, day1, "丙三"), handed(medical, "yellow"), at(D1, 10))
    ids["c4"] = record(db, visit(db, day1, "丁四"), handed(hrss, "red"), at(D1, 10))
    ids["c5"] = record(
        db, visit(db, day1, "戊五", id_no=person_p), CaseInput(instruction="当场解决。", outcome="resolved"), at(D1, 10)
    )
    ids["c6"] = record(db, visit(db, day1, "己六", theme="civil"), CaseInput(outcome="explained"), at(D1, 10))
    ids["c7"] = record(db, visit(db, day2, "庚七"), handed(medical, "red"), at(D2, 10))
    ids["c8"] = record(db, visit(db, day2, "戊五", id_no=person_p), CaseInput(outcome="explained"), at(D2, 10))

    c1, c2, c3, c4 = ids["c1"], ids["c2"], ids["c3"], ids["c4"]
    sign_case(db, c1, "张", "督办员", at=at(D1, 15))
    add_feedback(db, c1, "已处理", "张", "督办员", at=at(_d(5), 9))
    close_case(db, c1, True, "督办员", at=at(_d(10), 16))
    follow_up(db, c1, "satisfied", "回访员", at=at(_d(12), 9))

    sign_case(db, c2, "张", "督办员", at=at(D1, 15))
    add_feedback(db, c2, "已处理", "张", "督办员", at=at(_d(4), 9))
    close_case(db, c2, False, "督办员", at=at(_d(5), 9))
    follow_up(db, c2, "dissatisfied", "回访员", at=at(_d(6), 9))

    sign_case(db, c3, "李", "督办员", at=at(_d(3), 9))

    sign_case(db, c4, "张", "督办员", at=at(D1, 16))
    extend_case(db, c4, _d(18), "需协调", "督办员", at=at(_d(9), 9))
    add_feedback(db, c4, "已处理", "张", "督办员", at=at(_d(16), 9))
    close_case(db, c4, True, "督办员", at=at(_d(17), 9))
    follow_up(db, c4, "basically", "回访员", at=at(_d(18), 9))

    follow_up(db, ids["c5"], "unreachable", "回访员", at=at(_d(3), 9))
    follow_up(db, ids["c6"], "satisfied", "回访员", at=at(_d(12), 10))
    supervise_case(db, ids["c7"], "群众反映强烈", "局长", at=at(_d(17), 9))
    return ids


def _counts(fig: Figures) -> dict[str, int | float | None]:
    return {k: v for k, v in fig.to_json().items() if not k.endswith("_rate")}


def test_figures_on_a_hand_built_set(db: Database) -> None:
    ids = _build(db)
    assert load_case(db, ids["c8"]).repeat_of_case_id == ids["c5"]
    assert (load_case(db, ids["c1"]).due_date, load_case(db, ids["c2"]).due_date) == (_d(11), _d(3))
    assert (load_case(db, ids["c3"]).due_date, load_case(db, ids["c7"]).due_date) == (_d(5), _d(25))
    assert load_case(db, ids["c4"]).due_date == _d(18)

    # as of 11-20: closed c1 c2 c4 c5 c6 c8 = 6, open c3 c7
    # 按期办结: handed over and closed c1 c2 c4, on time c1 c4; c3 open past due; c7 not due → 2/(3+1) = 2/4
    # 参评: rated c1 满意, c2 不满意, c4 基本满意, c6 满意 (c5 未能联系, c8 none) → 4/6
    # 满意: c1, c4, c6 → 3/4
    # 化解: c1, c4 (c5 was repeated by c8) → 2/6
    fig = metrics(db, _d(20)).total
    assert _counts(fig) == {
        "cases": 8,
        "handed_over": 5,
        "resolved_on_spot": 1,
        "explained": 2,
        "open": 2,
        "closed": 6,
        "handed_over_closed": 3,
        "closed_on_time": 2,
        "overdue": 1,
        "rated": 4,
        "satisfied": 3,
        "resolved": 2,
        "supervised": 1,
        "repeat_visits": 1,
    }
    assert fig.on_time_rate == pytest.approx(2 / 4)
    assert fig.participation_rate == pytest.approx(4 / 6)
    assert fig.satisfaction_rate == pytest.approx(3 / 4)
    assert fig.resolution_rate == pytest.approx(2 / 6)
    assert (rate_text(fig.on_time_rate), rate_text(fig.participation_rate)) == ("50.00%", "66.67%")

    # as of 11-16: c4 not closed yet (11-17), its 回访 not made, c7 not supervised yet; c8 came at 10:00 that day
    # closed c1 c2 c5 c6 c8 = 5; open c3 c4 c7; 按期 c1 of (c1 c2 + c3) → 1/3; rated c1 c2 c6 → 3/5;
    # 满意 c1 c6 → 2/3; 化解 c1 only (c5 repeated) → 1/5
    fig = metrics(db, _d(16)).total
    assert (fig.cases, fig.open, fig.closed, fig.handed_over_closed, fig.closed_on_time, fig.overdue) == (
        8,
        3,
        5,
        2,
        1,
        1,
    )
    assert (fig.rated, fig.satisfied, fig.resolved, fig.supervised, fig.repeat_visits) == (3, 2, 1, 0, 1)
    assert fig.on_time_rate == pytest.approx(1 / 3)
    assert fig.participation_rate == pytest.approx(3 / 5)
    assert fig.satisfaction_rate == pytest.approx(2 / 3)
    assert fig.resolution_rate == pytest.approx(1 / 5)

    # as of 11-09: only D1's six cases; c1 (closed 11-10) still open, c6's 回访 not made, c5 not repeated yet
    # closed c2 c5 c6 = 3; 按期 0 of (c2 + c3 overdue) → 0/2; rated c2 → 1/3; 满意 0/1; 化解 c5 → 1/3
    fig = metrics(db, _d(9)).total
    assert (fig.cases, fig.handed_over, fig.open, fig.closed, fig.overdue, fig.rated, fig.resolved) == (
        6,
        4,
        3,
        3,
        1,
        1,
        1,
    )
    assert fig.repeat_visits == 0 and fig.explained == 1
    assert fig.on_time_rate == 0.0 and fig.satisfaction_rate == 0.0
    assert fig.participation_rate == pytest.approx(1 / 3) and fig.resolution_rate == pytest.approx(1 / 3)


def test_zero_denominators_give_none(db: Database) -> None:
    _build(db)
    # D2 alone as of 11-16: c7 open and not due, c8 closed without a rating or 化解
    fig = metrics(db, D2, day_from=D2, day_to=D2).total
    assert (fig.cases, fig.handed_over, fig.closed, fig.rated) == (2, 1, 1, 0)
    assert fig.on_time_rate is None  # 0 ÷ (0 closed + 0 overdue)
    assert fig.satisfaction_rate is None  # 0 ÷ 0 rated
    assert fig.participation_rate == 0.0 and fig.resolution_rate == 0.0
    assert rate_text(fig.on_time_rate) == "—" and rate_text(fig.participation_rate) == "0.00%"
    data = metrics(db, D2, day_from=D2, day_to=D2).to_json()
    assert data["on_time_rate"] is None and data["satisfaction_rate"] is None and data["cases"] == 2
    assert data["from"] == data["to"] == "2026-11-16"

    # the day before D2's cases were recorded: nothing at all
    empty = metrics(db, _d(15), day_from=D2).total
    assert empty.cases == 0
    assert (empty.on_time_rate, empty.participation_rate, empty.satisfaction_rate, empty.resolution_rate) == (
        None,
        None,
        None,
        None,
    )


def test_breakdowns_by_department_theme_and_room(db: Database) -> None:
    ids = _build(db)
    report = metrics(db, _d(20), by="department")
    groups = dict(report.groups)
    assert [name for name, _ in report.groups] == sorted(groups)
    assert set(groups) == {"人力资源和社会保障局", "医疗保障局", "（未指定）"}
    hrss = groups["人力资源和社会保障局"]  # c1 c2 c4: 按期 2/3, rated 3, 满意 c1 c4 2/3, 化解 c1 c4 2/3
    assert (hrss.cases, hrss.closed, hrss.closed_on_time, hrss.rated, hrss.satisfied, hrss.resolved) == (
        3,
        3,
        2,
        3,
        2,
        2,
    )
    assert hrss.on_time_rate == pytest.approx(2 / 3) and hrss.satisfaction_rate == pytest.approx(2 / 3)
    medical = groups["医疗保障局"]  # c3 overdue, c7 not due: 按期 0/1, nothing closed
    assert (medical.cases, medical.open, medical.overdue, medical.supervised) == (2, 2, 1, 1)
    assert medical.on_time_rate == 0.0 and medical.participation_rate is None and medical.resolution_rate is None
    none = groups["（未指定）"]  # c5 c6 c8: closed 3, rated c6, 化解 none (c5 repeated)
    assert (none.cases, none.closed, none.rated, none.resolved, none.repeat_visits) == (3, 3, 1, 0, 1)
    assert none.on_time_rate is None and none.participation_rate == pytest.approx(1 / 3)
    assert report.to_json()["group"] == "department"
    assert [g["name"] for g in report.to_json()["by"]] == [name for name, _ in report.groups]

    themes = dict(metrics(db, _d(20), by="theme").groups)
    assert {k: v.cases for k, v in themes.items()} == {"劳动和社会保障": 7, "民政与社会事务": 1}
    civil = themes["民政与社会事务"]
    assert (civil.closed, civil.rated, civil.satisfied, civil.resolved) == (1, 1, 1, 0)

    rooms = metrics(db, _d(20), by="room").groups
    with db.read() as session:
        stored = session.execute(select(Case.id, Room.number).join(Room, Room.id == Case.room_id)).tuples().all()
    expected: dict[str, int] = {}
    for _, number in stored:
        expected[f"第{number}接待室"] = expected.get(f"第{number}接待室", 0) + 1
    assert {name: fig.cases for name, fig in rooms} == expected
    assert dict(stored)[ids["c6"]] == 13  # the civil room
    numbers = [int(name[1:-3]) for name, _ in rooms]
    assert numbers == sorted(numbers)

    with pytest.raises(InvalidInputError, match="未知的分组"):
        metrics(db, _d(20), by="colour")
    with pytest.raises(InvalidInputError, match="晚于"):
        metrics(db, _d(20), day_from=D2, day_to=D1)


def _fact(
    case_id: int,
    outcome: str = "handed_over",
    due: dt.date | None = None,
    recorded: dt.datetime | None = None,
    closed: dt.datetime | None = None,
    resolved: bool | None = None,
    rating: str | None = None,
    rated_at: dt.datetime | None = None,
    department: str = "",
) -> CaseFacts:
    return CaseFacts(
        case_id=case_id,
        outcome=outcome,
        due_date=due,
        recorded_at=recorded or to_utc(dt.datetime(2026, 11, 2, 10)),
        closed_at=closed,
        resolved=resolved,
        satisfaction=rating,
        followed_up_at=rated_at,
        supervised_at=None,
        repeat_of=None,
        repeated_at=None,
        department=department,
    )


def test_domain_figures_count_the_office_date_not_the_utc_date() -> None:
    due = _d(5)
    facts = [
        # closed 23:30 Shanghai on the due date (15:30 UTC): on time
        _fact(1, due=due, closed=to_utc(dt.datetime(2026, 11, 5, 23, 30)), resolved=True, department="甲"),
        # closed 00:30 Shanghai the day after (still 11-05 in UTC): late
        _fact(2, due=due, closed=to_utc(dt.datetime(2026, 11, 6, 0, 30)), resolved=False, department="甲"),
        # rated after the as-of date: closed but not rated then
        _fact(
            3,
            outcome="explained",
            closed=to_utc(dt.datetime(2026, 11, 2, 10)),
            resolved=False,
            rating="satisfied",
            rated_at=to_utc(dt.datetime(2026, 11, 21, 9)),
            department="乙",
        ),
        # recorded after the as-of date: not counted at all, and its group left out
        _fact(4, due=_d(30), recorded=to_utc(dt.datetime(2026, 11, 21, 9)), department="丙"),
    ]
    fig = figures(facts, _d(20))
    assert (fig.cases, fig.closed, fig.handed_over_closed, fig.closed_on_time, fig.rated, fig.resolved) == (
        3,
        3,
        2,
        1,
        0,
        1,
    )
    assert fig.on_time_rate == pytest.approx(1 / 2) and fig.participation_rate == 0.0
    assert fig.satisfaction_rate is None and fig.resolution_rate == pytest.approx(1 / 3)
    later = figures(facts, _d(21))
    assert (later.cases, later.rated, later.satisfied, later.open) == (4, 1, 1, 1)
    assert later.satisfaction_rate == 1.0 and rate_text(later.satisfaction_rate) == "100.00%"
    by = figures_by(facts, _d(20), lambda c: c.department)
    assert [(name, fig.cases) for name, fig in by] == [("乙", 1), ("甲", 2)]  # in name (code point) order
    assert "丙" not in dict(by)
    assert rate_text(0.99537, 2) == "99.54%" and rate_text(None) == "—"
