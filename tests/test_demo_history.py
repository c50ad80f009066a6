"""The demo's history: two earlier days whose cases went on after their day, and their people again on the demo day."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Batch, Case, CaseEvent, ReceptionDay
from reception_desk.domain.case_life import RATINGS
from reception_desk.domain.office_time import moment_on
from reception_desk.services import demo
from reception_desk.services.days import DayInfo
from reception_desk.services.metrics import metrics
from reception_desk.services.repeats import day_repeats
from reception_desk.services.tracking import TrackingFilter, tracked_cases

DAY = dt.date(2026, 12, 4)


def _earlier_days(db: Database, info: DayInfo) -> list[ReceptionDay]:
    with db.read() as session:
        return list(session.scalars(select(ReceptionDay).where(ReceptionDay.id != info.id).order_by(ReceptionDay.date)))


def _earlier_cases(db: Database, info: DayInfo) -> list[Case]:
    with db.read() as session:
        return list(session.scalars(select(Case).where(Case.day_id != info.id).order_by(Case.case_no)))


def test_two_earlier_days_with_cases_in_every_state(db: Database) -> None:
    info = demo.create_demo_day(db, seed=2006, date=DAY)

    earlier = _earlier_days(db, info)
    assert len(earlier) == 2
    for day, weeks in zip(earlier, (8, 4), strict=True):
        assert day.date.weekday() < 5
        assert 0 <= (DAY - dt.timedelta(weeks=weeks) - day.date).days <= 3
        assert day.title == info.title
    cases = _earlier_cases(db, info)
    assert len(cases) >= 150

    assert {c.status for c in cases} == {"open", "signed", "replied", "closed"}
    closed = [c for c in cases if c.status == "closed"]
    assert {c.resolved for c in closed} == {True, False}  # 化解 yes and no
    assert all(c.closed_at is not None for c in closed)
    assert {c.satisfaction for c in cases if c.satisfaction} == set(RATINGS)
    assert Counter(c.satisfaction for c in cases).most_common(1)[0][0] == "satisfied"
    assert any(c.followed_up_at is None for c in closed)  # some not yet followed up
    assert all(c.satisfaction is None for c in cases if c.status != "closed")

    extended = [c for c in cases if c.original_due_date != c.due_date]
    assert extended and all(c.due_date and c.original_due_date and c.due_date > c.original_due_date for c in extended)
    open_extended = [c for c in extended if c.status != "closed"]
    assert open_extended and all(c.due_date and c.due_date >= DAY for c in open_extended)

    supervised = [c for c in cases if c.supervised]
    assert len(supervised) >= 2
    assert all(c.supervision_reason and c.supervision_until and c.supervised_at for c in supervised)

    # the steps happened after each case's day and before the demo day, in order, each one a CaseEvent
    start = moment_on(DAY)
    with db.read() as session:
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_([c.id for c in cases]))))
    kinds = Counter(e.kind for e in events)
    assert {"signed", "feedback", "extended", "closed", "follow_up", "supervised"} <= set(kinds)
    by_case: dict[int, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    for c in cases:
        steps = sorted(by_case.get(c.id, []), key=lambda e: (e.at, e.id))
        assert all(c.recorded_at <= e.at < start for e in steps), c.case_no
        assert (c.status == "closed") == any(e.kind == "closed" for e in steps), c.case_no
        if c.signed_at is not None:
            assert steps[0].kind == "signed"
        if c.satisfaction is not None:
            assert steps[-1].kind in ("follow_up", "supervised") and c.followed_up_at is not None

    # overdue as of the demo day: open past their due date, all on the earlier days
    overdue, total = tracked_cases(db, DAY, TrackingFilter(status="overdue"))
    assert total >= 3 and {r.day_date for r in overdue} <= {d.date for d in earlier}
    assert {r.status for r in overdue} == {"open", "signed", "replied"}
    assert all(r.overdue_days > 0 for r in overdue)

    # the figures of a real office: on time mostly but not always, ratings mostly 满意
    report = metrics(db, DAY, earlier[0].date, earlier[-1].date)
    assert report.total.on_time_rate is not None and 0.85 <= report.total.on_time_rate < 1
    assert report.total.satisfaction_rate is not None and 0.9 <= report.total.satisfaction_rate < 1
    assert report.total.participation_rate is not None and 0.8 <= report.total.participation_rate < 1
    assert report.total.overdue == total and report.total.supervised == len(supervised)


def test_repeat_visitors_on_the_demo_day(db: Database) -> None:
    info = demo.create_demo_day(db, seed=2006, date=DAY)
    earlier_ids = {d.id for d in _earlier_days(db, info)}

    repeats = day_repeats(db, info.id)
    assert len(repeats) >= 5
    with db.read() as session:
        batches = {b.id: b for b in session.scalars(select(Batch).where(Batch.day_id == info.id))}
        assert {b for b, batch in batches.items() if "repeat" in batch.flags} == set(repeats)
        newest = {b: found[0] for b, found in repeats.items()}
        assert any(e.closed for e in newest.values()) and any(not e.closed for e in newest.values())
        by_name_phone = False
        for batch_id, found in newest.items():
            earlier_case = session.get_one(Case, found.case_id)
            earlier_batch = session.get_one(Batch, earlier_case.batch_id)
            assert earlier_batch.day_id in earlier_ids
            now = batches[batch_id]
            assert now.lead_visitor_id == earlier_batch.lead_visitor_id  # the same visitor row
            assert now.request.endswith(earlier_batch.request)  # about the same matter
            by_name_phone |= now.lead.id_number is None
        assert by_name_phone  # one without an ID card, found by name and phone

        # the cases recorded today for them link the earlier case; a repeat of a closed case is escalated
        recorded = list(session.scalars(select(Case).where(Case.day_id == info.id, Case.batch_id.in_(repeats))))
        assert recorded
        for c in recorded:
            assert c.repeat_of_case_id == newest[c.batch_id].case_id
            assert c.escalated == newest[c.batch_id].closed
        assert any(c.escalated for c in recorded)
        others = session.scalars(select(Case).where(Case.day_id == info.id, Case.batch_id.not_in(repeats)))
        assert all(c.repeat_of_case_id is None for c in others)


def _fingerprint(db: Database, info: DayInfo) -> list[tuple[object, ...]]:
    with db.read() as session:
        out: list[tuple[object, ...]] = []
        for c in session.scalars(select(Case).order_by(Case.case_no)):
            events = session.execute(
                select(CaseEvent.kind, CaseEvent.at, CaseEvent.text)
                .where(CaseEvent.case_id == c.id)
                .order_by(CaseEvent.at, CaseEvent.id)
            ).all()
            out.append(
                (c.case_no, c.status, c.resolved, c.satisfaction, c.due_date, c.supervised, c.escalated, *events)
            )
        return out


def test_the_history_is_the_same_for_the_same_seed(db: Database, tmp_path: Path) -> None:
    first = demo.create_demo_day(db, seed=2006, date=DAY)
    twin_db = Database(f"sqlite:///{tmp_path / 'twin.sqlite3'}")
    other_db = Database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        for database in (twin_db, other_db):
            upgrade_to_head(database.engine)
        twin = demo.create_demo_day(twin_db, seed=2006, date=DAY)
        other = demo.create_demo_day(other_db, seed=2007, date=DAY)
        mine = _fingerprint(db, first)
        assert mine == _fingerprint(twin_db, twin)
        assert mine != _fingerprint(other_db, other)
        assert sum(len(row) > 7 for row in mine) >= 100  # most cases have steps after their day
    finally:
        twin_db.dispose()
        other_db.dispose()
