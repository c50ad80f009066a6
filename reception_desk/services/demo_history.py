"""The demo's history: two earlier reception days whose cases went through their life up to the demo day, and
repeat visitors (重复访) of those days on the demo day.

Deterministic for a seed: everything comes from its own random stream (so the demo day draws what it drew
before the history existed). The earlier days are played by the same code as the demo day (registration,
assignment, check-in, sessions, cases), then every case takes its steps after the day through the services of
`case_life` (签收, 反馈, 延期, 办结 with 化解, 回访, 挂牌督办), dated between its day and the demo day.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reception_desk.db.models import AuditEntry, Batch, Case, Department, ReceptionDay, Room
from reception_desk.domain.case_life import CaseStatus
from reception_desk.domain.deadlines import Calendar
from reception_desk.domain.office_time import local_date
from reception_desk.services import assignment, audit, days
from reception_desk.services.case_life import (
    add_feedback_in,
    close_case_in,
    extend_case_in,
    follow_up_in,
    sign_case_in,
    supervise_case_in,
)
from reception_desk.services.demo import (
    BUREAU_PHONE,
    TITLE,
    VENUE,
    _BatchPlan,
    _Generator,
    _Person,
    _play,
    _register_all,
    _utc,
)
from reception_desk.services.holiday_calendar import day_calendar_in

WEEKS_BEFORE = (8, 4)  # the earlier days: about 56 and 28 days before the demo day, oldest first
PRE_REGISTERED = 86
WALK_INS = 4
PLAY_UNTIL = 20 * 3600  # an earlier day is over: every room worked through its queue
OFFICE = (8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60)  # steps after the day happen in office hours
REPEATS_OF_CLOSED = 4
REPEATS_OF_OPEN = 3

# What became of the handed-over cases by the demo day: a few of each state on the recent day, the older one
# nearly all closed. The rest are closed on time; the on-time rate stays high but below 100 %.
RECENT_FATES = {"open": 1, "signed": 1, "replied": 1, "extended_open": 3, "late": 1, "extended_closed": 2}
OLDER_FATES = {"replied": 1, "late": 1, "extended_closed": 2}
RATING_WEIGHTS = {"satisfied": 86, "basically": 8, "dissatisfied": 3, "unreachable": 3}
METHOD_WEIGHTS = {"phone": 85, "visit": 10, "sms": 5}

FEEDBACK = (
    "已与来访人当面沟通，核实了反映的情况，相关诉求已按政策落实。",
    "经现场核查，情况基本属实，已督促责任主体整改到位，并向来访人作了答复。",
    "已召集相关村（社区）和当事双方协调，达成一致意见，签订了调解协议。",
    "已调取相关档案资料，向来访人逐项解释政策依据，来访人表示理解。",
    "已责令企业限期整改，执法人员复查合格，来访人认可处理结果。",
    "相关款项已于本周发放到位，来访人已签收确认。",
)
PROGRESS = (
    "已组织人员调查核实，正在与相关单位协调，处理意见待会商后答复。",
    "已约谈当事双方，初步方案已形成，正在征求来访人意见。",
)
EXTENSION_REASONS = (
    "涉及多个单位和历史遗留问题，需进一步调查核实。",
    "需等待司法鉴定结果后方能提出处理意见。",
    "涉及资金拨付，需经区财政审批。",
)
SUPERVISION_REASONS = (
    "逾期未办结，群众反映强烈，区信访局挂牌督办。",
    "重复信访风险较高，挂牌督办，限期办结。",
    "涉及群体性诉求，列入区领导包案化解。",
)
CLOSE_TEXTS = ("已按期办结，结果已答复来访人。", "办理完毕，书面答复已送达。")
FOLLOW_UP_TEXTS = {
    "satisfied": ("对处理结果满意。", "感谢政府帮忙解决。", ""),
    "basically": ("基本满意，希望后续跟进。", "问题基本解决。"),
    "dissatisfied": ("认为补偿标准偏低，不满意。", "对答复不认可。"),
    "unreachable": ("电话三次无人接听。", "号码已停机。"),
}
SIGNERS = ("办公室 王建军", "信访科 李秀英", "综合科 陈志华", "办公室 张丽娟", "法规科 刘国平")
APPROVERS = ("区信访局 局长", "区委办 分管副主任")
CHIEF = "区信访局 局长"


@dataclass
class EarlierDay:
    """One earlier day as planned: its date, rooms' hosts and batches."""

    date: dt.date
    hosts: list[str]
    plans: list[_BatchPlan]


