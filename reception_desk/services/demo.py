"""A complete, plausible demo reception day after the 2006 Qujiang day: 15 rooms, ~167 batches, played to 14:30.

Deterministic for a given seed: every choice comes from random.Random(seed); the only outside input is the
date (today by default). Times are generated in the office's time (Asia/Shanghai unless set) and stored in UTC.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reception_desk.db.engine import Database
from reception_desk.db.models import (
    AuditEntry,
    Batch,
    BatchMember,
    Case,
    Department,
    ReceptionDay,
    Room,
    Theme,
    ThemeDepartment,
    Visitor,
)
from reception_desk.domain import office_time, resident_id
from reception_desk.domain.batches import BatchStatus, Flag, Source, expected_minutes
from reception_desk.domain.case_numbers import format_registration_number
from reception_desk.domain.deadlines import Colour, due_date
from reception_desk.domain.names import initials
from reception_desk.domain.roles import Permission
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import BY_CODE
from reception_desk.privacy import fields
from reception_desk.services import assignment, audit, authz, days
from reception_desk.services.cases import CaseInput, record_case_in
from reception_desk.services.days import DayInfo
from reception_desk.services.demo_vocabulary import (
    ASSETS,
    COMMUNITIES,
    COMPANY_PLACES,
    COMPANY_WORDS,
    FEMALE_FIRST,
    FEMALE_SECOND,
    GOODS,
    GROUP_THEMES,
    HOSPITALS,
    HOST_TITLES,
    INDUSTRIES,
    INJURIES,
    INSTRUCTIONS,
    MALE_FIRST,
    MALE_SECOND,
    MARKETS,
    MOBILE_PREFIXES,
    PLANT_KINDS,
    PROJECTS,
    REGIONS,
    RELATIVES,
    REQUESTS,
    RESERVOIRS,
    RIVERS,
    ROADS,
    SURNAMES,
    THEME_WEIGHTS,
    VILLAGES,
    Template,
)
from reception_desk.services.flow import check_in_in, mark_no_show_in, start_session_in
from reception_desk.services.holiday_calendar import day_calendar_in
from reception_desk.services.plan import departments_for_theme_in
from reception_desk.services.registrations import BATCH_FIELDS
from reception_desk.services.repeats import batch_repeats_in, flag_repeats_in

TITLE = "衢江区领导下访接访日"
VENUE = "衢州市衢江区工贸职校（教学楼）"
BUREAU_PHONE = "0570-3023456"

PRE_REGISTERED = 160
WALK_INS = 7
PLAY_UNTIL = 14 * 3600 + 30 * 60  # the demo stops at 14:30 local time
DAY_START = 8 * 3600 + 30 * 60  # rooms open at 08:30
LUNCH = (11 * 3600 + 50 * 60, 13 * 3600)  # no new session starts between 11:50 and 13:00
NO_SHOW_SWEEP = 12 * 3600 + 5 * 60  # the desk marks the morning's absentees at 12:05
DAY_END = 17 * 3600 + 30 * 60  # the last appointments end at 17:30
WORKING_SECONDS = (LUNCH[0] - DAY_START) + (DAY_END - LUNCH[1])

_SURNAME_NAMES = tuple(name for name, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(weight for _, weight in SURNAMES)
_REGION_CODES = tuple(code for code, _ in REGIONS)
_REGION_WEIGHTS = tuple(weight for _, weight in REGIONS)
_THEME_CODES = tuple(code for code, _ in THEME_WEIGHTS)
_THEME_WEIGHTS = tuple(weight for _, weight in THEME_WEIGHTS)


@dataclass(eq=False)
class _Person:
    name: str
    id_number: str | None
    id_valid: bool
    phone: str


@dataclass(eq=False)
class _BatchPlan:
    walk_in: bool
    sequence: int
    lead: _Person
    companions: list[_Person]
    headcount: int
    theme: str
    template: Template
    request: str
    township: str
    village: str
    registered_at: int  # seconds from local midnight of the day (negative: days before)
    flags: list[str] = field(default_factory=list)
    arrival: int | None = None  # walk-ins: when they came (seconds from local midnight)

    @property
    def reg_no(self) -> str:
        return format_registration_number(self.walk_in, self.sequence)


class _Generator:
    """Draws the day's people and matters from one random stream."""

    def __init__(self, rng: random.Random, date: dt.date) -> None:
        self.rng = rng
        self.date = date
        self.ids: set[str] = set()

    # ---------------------------------------------------------------------------------- people
    def surname(self) -> str:
        return self.rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]

    def given(self, male: bool) -> str:
        first, second = (MALE_FIRST, MALE_SECOND) if male else (FEMALE_FIRST, FEMALE_SECOND)
        if self.rng.random() < 0.12:
            return self.rng.choice(second)
        return self.rng.choice(first) + self.rng.choice(second)

    def phone(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, male: bool, born: dt.date) -> str:
        while True:
            region = self.rng.choices(_REGION_CODES, _REGION_WEIGHTS)[0]
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            number = resident_id.make(region, born, sequence)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def person(self, surname: str | None = None, oldest: int = 82, youngest: int = 22) -> _Person:
        male = self.rng.random() < 0.62
        age = self.rng.randint(youngest, oldest)
        born = dt.date(self.date.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        name = (surname or self.surname()) + self.given(male)
        phone = self.phone() if self.rng.random() < 0.93 else ""
        return _Person(name, self.id_number(male, born), True, phone)

    def hosts(self) -> list[str]:
        names: list[str] = []
        while len(names) < len(HOST_TITLES):
            name = self.surname() + self.given(self.rng.random() < 0.8)
            if name not in names:
                names.append(name)
        return [f"{title} {name}" for title, name in zip(HOST_TITLES, names, strict=True)]

    # ---------------------------------------------------------------------------------- matters
    def money(self, low: int, high: int) -> str:
        amount = self.rng.randint(low, high)
        if amount >= 10_000:
            return f"{amount / 10_000:.1f}万元".replace(".0万", "万")
        return f"{amount}元"

    def company(self) -> str:
        rng = self.rng
        return f"{rng.choice(COMPANY_PLACES)}{rng.choice(COMPANY_WORDS)}{rng.choice(INDUSTRIES)}有限公司"

    def slots(self, township: str, village: str, headcount: int) -> dict[str, str]:
        rng = self.rng
        year = self.date.year
        word = rng.choice(COMPANY_WORDS)
        return {
            "t": township,
            "v": village,
            "who": "本人" if headcount == 1 else f"本人等{headcount}人",
            "company": self.company(),
            "plant": f"{word}{rng.choice(PLANT_KINDS)}",
            "quarry": f"{rng.choice(COMPANY_WORDS)}石料厂",
            "project": rng.choice(PROJECTS),
            "road": rng.choice(ROADS),
            "river": rng.choice(RIVERS),
            "community": rng.choice(COMMUNITIES),
            "hospital": rng.choice(HOSPITALS),
            "market": rng.choice(MARKETS),
            "goods": rng.choice(GOODS),
            "asset": rng.choice(ASSETS),
            "injury": rng.choice(INJURIES),
            "relative": rng.choice(RELATIVES),
            "reservoir": rng.choice(RESERVOIRS),
            "amount_small": self.money(3_000, 90_000),
            "amount_big": self.money(20_000, 1_800_000),
            "mu": str(rng.randint(2, 80)),
            "area": str(rng.randint(15, 120)),
            "year_ago": str(year - rng.randint(1, 8)),
            "enlisted": str(year - rng.randint(25, 45)),
            "months": str(rng.randint(2, 14)),
            "workers": str(headcount if headcount > 1 else rng.randint(6, 40)),
            "km": str(rng.randint(4, 20)),
            "years_taught": str(rng.randint(8, 25)),
            "family": str(rng.randint(3, 6)),
        }

    def headcount(self) -> int:
        roll = self.rng.random()
        if roll < 0.58:
            return 1
        if roll < 0.82:
            return self.rng.randint(2, 3)
        if roll < 0.91:
            return 4
        return self.rng.randint(5, 20)  # collective visit

    def batch(self, walk_in: bool, sequence: int, registered_at: int) -> _BatchPlan:
        rng = self.rng
        headcount = self.headcount()
        if headcount >= 5:
            theme = rng.choice(GROUP_THEMES)
            templates = [t for t in REQUESTS[theme] if t.fits_groups]
        else:
            theme = rng.choices(_THEME_CODES, _THEME_WEIGHTS)[0]
            templates = list(REQUESTS[theme])
        template = rng.choice(templates)
        township = rng.choice(TOWNSHIPS)
        village = rng.choice(VILLAGES[township])
        request = template.text.format(**self.slots(township, village, headcount))
        lead = self.person(oldest=80, youngest=28)
        companions: list[_Person] = []
        if headcount >= 5:  # a village's group: a few of them give their names
            for _ in range(min(headcount - 1, rng.randint(2, 5))):
                companions.append(self.person())
        else:
            family = lead.name[0]
            for _ in range(headcount - 1):
                companions.append(self.person(family if rng.random() < 0.6 else None))
        return _BatchPlan(
            walk_in=walk_in,
            sequence=sequence,
            lead=lead,
            companions=companions,
            headcount=headcount,
            theme=theme,
            template=template,
            request=request,
            township=township,
            village=village,
            registered_at=registered_at,
        )

    def batches(self) -> list[_BatchPlan]:
        rng = self.rng
        # pre-registration ran over the ten days before the day, office hours
        times = sorted(
            -rng.randint(2, 10) * 86_400 + rng.randint(8 * 3600 + 30 * 60, 17 * 3600) for _ in range(PRE_REGISTERED)
        )
        plans = [self.batch(False, i + 1, t) for i, t in enumerate(times)]
        arrivals = sorted(rng.randint(8 * 3600 + 40 * 60, 14 * 3600) for _ in range(WALK_INS))
        for i, arrival in enumerate(arrivals):
            plan = self.batch(True, i + 1, arrival - rng.randint(120, 420))
            plan.arrival = arrival
            plans.append(plan)
        self._flag(plans)
        return plans

    def _flag(self, plans: list[_BatchPlan]) -> None:
        rng = self.rng
        singles = [p for p in plans if not p.walk_in and p.headcount == 1]
        # an ID number mistyped on the pre-registration sheet: the desk must check the card
        typo, first, second = rng.sample(singles, 3)
        good = typo.lead.id_number or ""
        wrong = next(c for c in "0123456789X" if c != good[-1])
        typo.lead = _Person(typo.lead.name, good[:-1] + wrong, False, typo.lead.phone)
        typo.flags.append(Flag.ID_TO_CHECK.value)
        # the same person registered two matters: the later one is a possible duplicate
        early, late = sorted((first, second), key=lambda p: p.sequence)
        late.lead = early.lead
        late.township, late.village = early.township, early.village
        late.flags.append(Flag.DUPLICATE.value)
        # one walk-in came without the ID card
        walk_in = next(p for p in plans if p.walk_in and p.headcount == 1)
        walk_in.lead = _Person(walk_in.lead.name, None, False, walk_in.lead.phone or self.phone())


def _utc(date: dt.date, seconds: int) -> dt.datetime:
    """Naive UTC of a moment given as seconds from the office's midnight of `date` (may be negative)."""
    return office_time.to_utc(dt.datetime.combine(date, dt.time()) + dt.timedelta(seconds=seconds))


def _register_all(
    session: Session, day_id: int, date: dt.date, plans: Sequence[_BatchPlan], actor: str, seed: int
) -> None:
    theme_ids = {t.code: t.id for t in session.scalars(select(Theme))}
    wanted = {
        fields.id_hash(p.id_number): p.id_number for plan in plans for p in (plan.lead, *plan.companions) if p.id_number
    }
    known = {
        wanted[v.id_hash]: v
        for v in session.scalars(select(Visitor).where(Visitor.id_hash.in_(list(wanted))))
        if v.id_hash in wanted
    }  # people of an earlier (demo) day are the same people again (found by keyed hash: IDs are stored encrypted)
    visitors: dict[int, Visitor] = {}

    def visitor(person: _Person, plan: _BatchPlan) -> Visitor:
        if id(person) in visitors:
            return visitors[id(person)]
        if person.id_number:
            row = known.get(person.id_number)
        else:  # no ID card: the same person by name and phone, as the desk finds them
            row = session.scalar(
                select(Visitor)
                .where(
                    Visitor.name == person.name,
                    Visitor.phone_hash == (fields.phone_hash(person.phone) if person.phone else ""),
                    Visitor.id_hash.is_(None),
                )
                .limit(1)
            )
        if row is None:
            row = Visitor(
                name=person.name,
                name_initials=initials(person.name),
                id_number=person.id_number,
                id_valid=person.id_valid,
                phone=person.phone,
                township=plan.township,
                village=plan.village,
                created_at=_utc(date, plan.registered_at),
            )
            session.add(row)
        visitors[id(person)] = row
        return row

    batches: list[Batch] = []
    for plan in plans:
        people = list(dict.fromkeys(visitor(p, plan) for p in (plan.lead, *plan.companions)))
        batch = Batch(
            day_id=day_id,
            reg_no=plan.reg_no,
            lead=people[0],
            headcount=plan.headcount,
            theme_id=theme_ids[plan.theme],
            request=plan.request,
            category_text=BY_CODE[plan.theme].name,
            township=plan.township,
            village=plan.village,
            source=(Source.WALK_IN if plan.walk_in else Source.PRE_REGISTERED).value,
            status=BatchStatus.REGISTERED.value,
            flags=sorted(plan.flags),
            import_source=f"演示数据（seed={seed}）",
            registered_at=_utc(date, plan.registered_at),
        )
        batch.members = [BatchMember(visitor=v, position=i, is_lead=i == 0) for i, v in enumerate(people)]
        session.add(batch)
        batches.append(batch)
    session.flush()
    audit.record_many(
        session,
        [
            {
                "at": b.registered_at,
                "actor": actor,
                "action": "register",
                "entity": "batch",
                "entity_id": b.id,
                "before": None,
                "after": audit.snapshot(b, BATCH_FIELDS),
                "reason": "",
            }
            for b in batches
        ],
    )


# ---------------------------------------------------------------------------------------------- the day


@dataclass(order=True)
class _Event:
    at: int  # seconds from local midnight
    kind: int  # at the same moment: no-show sweep, check-in, finish, start
    reg_no: str
    action: str = field(compare=False)
    batch_id: int = field(compare=False)
    member_ids: tuple[int, ...] = field(compare=False, default=())


NO_SHOW, CHECK_IN, FINISH, START = range(4)


def _working_clock(worked: int) -> int:
    """The time of day after `worked` seconds of the rooms' working time (the lunch break skipped)."""
    morning = LUNCH[0] - DAY_START
    return DAY_START + worked if worked < morning else LUNCH[1] + worked - morning


def _simulate(
    rng: random.Random, batches: list[Batch], walk_in_arrivals: dict[str, int], until: int = PLAY_UNTIL
) -> list[_Event]:
    """The day up to `until` as events: arrivals, absentees, each room working through its queue."""
    by_room: dict[int, list[Batch]] = {}
    for b in sorted(batches, key=lambda b: (b.room_id or 0, b.queue_position or 0)):
        if b.room_id is not None:
            by_room.setdefault(b.room_id, []).append(b)
    arrival: dict[str, int] = {}
    spacing: dict[int, int] = {}  # seconds of working time per appointment, by room
    for room_id, room_batches in by_room.items():
        # the bureau spread each room's pre-registered batches over the working day; people come early
        booked = [b for b in room_batches if b.reg_no not in walk_in_arrivals]
        spacing[room_id] = WORKING_SECONDS // max(1, len(booked))
        for k, b in enumerate(booked):
            appointment = _working_clock(k * spacing[room_id])
            earliest = 7 * 3600 + 50 * 60 + rng.randint(0, 30) * 60  # the gate opens at 07:50
            arrival[b.reg_no] = max(earliest, appointment - rng.randint(5, 40) * 60) + rng.randint(0, 59)
        for b in room_batches:
            if b.reg_no in walk_in_arrivals:
                arrival[b.reg_no] = walk_in_arrivals[b.reg_no]

    events: list[_Event] = []
    pre_morning = sorted(
        (b for b in batches if b.reg_no not in walk_in_arrivals and arrival[b.reg_no] < 11 * 3600),
        key=lambda b: b.reg_no,
    )
    absent = rng.sample(pre_morning, 5)
    late = absent[0]  # came after all, in the afternoon
    for b in absent:
        events.append(_Event(NO_SHOW_SWEEP, NO_SHOW, b.reg_no, "no_show", b.id))
        del arrival[b.reg_no]
    arrival[late.reg_no] = 13 * 3600 + rng.randint(20, 70) * 60

    for b in batches:
        came = arrival.get(b.reg_no)
        if came is None or came > until:
            continue
        members = [m.id for m in b.members]
        lead, others = members[:1], members[1:]
        together = [m for m in others if rng.random() < 0.7]
        later = [m for m in others if m not in together]
        events.append(_Event(came, CHECK_IN, b.reg_no, "check_in", b.id, tuple(lead + together)))
        for member in later:
            if b.headcount >= 5 and rng.random() < 0.25:
                continue  # a named companion of the group never turned up
            at = came + rng.randint(2, 20) * 60 + rng.randint(0, 59)
            if at <= until:
                events.append(_Event(at, CHECK_IN, b.reg_no, "check_in", b.id, (member,)))

    for room_id, room_batches in by_room.items():
        queue = sorted(
            (b for b in room_batches if arrival.get(b.reg_no, until + 1) <= until),
            key=lambda b: (arrival[b.reg_no], b.queue_position or 0),
        )
        clock = DAY_START
        while queue:
            ready = [b for b in queue if arrival[b.reg_no] <= clock]
            if not ready:
                clock = arrival[queue[0].reg_no]
                continue
            b = ready[0]  # what call_next picks: earliest arrival, then queue position
            start = clock + rng.randint(60, 240)
            if LUNCH[0] <= start < LUNCH[1]:
                start = LUNCH[1] + rng.randint(0, 120)
            if start >= until:
                break
            queue.remove(b)
            events.append(_Event(start, START, b.reg_no, "start", b.id))
            # leaders of lighter rooms take the time they have
            length = max(
                expected_minutes(b.headcount) * 60 * rng.uniform(1.3, 2.0),
                spacing[room_id] * rng.uniform(0.75, 1.0),
            )
            end = start + int(length)
            if end > until:
                break  # still in session at the end of the demo
            events.append(_Event(end, FINISH, b.reg_no, "finish", b.id))
            clock = end
    return sorted(events)


class _CaseWriter:
    """Chooses what each room decided: outcome, colour, departments and the leader's words."""

    def __init__(self, session: Session, rng: random.Random, day: ReceptionDay) -> None:
        self.rng = rng
        self.date = day.date
        self.calendar = day_calendar_in(session, day)
        self.by_theme: dict[str, list[Department]] = {}
        for theme in session.scalars(select(Theme).order_by(Theme.sort_order)):
            ranked = departments_for_theme_in(session, theme.code)
            defaults = set(
                session.scalars(select(ThemeDepartment.department_id).where(ThemeDepartment.theme_id == theme.id))
            )
            self.by_theme[theme.code] = [d for d in ranked if d.id in defaults] or ranked[:1]
        self.by_name = {d.name: d for d in session.scalars(select(Department).order_by(Department.id))}

    @staticmethod
    def _text(dept: Department) -> str:
        if dept.kind == "township" or dept.name.startswith("区"):
            return dept.name
        return "区" + dept.name

    def case(self, batch: Batch, theme: str, template: Template | None) -> CaseInput:
        rng = self.rng
        collective = batch.headcount >= 5
        outcome = rng.choices(("handed_over", "resolved", "explained"), (70, 16, 14) if collective else (58, 22, 20))[0]
        defaults = self.by_theme[theme]
        hinted = self.by_name.get(template.department) if template and template.department else None
        lead = hinted if hinted is not None and rng.random() < 0.8 else rng.choice(defaults)
        co: list[Department] = []
        colour: str | None = None
        if outcome == "handed_over":
            colour = rng.choices(("green", "yellow", "red"), (2, 5, 5) if collective else (7, 8, 5))[0]
            town = self.by_name.get(batch.township)
            if town is not None and town.id != lead.id and rng.random() < 0.45:
                co.append(town)
            others = [d for d in defaults if d.id != lead.id]
            if others and rng.random() < 0.3:
                co.append(rng.choice(others))
        elif outcome == "resolved" and rng.random() < 0.3:
            colour = "green"
        kind = Colour(colour or "yellow")
        due = due_date(self.date, kind, self.calendar)
        co_text = f"会同{'、'.join(self._text(d) for d in co)}，" if co else ""
        words = rng.choice(INSTRUCTIONS[outcome]).format(
            lead=self._text(lead), co=co_text, days=kind.days, due=f"{due.month}月{due.day}日"
        )
        return CaseInput(
            request=batch.request,
            instruction=words,
            outcome=outcome,
            colour=colour,
            lead_department_id=lead.id,
            co_department_ids=[d.id for d in co],
        )


def _play(
    session: Session,
    day_id: int,
    date: dt.date,
    rng: random.Random,
    plans: Sequence[_BatchPlan],
    actor: str,
    until: int = PLAY_UNTIL,
) -> None:
    batches = list(
        session.scalars(
            select(Batch)
            .where(Batch.day_id == day_id)
            .options(selectinload(Batch.members), selectinload(Batch.room))
            .order_by(Batch.reg_no)
        )
    )
    by_id = {b.id: b for b in batches}
    themes = {t.id: t.code for t in session.scalars(select(Theme))}
    template = {p.reg_no: p.template for p in plans}
    walk_ins = {p.reg_no: p.arrival for p in plans if p.arrival is not None}
    day = session.get(ReceptionDay, day_id)
    assert day is not None
    writer = _CaseWriter(session, rng, day)
    for event in _simulate(rng, batches, walk_ins, until):
        batch = by_id[event.batch_id]
        at = _utc(date, event.at)
        if event.action == "check_in":
            check_in_in(session, batch, actor, event.member_ids, at=at)
        elif event.action == "no_show":
            mark_no_show_in(session, batch, actor, reason="12时仍未到场")
        elif event.action == "start":
            start_session_in(session, batch, actor, at=at)
        else:
            data = writer.case(batch, themes[batch.theme_id], template.get(batch.reg_no))
            earlier = batch_repeats_in(session, batch)
            data.escalate = bool(earlier) and earlier[0].closed  # the host confirms 提级核查 when proposed
            record_case_in(session, batch, data, actor, at=at)
        # the audit log tells the demo day's story in the day's own time, like the rows it describes
        for row in session.new:
            if isinstance(row, AuditEntry):
                row.at = at


def create_demo_day(db: Database, seed: int = 2006, date: dt.date | None = None, actor: str = "demo") -> DayInfo:
    """Create a complete demo day (15 rooms, ~167 batches, several hundred people) played to 14:30, with two
    earlier days whose cases went on after their day and repeat visitors of them on this day; one transaction."""
    from reception_desk.services.demo_history import create_history_in  # it builds on this module

    rng = random.Random(seed)
    date = date or office_time.today()
    gen = _Generator(rng, date)
    hosts = gen.hosts()
    plans = gen.batches()
    leaders = "、".join(hosts[i] for i in (0, 1, 3))
    with db.session() as session:
        if actor not in authz.SYSTEM_ACTORS:  # the app's own demo needs no user; a person needs to be admin
            authz.require(session, actor, Permission.ADMIN)
        day = days.create_day_in(
            session, date, title=TITLE, venue=VENUE, leaders=leaders, bureau_phone=BUREAU_PHONE, actor=actor
        )
        day.created_at = _utc(date, -12 * 86_400 + 9 * 3600)
        rooms = list(session.scalars(select(Room).where(Room.day_id == day.id).order_by(Room.number)))
        for room, host in zip(rooms, hosts, strict=False):
            room.host = host
        create_history_in(session, seed, date, plans, gen.ids, actor)  # before: some of today's people came then
        _register_all(session, day.id, date, plans, actor, seed)
        flag_repeats_in(session, day.id)
        audit.record(session, actor, "create_demo", "reception_day", day.id, after={"seed": seed})
        info = DayInfo(day.id, day.date, day.title, day.venue, day.leaders, day.bureau_phone)
        session.flush()
        assignment.assign_day_in(session, info.id, actor)
        session.expire_all()  # the assignment wrote through Core: reload the batches it placed
        _play(session, info.id, date, rng, plans, actor)
    return info


def demo_summary(db: Database, day_id: int) -> dict[str, Any]:
    """Figures of a day: batches, people, statuses, cases by colour and outcome (for reports and tests)."""
    with db.read() as session:
        rows = session.execute(select(Batch.status, Batch.headcount).where(Batch.day_id == day_id)).all()
        cases = session.execute(
            select(Case.colour, Case.outcome, Case.lead_department_id).where(Case.day_id == day_id)
        ).all()
        return {
            "batches": len(rows),
            "people": sum(h for _, h in rows),
            "statuses": dict(Counter(s for s, _ in rows)),
            "cases": len(cases),
            "colours": dict(Counter(c or "none" for c, _, _ in cases)),
            "outcomes": dict(Counter(o for _, o, _ in cases)),
            "departments": len({d for _, _, d in cases if d is not None}),
        }
