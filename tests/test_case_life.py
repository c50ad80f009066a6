"""A case's life after the day: sign-for, feedback, close with 化解, follow-up, extension, supervision; steps out
of order refused with nothing changed; cases closed on the spot; corrections that reopen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, CaseDepartment, CaseEvent
from reception_desk.services import case_life, cases
from reception_desk.services.case_life import (
    add_feedback,
    case_events,
    close_case,
    extend_case,
    follow_up,
    sign_case,
    supervise_case,
)
from reception_desk.services.cases import CaseInput
from reception_desk.services.errors import InvalidInputError, NotFoundError, StaleWriteError
from tests.current import case_version
from tests.life_builders import at, case_audit, dept, event_kinds, handed, load_case, new_day, record, visit

DAY = dt.date(2026, 12, 4)  # a Friday; red = 7 working days → Tuesday 2026-12-15


def _handed_case(db: Database, name: str = "徐根土", when: dt.datetime | None = None) -> int:
    day_id = new_day(db, DAY)
    batch_id = visit(db, day_id, name)
    hrss, town = dept(db, "人力资源和社会保障局"), dept(db, "云溪乡")
    return record(db, batch_id, handed(hrss, "red", [town]), when or at(DAY, 10))


def test_a_case_through_its_whole_life(db: Database) -> None:
    case_id = _handed_case(db)
    case = load_case(db, case_id)
    assert case.status == "open" and case.due_date == dt.date(2026, 12, 15)
    assert case.signed_at is None and case.closed_at is None and case.resolved is None
    v0 = case.version

    changes = sign_case(db, case_id, "人社局 张科长", "督办员", at=at(DAY, 15), expected_version=v0)
    assert changes.cases == {case_id}
    case = load_case(db, case_id)
    assert (case.status, case.signed_by, case.signed_at) == ("signed", "人社局 张科长", at(DAY, 15))
    assert case.version == v0 + 1

    monday, wednesday = dt.date(2026, 12, 7), dt.date(2026, 12, 9)
    assert add_feedback(db, case_id, "已核实欠薪情况。", "张科长", "督办员", at=at(monday, 9)).cases == {case_id}
    case = load_case(db, case_id)
    assert (case.status, case.replied_at) == ("replied", at(monday, 9))
    add_feedback(db, case_id, "已督促企业支付工资。", "张科长", "督办员", at=at(wednesday, 10))
    case = load_case(db, case_id)
    assert (case.status, case.replied_at) == ("replied", at(wednesday, 10))  # the latest feedback

    thursday = dt.date(2026, 12, 10)
    assert close_case(db, case_id, True, "督办员", at=at(thursday, 16), text="工资已全部支付。").cases == {case_id}
    case = load_case(db, case_id)
    assert (case.status, case.closed_at, case.resolved) == ("closed", at(thursday, 16), True)
    assert case.satisfaction is None and case.followed_up_at is None

    friday, saturday = dt.date(2026, 12, 11), dt.date(2026, 12, 12)
    follow_up(db, case_id, "unreachable", "回访员", at=at(friday, 9))
    case = load_case(db, case_id)
    assert (case.satisfaction, case.followed_up_at) == ("unreachable", at(friday, 9))
    changes = follow_up(
        db, case_id, "satisfied", "回访员", method="visit", text="来访人表示满意。", at=at(saturday, 10)
    )
    assert changes.cases == {case_id}
    case = load_case(db, case_id)
    assert (case.status, case.satisfaction, case.followed_up_at) == ("closed", "satisfied", at(saturday, 10))
    assert case.version == v0 + 6  # one version per step

    assert event_kinds(db, case_id) == ["signed", "feedback", "feedback", "closed", "follow_up", "follow_up"]
    history = case_events(db, case_id)
    assert [e.at for e in history] == [
        at(DAY, 15),
        at(monday, 9),
        at(wednesday, 10),
        at(thursday, 16),
        at(friday, 9),
        at(saturday, 10),
    ]
    assert [e.kind_label for e in history] == ["签收", "反馈", "反馈", "办结", "回访", "回访"]
    assert history[0].by == "人社局 张科长" and history[0].department == "人力资源和社会保障局"
    assert [e.text for e in history[1:3]] == ["已核实欠薪情况。", "已督促企业支付工资。"]
    assert history[3].data == {"resolved": True} and history[3].text == "工资已全部支付。"
    assert history[4].data == {"rating": "unreachable", "method": "phone"}
    assert history[5].data == {"rating": "satisfied", "method": "visit"} and history[5].by == "回访员"

    assert case_audit(db, case_id) == ["record", "sign", "feedback", "feedback", "close", "follow_up", "follow_up"]
    with db.read() as session:
        close_row = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == case_id, AuditEntry.action == "close")
        ).one()
        assert close_row.actor == "督办员"
        assert close_row.before is not None and close_row.before["status"] == "replied"
        assert close_row.after is not None and close_row.after["status"] == "closed"
        assert close_row.after["resolved"] is True

    detail = cases.case_detail(db, case_id)
    assert (detail.status, detail.signed_by, detail.resolved, detail.satisfaction) == (
        "closed",
        "人社局 张科长",
        True,
        "satisfied",
    )
    assert detail.closed_at == at(thursday, 16) and detail.co_departments == ("云溪乡",)


def test_extension_and_supervision_are_kept_in_the_history(db: Database) -> None:
    case_id = _handed_case(db)
    sign_case(db, case_id, "张科长", "督办员", at=at(DAY, 15))
    changes = extend_case(
        db, case_id, dt.date(2026, 12, 22), "需协调企业资金", "督办员", approved_by="局长 王强", at=at(DAY, 16)
    )
    assert changes.cases == {case_id}
    case = load_case(db, case_id)
    assert (case.due_date, case.original_due_date) == (dt.date(2026, 12, 22), dt.date(2026, 12, 15))
    extend_case(db, case_id, dt.date(2026, 12, 29), "再延一周", "督办员", at=at(DAY, 17))
    case = load_case(db, case_id)
    assert (case.due_date, case.original_due_date) == (dt.date(2026, 12, 29), dt.date(2026, 12, 15))

    supervise_case(db, case_id, "欠薪金额大，挂牌督办", "局长", until=dt.date(2026, 12, 20), at=at(DAY, 18))
    case = load_case(db, case_id)
    assert case.supervised and case.supervised_by == "局长" and case.supervision_until == dt.date(2026, 12, 20)
    assert case.supervised_at == at(DAY, 18)
    with pytest.raises(InvalidInputError, match="已挂牌督办"):
        supervise_case(db, case_id, "再次督办", "局长", at=at(DAY, 19))

    history = case_events(db, case_id)
    assert [e.kind for e in history] == ["signed", "extended", "extended", "supervised"]
    assert history[1].data == {"from": "2026-12-15", "to": "2026-12-22", "approved_by": "局长 王强"}
    assert history[1].by == "局长 王强" and history[1].text == "需协调企业资金"
    assert history[2].data["from"] == "2026-12-22" and history[2].by == "督办员"
    assert case_audit(db, case_id) == ["record", "sign", "extend", "extend", "supervise"]


def _state(db: Database, case_id: int) -> tuple[Any, ...]:
    """Everything a refused step must leave alone."""
    case = load_case(db, case_id)
    with db.read() as session:
        events = session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case_id))
        audits = session.scalar(select(func.count(AuditEntry.id)))
    return (
        case.version,
        case.status,
        case.due_date,
        case.signed_at,
        case.replied_at,
        case.closed_at,
        case.satisfaction,
        events,
        audits,
    )


def _refused(db: Database, case_id: int, step: Callable[[], object], message: str) -> None:
    before = _state(db, case_id)
    with pytest.raises(InvalidInputError, match=message):
        step()
    assert _state(db, case_id) == before


def test_steps_in_the_wrong_state_are_refused_and_change_nothing(db: Database) -> None:
    case_id = _handed_case(db)
    monday = dt.date(2026, 12, 7)
    _refused(db, case_id, lambda: add_feedback(db, case_id, "已处理", "张", "督办员", at=at(DAY, 12)), "尚未签收")
    _refused(db, case_id, lambda: close_case(db, case_id, True, "督办员", at=at(DAY, 12)), "尚未签收")
    _refused(db, case_id, lambda: follow_up(db, case_id, "satisfied", "回访员", at=at(DAY, 12)), "尚未办结")
    # a moment before the case was recorded
    _refused(db, case_id, lambda: sign_case(db, case_id, "张", "督办员", at=at(DAY, 9)), "早于该案件上一步的时间")

    sign_case(db, case_id, "张科长", "督办员", at=at(DAY, 15))
    _refused(db, case_id, lambda: sign_case(db, case_id, "李", "督办员", at=at(DAY, 16)), "不能重复签收")
    _refused(db, case_id, lambda: close_case(db, case_id, True, "督办员", at=at(DAY, 16)), "尚无责任单位反馈")
    # a step dated before the previous step (the sign-for at 15:00)
    _refused(
        db, case_id, lambda: add_feedback(db, case_id, "已处理", "张", "督办员", at=at(DAY, 14)), "早于该案件上一步"
    )
    _refused(
        db,
        case_id,
        lambda: extend_case(db, case_id, dt.date(2026, 12, 14), "理由", "督办员", at=at(DAY, 16)),
        "延期后的日期必须晚于",
    )
    _refused(
        db,
        case_id,
        lambda: extend_case(db, case_id, dt.date(2026, 12, 15), "理由", "督办员", at=at(DAY, 16)),
        "延期后的日期必须晚于",
    )
    _refused(db, case_id, lambda: add_feedback(db, case_id, "  ", "张", "督办员", at=at(DAY, 16)), "反馈内容不能为空")

    add_feedback(db, case_id, "已处理", "张科长", "督办员", at=at(monday, 9))
    _refused(db, case_id, lambda: follow_up(db, case_id, "satisfied", "回访员", at=at(monday, 10)), "尚未办结")
    _refused(db, case_id, lambda: follow_up(db, case_id, "很好", "回访员", at=at(monday, 10)), "未知的回访结果")
    close_case(db, case_id, False, "督办员", at=at(monday, 11))
    _refused(db, case_id, lambda: close_case(db, case_id, True, "督办员", at=at(monday, 12)), "不能重复办结")
    _refused(db, case_id, lambda: add_feedback(db, case_id, "补充", "张", "督办员", at=at(monday, 12)), "已办结")
    _refused(
        db,
        case_id,
        lambda: extend_case(db, case_id, dt.date(2026, 12, 31), "理由", "督办员", at=at(monday, 12)),
        "已办结，不能再延期",
    )
    assert event_kinds(db, case_id) == ["signed", "feedback", "closed"]


def test_a_stale_version_or_an_unknown_case_is_refused(db: Database) -> None:
    case_id = _handed_case(db)
    seen = load_case(db, case_id).version
    sign_case(db, case_id, "张科长", "督办员", at=at(DAY, 15), expected_version=seen)
    before = _state(db, case_id)
    with pytest.raises(StaleWriteError):
        add_feedback(db, case_id, "已处理", "张", "督办员", at=at(DAY, 16), expected_version=seen)
    assert _state(db, case_id) == before
    with pytest.raises(NotFoundError):
        sign_case(db, 999_999, "张", "督办员")
    with pytest.raises(NotFoundError):
        case_events(db, 999_999)
    case_no = load_case(db, case_id).case_no
    assert case_life.find_case_id(db, case_no.lower()) == case_id
    with pytest.raises(NotFoundError, match="JF-20991231-01-001"):
        case_life.find_case_id(db, "JF-20991231-01-001")


@pytest.mark.parametrize(("outcome", "resolved"), [("resolved", True), ("explained", False)])
def test_on_the_spot_outcomes_are_closed_at_once_and_followed_up(db: Database, outcome: str, resolved: bool) -> None:
    day_id = new_day(db, DAY)
    batch_id = visit(db, day_id, "周水生")
    recorded = at(DAY, 10, 30)
    case_id = record(db, batch_id, CaseInput(instruction="当面答复。", outcome=outcome), recorded)
    case = load_case(db, case_id)
    assert (case.status, case.closed_at, case.resolved) == ("closed", recorded, resolved)
    assert case.due_date is None
    history = case_events(db, case_id)
    assert [(e.kind, e.at) for e in history] == [("closed", recorded)]
    assert history[0].data == {"resolved": resolved, "on_the_spot": True}
    assert history[0].text == {"resolved": "当场解决", "explained": "解释说明"}[outcome]

    for step in (
        lambda: sign_case(db, case_id, "张", "督办员", at=at(DAY, 11)),
        lambda: add_feedback(db, case_id, "反馈", "张", "督办员", at=at(DAY, 11)),
        lambda: extend_case(db, case_id, dt.date(2026, 12, 31), "理由", "督办员", at=at(DAY, 11)),
    ):
        _refused(db, case_id, step, "当场办结|不是交办件")

    follow_up(db, case_id, "basically", "回访员", method="sms", at=at(dt.date(2026, 12, 7), 9))
    case = load_case(db, case_id)
    assert case.satisfaction == "basically" and case.status == "closed"
    assert event_kinds(db, case_id) == ["closed", "follow_up"]
    # a case with a follow-up can no longer change its outcome
    hrss = dept(db, "人力资源和社会保障局")
    version = case_version(db, case_id)
    _refused(db, case_id, lambda: cases.update_case(db, case_id, handed(hrss), "审核员", version), "不能再更改处理结果")


def test_correcting_the_outcome_reopens_or_closes_the_case(db: Database) -> None:
    day_id = new_day(db, DAY)
    batch_id = visit(db, day_id, "毛秀英")
    recorded = at(DAY, 10)
    case_id = record(db, batch_id, CaseInput(instruction="当场解决。", outcome="resolved"), recorded)
    hrss, town = dept(db, "人力资源和社会保障局"), dept(db, "云溪乡")
    version = load_case(db, case_id).version

    changes = cases.update_case(db, case_id, handed(hrss, "yellow", [town]), "审核员", expected_version=version)
    assert changes.cases == {case_id}
    case = load_case(db, case_id)
    assert (case.outcome, case.status, case.closed_at, case.resolved) == ("handed_over", "open", None, None)
    assert case.due_date == dt.date(2026, 12, 9)  # Friday + 3 working days
    assert case.version == version + 1
    assert event_kinds(db, case_id) == []
    with db.read() as session:
        co = session.scalars(select(CaseDepartment.department_id).where(CaseDepartment.case_id == case_id)).all()
        assert list(co) == [town]
    sign_case(db, case_id, "张科长", "督办员", at=at(DAY, 11))  # now it takes the department's steps

    other = visit(db, day_id, "郑卫东")
    other_id = record(db, other, handed(hrss, "green"), recorded)
    other_version = load_case(db, other_id).version
    cases.update_case(db, other_id, CaseInput(outcome="explained"), "审核员", other_version)
    case = load_case(db, other_id)
    assert case.version == other_version + 1
    assert (case.status, case.closed_at, case.resolved, case.due_date) == ("closed", recorded, False, None)
    assert event_kinds(db, other_id) == ["closed"]
    assert case_audit(db, other_id) == ["record", "update"]