@dataclass
class History:
    """What the history made: the earlier days' ids and the repeat visitors placed on the demo day."""

    day_ids: list[int] = field(default_factory=list)
    repeats_of_closed: list[str] = field(default_factory=list)  # case numbers their people come back about
    repeats_of_open: list[str] = field(default_factory=list)


def _earlier_date(session: Session, target: dt.date, taken: set[dt.date]) -> dt.date:
    """`target`, or the nearest weekday before it without a reception day."""
    day = target
    while day.weekday() >= 5 or day in taken or session.scalar(select(ReceptionDay.id).where(ReceptionDay.date == day)):
        day -= dt.timedelta(days=1)
    return day


def _plan_day(rng: random.Random, date: dt.date, ids: set[str]) -> tuple[list[str], list[_BatchPlan]]:
    """The hosts and batches of an earlier day, people kept apart from the demo day's by their resident IDs."""
    gen = _Generator(rng, date)
    gen.ids = ids  # shared: nobody on an earlier day gets the ID of someone else on the demo day
    hosts = gen.hosts()
    times = sorted(-rng.randint(2, 10) * 86_400 + rng.randint(*OFFICE) for _ in range(PRE_REGISTERED))
    plans = [gen.batch(False, i + 1, t) for i, t in enumerate(times)]
    arrivals = sorted(rng.randint(8 * 3600 + 40 * 60, 14 * 3600) for _ in range(WALK_INS))
    for i, arrival in enumerate(arrivals):
        plan = gen.batch(True, i + 1, arrival - rng.randint(120, 420))
        plan.arrival = arrival
        if i == 0:  # came without the ID card: known by name and phone when they come again
            lead = plan.lead
            plan.lead = _Person(lead.name, None, False, lead.phone or gen.phone())
        plans.append(plan)
    return hosts, plans


class _Life:
    """Takes one earlier day's cases through their steps after the day, up to the demo day."""

    def __init__(self, session: Session, rng: random.Random, day: ReceptionDay, as_of: dt.date, actor: str) -> None:
        self.session = session
        self.rng = rng
        self.day = day
        self.as_of = as_of
        self.actor = actor
        self.calendar: Calendar = day_calendar_in(session, day)
        self.contacts = {d.id: d.contact for d in session.scalars(select(Department))}

    def _moment(self, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A moment in office hours on `day` (or the next working day when `after` leaves no time that day)."""
        while True:
            start, end = _utc(day, OFFICE[0]), _utc(day, OFFICE[1])
            if after is not None and after >= start:  # a step later the same day follows within two hours
                start = after + dt.timedelta(minutes=15)
                end = min(end, start + dt.timedelta(hours=2))
            if start < end:
                return start + dt.timedelta(seconds=self.rng.randrange(int((end - start).total_seconds())))
            day = self.calendar.add_days(day, 1)

    def _later(self, after: dt.datetime, workdays: int) -> dt.datetime:
        """A moment `workdays` working days after `after` (0: later the same day, if the office is still open)."""
        day = local_date(after)
        return self._moment(self.calendar.add_days(day, workdays) if workdays else day, after)

    def _span(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.calendar.is_workday(day)
        return count

    def _handed_over(self, case: Case, fate: str) -> list[tuple[dt.datetime, str, dict[str, object]]]:
        """The steps of a handed-over case: (moment, step, arguments), in time order."""
        rng = self.rng
        due = case.due_date or self.day.date
        steps: list[tuple[dt.datetime, str, dict[str, object]]] = []
        signed = self._later(case.recorded_at, 0 if case.colour == "green" else rng.choice((0, 0, 1)))
        steps.append((signed, "sign", {"by": self.contacts.get(case.lead_department_id or 0) or rng.choice(SIGNERS)}))
        if fate == "open":
            return []
        if fate == "signed":
            return steps
        if fate in ("extended_open", "extended_closed"):
            room = max(0, self._span(local_date(signed), due) - 1)
            asked = self._later(signed, rng.randint(0, room)) if room else self._later(signed, 0)
            if fate == "extended_open":  # the new date lies after the demo day: on time, still in hand
                new_due = self.calendar.add_days(self.as_of, rng.randint(2, 8))
            else:
                new_due = self.calendar.add_days(due, rng.randint(5, 8))
            steps.append(
                (
                    asked,
                    "extend",
                    {"new_due": new_due, "reason": rng.choice(EXTENSION_REASONS), "approved_by": rng.choice(APPROVERS)},
                )
            )
            due = new_due
            signed = asked
        if fate == "late":
            replied = self._later(self._moment(due), rng.randint(1, 4))
        else:
            room = self._span(local_date(signed), due)
            replied = self._later(signed, rng.randint(0, max(0, room - 1)))
        if fate == "extended_open":
            if rng.random() < 0.5:
                steps.append((replied, "feedback", {"text": rng.choice(PROGRESS)}))
            return steps
        if fate == "replied":
            steps.append((replied, "feedback", {"text": rng.choice(PROGRESS)}))
            return steps
        steps.append((replied, "feedback", {"text": rng.choice(FEEDBACK)}))
        closed = self._later(replied, 0 if local_date(replied) >= due or rng.random() < 0.6 else 1)
        steps.append((closed, "close", {"resolved": rng.random() < 0.9, "text": rng.choice(CLOSE_TEXTS)}))
        return steps

    def _follow_up(self, closed: dt.datetime, rating: str) -> tuple[dt.datetime, str, dict[str, object]]:
        method = self.rng.choices(list(METHOD_WEIGHTS), list(METHOD_WEIGHTS.values()))[0]
        text = self.rng.choice(FOLLOW_UP_TEXTS[rating])
        return (
            self._later(closed, self.rng.randint(2, 6)),
            "follow_up",
            {"rating": rating, "method": method, "text": text},
        )

    def run(self, fates: dict[str, int], followed_share: float) -> None:
        """Give every case of the day its steps; fates by quota (every state occurs), the rest closed on time."""
        rng = self.rng
        cases = list(self.session.scalars(select(Case).where(Case.day_id == self.day.id).order_by(Case.case_no)))
        handed = [c for c in cases if c.outcome == "handed_over"]
        rng.shuffle(handed)
        fate_of: dict[int, str] = {}
        quota = [fate for fate, n in fates.items() for _ in range(n)]
        for case, fate in zip(handed, quota, strict=False):
            fate_of[case.id] = fate
        ratings = list(RATING_WEIGHTS)  # the first follow-ups take each rating once, so every rating occurs
        for case in cases:
            fate = fate_of.get(case.id, "closed")
            steps = self._handed_over(case, fate) if case.outcome == "handed_over" else []
            if fate in ("open", "signed", "replied") or (fate == "late" and rng.random() < 0.5):
                # overdue: the bureau chief lists it for supervision the working day after its due date
                due = case.due_date or self.day.date
                at = self._moment(self.calendar.add_days(due, 1))
                until = self.calendar.add_days(local_date(at), rng.randint(3, 7))
                steps.append((at, "supervise", {"reason": rng.choice(SUPERVISION_REASONS), "until": until}))
            steps = [s for s in sorted(steps, key=lambda s: s[0]) if local_date(s[0]) < self.as_of]
            closed_at = next((at for at, step, _ in steps if step == "close"), case.closed_at)
            if closed_at is not None and rng.random() < followed_share:
                rating = (
                    ratings.pop(0) if ratings else rng.choices(list(RATING_WEIGHTS), list(RATING_WEIGHTS.values()))[0]
                )
                call = self._follow_up(closed_at, rating)
                if local_date(call[0]) < self.as_of:
                    steps.append(call)
            for at, step, args in sorted(steps, key=lambda s: s[0]):
                self._apply(case, at, step, args)

    def _apply(self, case: Case, at: dt.datetime, step: str, args: dict[str, object]) -> None:
        session, actor = self.session, self.actor
        if step == "sign":
            sign_case_in(session, case, str(args["by"]), actor, at)
        elif step == "feedback":
            by = self.contacts.get(case.lead_department_id or 0) or case.signed_by
            add_feedback_in(session, case, str(args["text"]), by, actor, at)
        elif step == "extend":
            new_due = args["new_due"]
            assert isinstance(new_due, dt.date)
            extend_case_in(session, case, new_due, str(args["reason"]), actor, str(args["approved_by"]), at)
        elif step == "close":
            close_case_in(session, case, bool(args["resolved"]), actor, at, str(args["text"]))
        elif step == "follow_up":
            follow_up_in(session, case, str(args["rating"]), actor, str(args["method"]), str(args["text"]), at)
        else:
            until = args["until"]
            assert isinstance(until, dt.date)
            supervise_case_in(session, case, str(args["reason"]), CHIEF, until, at)
        for row in session.new:  # the audit log is dated when the step happened, like the step itself
            if isinstance(row, AuditEntry):
                row.at = at


def _create_day(session: Session, earlier: EarlierDay, rng: random.Random, actor: str, seed: int) -> ReceptionDay:
    """Register, assign and play an earlier day to its end, as the demo day is played."""
    leaders = "、".join(earlier.hosts[i] for i in (0, 1, 3))
    day = days.create_day_in(
        session, earlier.date, title=TITLE, venue=VENUE, leaders=leaders, bureau_phone=BUREAU_PHONE, actor=actor
    )
    day.created_at = _utc(earlier.date, -12 * 86_400 + 9 * 3600)
    rooms = list(session.scalars(select(Room).where(Room.day_id == day.id).order_by(Room.number)))
    for room, host in zip(rooms, earlier.hosts, strict=False):
        room.host = host
    _register_all(session, day.id, earlier.date, earlier.plans, actor, seed)
    audit.record(session, actor, "create_demo", "reception_day", day.id, after={"seed": seed, "history": True})
    session.flush()
    assignment.assign_day_in(session, day.id, actor)
    session.expire_all()  # the assignment wrote through Core: reload the batches it placed
    _play(session, day.id, earlier.date, rng, earlier.plans, actor, until=PLAY_UNTIL)
    return day


def _place_repeats(
    session: Session, rng: random.Random, earlier: Sequence[tuple[ReceptionDay, EarlierDay]], plans: list[_BatchPlan]
) -> History:
    """Some of the demo day's people came before: their batches take the earlier person and matter."""
    history = History(day_ids=[day.id for day, _ in earlier])
    by_reg = {(day.id, p.reg_no): p for day, e in earlier for p in e.plans}
    rows = session.execute(
        select(Case.case_no, Case.status, Batch.day_id, Batch.reg_no)
        .join(Batch, Batch.id == Case.batch_id)
        .where(Batch.day_id.in_(history.day_ids))
        .order_by(Case.case_no)
    ).all()
    earlier_cases = [(no, status, by_reg[(d, reg)]) for no, status, d, reg in rows]
    # the lead of each earlier batch may come again (alone): some whose case is closed, some whose is not
    closed = [c for c in earlier_cases if c[1] == CaseStatus.CLOSED.value]
    still_open = [c for c in earlier_cases if c[1] != CaseStatus.CLOSED.value]
    # the one without an ID card comes back too, known by name and phone
    no_id = [c for c in earlier_cases if c[2].lead.id_number is None][:1]
    chosen_closed = (no_id if no_id and no_id[0][1] == CaseStatus.CLOSED.value else []) + rng.sample(
        [s for s in closed if s not in no_id], REPEATS_OF_CLOSED
    )
    chosen_open = (no_id if no_id and no_id[0][1] != CaseStatus.CLOSED.value else []) + rng.sample(
        [s for s in still_open if s not in no_id], min(REPEATS_OF_OPEN, len(still_open))
    )
    targets = [p for p in plans if not p.walk_in and p.headcount == 1 and not p.flags]
    for plan, (case_no, status, before) in zip(
        rng.sample(targets, len(chosen_closed) + len(chosen_open)), chosen_closed + chosen_open, strict=True
    ):
        plan.lead = before.lead
        plan.theme, plan.template = before.theme, before.template
        plan.township, plan.village = before.township, before.village
        plan.request = "再次来访：" + before.request
        (history.repeats_of_closed if status == CaseStatus.CLOSED.value else history.repeats_of_open).append(case_no)
    return history


def create_history_in(
    session: Session, seed: int, date: dt.date, plans: list[_BatchPlan], ids: set[str], actor: str
) -> History:
    """Two earlier days with their cases' life up to `date`, and repeat visitors among the demo day's `plans`.

    Call it in the demo day's transaction before the demo day's batches are registered: it changes some of
    `plans` (their people come again). `ids` are the resident IDs the demo day already uses.
    """
    rng = random.Random(f"demo-history-{seed}")
    taken: set[dt.date] = {date}
    planned: list[EarlierDay] = []
    for weeks in WEEKS_BEFORE:
        when = _earlier_date(session, date - dt.timedelta(weeks=weeks), taken)
        taken.add(when)
        hosts, day_plans = _plan_day(rng, date, ids)
        planned.append(EarlierDay(when, hosts, day_plans))
    made: list[tuple[ReceptionDay, EarlierDay]] = []
    for earlier in planned:
        made.append((_create_day(session, earlier, rng, actor, seed), earlier))
    for day, _ in made:
        recent = (date - day.date).days <= 35
        life = _Life(session, rng, day, date, actor)
        life.run(RECENT_FATES if recent else OLDER_FATES, 0.88 if recent else 0.98)
    session.flush()
    return _place_repeats(session, rng, made, plans)
