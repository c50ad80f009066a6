"""Load test: sixteen laptops on one database for a whole morning, then a check that nothing was lost or doubled.

A day is prepared first (~500 pre-registrations over the 15 rooms, a third of them already checked in, users per
role: admin, desk1..desk2, host1..host12 with their rooms, chief). Then N client processes (each its own engine,
like a laptop) run a realistic mix through the real services under their user names:

- desk1, desk2: check-ins, walk-ins, name searches, edits of a few shared batches;
- admin: edits of the same shared batches (the second editing client), check-ins, the room board;
- chief (督办): moves of waiting batches between rooms (with the version he saw), the assignment of walk-ins;
- host1..host12: refresh their room, call the next batch (F3), record its case (with the version they saw),
  now and then send one back to the queue.

Every operation is recorded: kind, start/end, outcome (ok / refused-stale / refused-other / error) and what it
should have changed. At the end the database is checked against the records: no lost update, no duplicate number
(registration, case, queue number per room), every ok write in the database and every refused one absent. The
change feed (PostgreSQL NOTIFY) is timed by a listener process when the project publishes one.

.venv/bin/python -m bench.bench_laptops [--db postgresql|sqlite] [--pg URL] [--clients 16] [--ops 200]
    [--batches 500] [--seed 9] [--think 0] [--json]

--think MS pauses a mean of MS between a laptop's operations (the person at the screen; not timed): flat out (0), the 16
processes and the server share this machine's cores, so the latency then measures CPU contention more than the
services. Exit status 1 when a verification fails. tests/test_laptops_load.py runs a small version (no timings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from reception_desk.db.engine import Database, make_engine
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import AuditEntry, Batch, BatchMember, Case, Room
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus
from reception_desk.domain.names import initials
from reception_desk.domain.room_plan import default_rooms
from reception_desk.services import assignment, board, cases, days, flow, plan, registration_edit, registrations, users
from reception_desk.services import room_queue as rq
from reception_desk.services import search as search_service
from reception_desk.services.errors import ServiceError, StaleWriteError

PG_URL = os.environ.get("RECEPTION_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DAY = dt.date(2026, 12, 4)
ROOMS = 15
PASSWORD = "bench-load"
SETUP_ACTOR = "bench"  # the preparation runs before the first user exists (单机模式)
HOSTS = 12
# the order laptops join in: a small run still has every role
ROSTER = ("desk1", "host1", "chief", "admin", "desk2", *(f"host{i}" for i in range(2, HOSTS + 1)))
HOT_BATCHES = 8  # the batches two or three laptops edit at once
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅金海荣"

OK, STALE, REFUSED, ERROR = "ok", "refused-stale", "refused-other", "error"
WRITES = frozenset({"check_in", "walk_in", "edit", "move", "assign", "call", "record", "return"})

# audit actions the verification accounts for, one entry per changed row of an ok operation
ACCOUNTED = frozenset(
    {"check_in", "register", "edit", "move", "start_session", "record", "finish", "return_to_queue", "assign"}
)


@dataclass
class Setup:
    """The prepared day as every client starts from it (picklable)."""

    day_id: int
    rooms: dict[int, int]  # room number -> id
    room_numbers: dict[int, int]  # room id -> number
    hot: list[int]  # batch ids edited by several laptops
    registered: list[int]  # batches not yet checked in, for the desks
    departments: list[int]
    host_rooms: dict[str, tuple[int, ...]]  # host name -> room numbers
    given: list[tuple[int, int]]  # (room id, queue number) given during the preparation


@dataclass
class Op:
    """One operation as a client did it, and what it should have changed."""

    client: int
    actor: str
    kind: str
    start: float  # time.time() at the call
    end: float  # time.time() when it returned (after commit)
    outcome: str = OK
    message: str = ""
    batch_id: int | None = None
    case_id: int | None = None
    room_id: int | None = None
    queue_number: int | None = None
    base_version: int | None = None  # the version the user saw (edits)
    value: str | None = None  # the value an edit wrote (request)
    placed: int = 0  # batches an assignment placed
    cpu_ms: float = 0.0  # this laptop's own CPU time for the call (the rest is the server, locks, the machine)
    audit: list[tuple[str, str, int]] = field(default_factory=list)  # (action, entity, id) an ok op must leave

    @property
    def ms(self) -> float:
        """How long the operation took, in milliseconds."""
        return (self.end - self.start) * 1000


@dataclass
class Target:
    """Where the load runs: a database URL and, on PostgreSQL, the schema every connection works in."""

    url: str
    schema: str | None = None

    def database(self) -> Database:
        """A fresh engine for this process (a laptop of its own)."""
        if self.schema is None:
            return Database(self.url)
        return Database(engine=make_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"}))

    @property
    def postgresql(self) -> bool:
        """True on PostgreSQL (where the change feed can be listened to)."""
        return self.schema is not None


@dataclass
class Report:
    """What a run measured and found."""

    clients: int
    names: list[str]
    setup: Setup
    ops: list[Op]
    wall: float
    problems: list[str]
    feed: dict[str, Any]
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def outcomes(self) -> Counter[str]:
        """How many operations ended each way."""
        return Counter(op.outcome for op in self.ops)

    def summary(self) -> dict[str, Any]:
        """The figures as one JSON-ready dict."""
        ms = sorted(op.ms for op in self.ops)
        writes = sorted(op.ms for op in self.ops if op.kind in WRITES)
        by_kind: dict[str, dict[str, Any]] = {}
        for kind in sorted({op.kind for op in self.ops}):
            mine = [op for op in self.ops if op.kind == kind]
            times = sorted(op.ms for op in mine)
            by_kind[kind] = {
                "n": len(mine),
                "p50_ms": round(_pct(times, 50), 1),
                "p95_ms": round(_pct(times, 95), 1),
                "max_ms": round(times[-1], 1),
                "client_cpu_p50_ms": round(statistics.median(op.cpu_ms for op in mine), 1),
                "outcomes": dict(Counter(op.outcome for op in mine)),
            }
        return {
            "clients": self.clients,
            "operations": len(self.ops),
            "wall_s": round(self.wall, 2),
            "throughput_ops_s": round(len(self.ops) / self.wall, 1) if self.wall else None,
            "p50_ms": round(_pct(ms, 50), 1),
            "p95_ms": round(_pct(ms, 95), 1),
            "writes_p50_ms": round(_pct(writes, 50), 1),
            "writes_p95_ms": round(_pct(writes, 95), 1),
            "conflicts": sum(1 for op in self.ops if op.outcome == STALE),
            "outcomes": dict(self.outcomes()),
            "feed": self.feed,
            "by_kind": by_kind,
            "problems": self.problems,
            "load_before": self.load_before,
            "load_after": self.load_after,
        }


def _pct(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


# ---- preparation ----


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _person(rng: random.Random, serial: int) -> registrations.PersonInput:
    born = dt.date(1950, 1, 1) + dt.timedelta(days=serial % 20000)
    number = resident_id.make("330803", born, serial // 20000 % 1000)
    return registrations.PersonInput(_name(rng), number, f"139{serial:08d}")


def roster(clients: int) -> list[str]:
    """The user name of each client: the roles in joining order, repeated beyond sixteen laptops."""
    return [ROSTER[i % len(ROSTER)] for i in range(clients)]


def host_rooms(names: list[str]) -> dict[str, tuple[int, ...]]:
    """The rooms of each host taking part: every room has one host (room r to host (r-1) mod hosts)."""
    hosts = sorted({n for n in names if n.startswith("host")}, key=lambda n: int(n[4:]))
    if not hosts:
        return {}
    return {h: tuple(r for r in range(1, ROOMS + 1) if (r - 1) % len(hosts) == i) for i, h in enumerate(hosts)}


def prepare(db: Database, names: list[str], batches: int, seed: int) -> Setup:
    """The morning's starting point: the day, its registrations (a third checked in), the users."""
    upgrade_to_head(db.engine)
    rng = random.Random(seed)
    info, _ = days.create_day(db, DAY, leaders="区委书记 张明", actor=SETUP_ACTOR)
    themes = [spec.theme for spec in default_rooms()]
    ids = []
    for i in range(batches):
        data = registrations.RegistrationInput(
            _person(rng, i),
            f"反映问题{i}：请求协调解决",
            theme_code=themes[i % len(themes)],
            headcount=rng.choice((1, 1, 1, 2, 3)),
            township="樟潭街道",
        )
        ids.append(registrations.add_registration(db, info.id, data, actor=SETUP_ACTOR)[0])
    assignment.assign_day(db, info.id, actor=SETUP_ACTOR)
    rooms = {r.number: r.id for r in plan.list_rooms(db, info.id)}
    given = []
    early = set(rng.sample(ids, batches // 3))
    for batch_id in sorted(early):
        checked, _ = flow.check_in(db, batch_id, SETUP_ACTOR)
        if checked.queue_number is not None and checked.room_number is not None:
            given.append((rooms[checked.room_number], checked.queue_number))
    hosts = host_rooms(names)
    # the first user is the admin: from then on every operation checks its user's role
    users.add_user(db, SETUP_ACTOR, "admin", "admin", PASSWORD)
    for name in dict.fromkeys(names):
        if name == "admin":
            continue
        role = "desk" if name.startswith("desk") else "supervisor" if name == "chief" else "host"
        users.add_user(db, "admin", name, role, PASSWORD, rooms=hosts.get(name, ()))
    pending = [b for b in ids if b not in early]
    return Setup(
        day_id=info.id,
        rooms=rooms,
        room_numbers={v: k for k, v in rooms.items()},
        hot=rng.sample(ids, min(HOT_BATCHES, len(ids))),
        registered=pending,
        departments=[d.id for d in plan.list_departments(db, active_only=True)],
        host_rooms=hosts,
        given=given,
    )


# ---- the clients ----


class Client:
    """One laptop: its user, its own engine, its share of the morning."""

    def __init__(self, index: int, actor: str, db: Database, setup: Setup, seed: int) -> None:
        self.index = index
        self.actor = actor
        self.db = db
        self.setup = setup
        self.rng = random.Random(seed * 1000 + index)
        self.ops: list[Op] = []
        self.to_check_in = list(setup.registered)
        self.rng.shuffle(self.to_check_in)
        self.walk_ins = 0
        # an edit dialog left open: the batch, the version and the values it showed
        self.form: registration_edit.EditableRegistration | None = None
        self.seen: list[registrations.RegistrationRow] = []  # the supervisor's last look at the day
        self.rooms = [setup.rooms[n] for n in setup.host_rooms.get(actor, ())]
        self.room_turn = 0
        self.dirty: list[int] = []  # rooms this host just wrote in: reloaded before anything else
        self.room_state: dict[int, rq.RoomQueue | None] = dict.fromkeys(self.rooms)

    @contextmanager
    def op(self, kind: str, **fields: Any) -> Iterator[Op]:
        """Time one operation and classify how it ended."""
        record = Op(self.index, self.actor, kind, time.time(), 0.0, **fields)
        cpu = time.process_time()
        try:
            yield record
        except StaleWriteError as exc:
            record.outcome, record.message = STALE, str(exc)
        except ServiceError as exc:  # refused with a message for the user (role, input, busy database)
            record.outcome, record.message = REFUSED, f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # the load test reports every failure instead of stopping the laptop
            record.outcome, record.message = ERROR, f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        record.end = time.time()
        record.cpu_ms = (time.process_time() - cpu) * 1000
        if record.outcome != OK:
            record.audit = []
        self.ops.append(record)

    def step(self) -> None:
        """One operation of this laptop's role."""
        if self.actor.startswith("desk"):
            self.desk_step()
        elif self.actor == "admin":
            self.admin_step()
        elif self.actor == "chief":
            self.chief_step()
        else:
            self.host_step()

    # -- desk and admin --

    def desk_step(self) -> None:
        """Check-ins mostly, walk-ins, a name search, and edits of the shared batches."""
        r = self.rng.random()
        if r < 0.55:
            self.check_in()
        elif r < 0.70:
            self.walk_in()
        elif r < 0.80:
            self.search()
        else:
            self.edit()

    def admin_step(self) -> None:
        """Edits of the shared batches, a check-in now and then, the room board."""
        r = self.rng.random()
        if r < 0.60:
            self.edit()
        elif r < 0.80:
            self.check_in()
        else:
            with self.op("board"):
                board.board_snapshot(self.db, self.setup.day_id)

    def check_in(self) -> None:
        """Check in the next person standing at the desk."""
        if not self.to_check_in:
            self.search()
            return
        batch_id = self.to_check_in.pop()
        with self.op("check_in", batch_id=batch_id) as rec:
            info, changes = flow.check_in(self.db, batch_id, self.actor)
            rec.queue_number = info.queue_number
            rec.room_id = self.setup.rooms.get(info.room_number) if info.room_number is not None else None
            if changes:
                rec.audit = [("check_in", "batch", batch_id)]

    def walk_in(self) -> None:
        """Register someone who came without pre-registration; the desk checks him in next."""
        self.walk_ins += 1
        serial = 1_000_000 + self.index * 10_000 + self.walk_ins
        theme = default_rooms()[self.rng.randrange(ROOMS)].theme
        data = registrations.RegistrationInput(
            _person(self.rng, serial), f"现场反映问题{self.index}-{self.walk_ins}", theme_code=theme
        )
        with self.op("walk_in") as rec:
            batch_id, _ = registrations.add_registration(
                self.db, self.setup.day_id, data, walk_in=True, actor=self.actor
            )
            rec.batch_id = batch_id
            rec.audit = [("register", "batch", batch_id)]
            self.to_check_in.append(batch_id)

    def search(self) -> None:
        """Look a visitor up by name, as the desk does before a check-in."""
        with self.op("search"):
            search_service.search(self.db, self.setup.day_id, _name(self.rng)[:1])

    def edit(self) -> None:
        """Open a shared batch's edit dialog, or save the one left open (with the version it showed)."""
        if self.form is None:
            batch_id = self.rng.choice(self.setup.hot)
            with self.op("edit_open", batch_id=batch_id):
                self.form = registration_edit.load_registration(self.db, batch_id)
            return
        form, self.form = self.form, None
        batch_id, version, data = form.batch_id, form.version, form.data
        value = f"编辑{self.actor}第{len(self.ops)}次：补充诉求"
        data.request = value  # the user retypes the request in the dialog left open meanwhile
        with self.op("edit", batch_id=batch_id, base_version=version, value=value) as rec:
            registration_edit.update_registration(
                self.db,
                batch_id,
                data,
                self.actor,
                expected_version=version,
                visitor_versions=form.visitor_versions,
            )
            rec.audit = [("edit", "batch", batch_id)]

    # -- the supervisor --

    def chief_step(self) -> None:
        """Move a waiting batch to a quieter room; place the walk-ins; look at the day again now and then."""
        r = self.rng.random()
        if not self.seen or r < 0.15:
            with self.op("list"):
                self.seen = registrations.list_registrations(self.db, self.setup.day_id)
            return
        if r < 0.25:
            with self.op("assign") as rec:
                report = assignment.assign_day(self.db, self.setup.day_id, actor=self.actor)
                rec.placed = report.assigned
            return
        waiting = [row for row in self.seen if row.status == BatchStatus.WAITING.value and row.room_number]
        if not waiting:
            with self.op("list"):
                self.seen = registrations.list_registrations(self.db, self.setup.day_id)
            return
        row = self.rng.choice(waiting)
        target_number = self.rng.choice([n for n in self.setup.rooms if n != row.room_number])
        target = self.setup.rooms[target_number]
        with self.op("move", batch_id=row.batch_id, room_id=target, base_version=row.version) as rec:
            changes = registrations.move_batch(
                self.db, row.batch_id, target, "调整接待室：均衡候谈", self.actor, expected_version=row.version
            )
            if changes:
                rec.audit = [("move", "batch", row.batch_id)]
        self.seen = [r for r in self.seen if r.batch_id != row.batch_id]  # the list shows it stale now

    # -- the hosts --

    def host_step(self) -> None:
        """Refresh the room, or call the next batch (F3), or record the case of the one in session."""
        if not self.rooms:
            self.search()
            return
        # the host works the room he has open: after a write it reloads, then records the batch in session, else
        # calls the next; with nothing to do, he looks at his rooms in turn
        known = [(room_id, state) for room_id, state in self.room_state.items() if state is not None]
        busy = [(r, st) for r, st in known if st.current is not None] or [(r, st) for r, st in known if st.waiting]
        if self.dirty or not busy:
            if self.dirty:
                room_id = self.dirty.pop(0)
            else:
                room_id = self.rooms[self.room_turn % len(self.rooms)]
                self.room_turn += 1
            with self.op("room_queue", room_id=room_id):
                self.room_state[room_id] = rq.room_queue(self.db, room_id)
            return
        room_id, state = busy[0]
        self.room_state[room_id] = None  # a write: the page reloads the room next
        self.dirty.append(room_id)
        current = state.current
        if current is not None:
            if self.rng.random() < 0.06:
                with self.op("return", batch_id=current.batch_id, room_id=room_id) as rec:
                    flow.return_to_queue(
                        self.db, current.batch_id, self.actor, "回去取材料", expected_version=current.version
                    )
                    rec.audit = [("return_to_queue", "batch", current.batch_id)]
                return
            data = self.case_input()
            with self.op("record", batch_id=current.batch_id, room_id=room_id, base_version=current.version) as rec:
                case_id, _ = cases.record_case(
                    self.db, current.batch_id, data, self.actor, expected_version=current.version
                )
                rec.case_id = case_id
                rec.audit = [("record", "case", case_id), ("finish", "batch", current.batch_id)]
            return
        with self.op("call", room_id=room_id) as rec:
            called, _ = flow.call_next(self.db, room_id, self.actor)
            rec.batch_id = called
            if called is not None:
                rec.audit = [("start_session", "batch", called)]

    def case_input(self) -> cases.CaseInput:
        """What the host records: mostly handed over to a department, some resolved or explained on the spot."""
        r = self.rng.random()
        if r < 0.6:
            lead, co = self.rng.sample(self.setup.departments, 2)
            colour = self.rng.choice(("green", "yellow", "red"))
            return cases.CaseInput(
                instruction="请责任单位依法依规处理并按期反馈",
                outcome="handed_over",
                colour=colour,
                lead_department_id=lead,
                co_department_ids=[co],
            )
        if r < 0.8:
            return cases.CaseInput(instruction="当场协调解决，来访人表示满意", outcome="resolved")
        return cases.CaseInput(instruction="已向来访人解释政策依据", outcome="explained")


def client_main(
    index: int, actor: str, target: Target, setup: Setup, ops: int, seed: int, start: Any, out: Any, think: float = 0.0
) -> None:
    """A client process: open its engine, wait for the others, run its operations, send the records back."""
    try:
        db = target.database()
        users.authenticate(db, actor, PASSWORD)  # a laptop logs in: that opens the database's data key here
        # connect, load the name and search modules, warm the statement cache before the clock starts
        plan.list_departments(db)
        initials("张三丰")
        rq.room_queue(db, next(iter(setup.rooms.values())))
        search_service.search(db, setup.day_id, "张")
        client = Client(index, actor, db, setup, seed)
        start.wait()
        pause = random.Random(index)
        for _ in range(ops):
            client.step()
            if think:  # the person reads the screen, talks to the visitor: not part of any operation
                time.sleep(pause.uniform(0, 2 * think))
        db.dispose()
        out.put((index, [asdict(op) for op in client.ops], None))
    except Exception:  # the parent reports a client that could not run at all
        out.put((index, [], traceback.format_exc()))


# ---- the change feed ----


def feed_channel(target: Target) -> str | None:
    """The NOTIFY channel the project's change feed publishes on for this schema; None when there is no feed."""
    try:
        from reception_desk.db import change_feed
    except ImportError:
        return None
    channel_for = getattr(change_feed, "channel_for", None)
    if callable(channel_for):
        return str(channel_for(target.schema))
    channel = getattr(change_feed, "CHANNEL", None)
    return channel if isinstance(channel, str) else None


def listener_main(target: Target, channel: str, ready: Any, stop: Any, out: Any) -> None:
    """Another laptop: LISTEN on the feed's channel and note each notification's arrival (time.time())."""
    import psycopg
    import psycopg.sql

    url = sa.engine.make_url(target.url).set(drivername="postgresql")
    arrivals: list[tuple[float, str]] = []
    try:
        with psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True, options=f"-csearch_path={target.schema}"
        ) as conn:
            conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
            ready.set()
            while not stop.is_set():
                for note in conn.notifies(timeout=0.2, stop_after=1):
                    arrivals.append((time.time(), note.payload))
        out.put((arrivals, None))
    except Exception:
        ready.set()
        out.put((arrivals, traceback.format_exc()))


def feed_latency(ops: list[Op], arrivals: list[tuple[float, str]]) -> dict[str, Any]:
    """How long a committed write takes to reach another laptop's LISTEN.

    Two measures: from the server's timestamp in the payload ("at", taken by the NOTIFY statement just before
    COMMIT, so it includes the commit), and from the end of the client's call (just after its commit) of the
    write the notification names (same user, a batch or case id of the operation).
    """
    writes: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for op in ops:
        if op.outcome != OK or op.kind not in WRITES:
            continue
        if op.case_id is not None:
            writes[(op.actor, "cases", op.case_id)].append(op.end)
        if op.batch_id is not None:
            writes[(op.actor, "batches", op.batch_id)].append(op.end)
    from_server: list[float] = []
    from_client: list[float] = []
    unreadable = 0
    for arrived, text in arrivals:
        try:
            body = json.loads(text)
        except ValueError:
            unreadable += 1
            continue
        at = body.get("at") if isinstance(body, dict) else None
        if isinstance(at, str):
            stamp = dt.datetime.fromisoformat(at)
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=dt.UTC)
            from_server.append(max(arrived - stamp.timestamp(), 0.0) * 1000)
        best = None
        for kind, ident in _kind_ids(body):
            for end in writes.get((str(body.get("by")), kind, ident), ()):
                if abs(arrived - end) < 5 and (best is None or abs(arrived - end) < abs(best)):
                    best = arrived - end
        if best is not None:
            from_client.append(max(best, 0.0) * 1000)
    from_server.sort()
    from_client.sort()

    def fig(values: list[float], p: float) -> float | None:
        return round(_pct(values, p), 1) if values else None

    return {
        "notifications": len(arrivals),
        "unreadable": unreadable,
        "p50_ms": fig(from_server, 50),
        "p95_ms": fig(from_server, 95),
        "max_ms": fig(from_server, 100),
        "matched": len(from_client),
        "after_call_p50_ms": fig(from_client, 50),
        "after_call_p95_ms": fig(from_client, 95),
    }


def _kind_ids(payload: Any) -> set[tuple[str, int]]:
    """(kind, id) pairs in a change-set payload: {"kind_ids": {"batches": [..]}} or {"batches": [..]}."""
    if isinstance(payload, dict) and isinstance(payload.get("kind_ids"), dict):
        payload = payload["kind_ids"]
    found: set[tuple[str, int]] = set()
    if isinstance(payload, dict):
        for kind in ("batches", "cases"):
            for value in payload.get(kind) or ():
                if isinstance(value, int):
                    found.add((kind, value))
    return found


# ---- the run ----


def run(target: Target, clients: int, ops: int, batches: int, seed: int = 9, think: float = 0.0) -> Report:
    """Prepare the day, run the clients in their own processes, verify; the Report holds figures and problems."""
    names = roster(clients)
    db = target.database()
    setup = prepare(db, names, batches, seed)
    ctx = mp.get_context("spawn")  # a fresh interpreter per laptop: no engine or connection crosses a fork
    start = ctx.Barrier(clients + 1)
    out = ctx.Queue()
    channel = feed_channel(target) if target.postgresql else None
    feed_info: dict[str, Any] = {"measured": False}
    listener = None
    if target.postgresql and channel is None:
        feed_info["why"] = "no change feed in the project (reception_desk.db.change_feed)"
    elif not target.postgresql:
        feed_info["why"] = "SQLite has no NOTIFY (a cheap poll instead)"
    if channel is not None:
        ready, stop, feed_out = ctx.Event(), ctx.Event(), ctx.Queue()
        listener = ctx.Process(target=listener_main, args=(target, channel, ready, stop, feed_out))
        listener.start()
        ready.wait(30)
    procs = [
        ctx.Process(target=client_main, args=(i, name, target, setup, ops, seed, start, out, think))
        for i, name in enumerate(names)
    ]
    for p in procs:
        p.start()
    load_before = os.getloadavg()
    start.wait()
    began = time.time()
    records: list[Op] = []
    problems: list[str] = []
    for _ in procs:
        index, rows, failure = out.get()
        if failure:
            problems.append(f"client {index} ({names[index]}) failed:\n{failure}")
        records.extend(Op(**{**row, "audit": [tuple(a) for a in row["audit"]]}) for row in rows)
    for p in procs:
        p.join()
    wall = max((op.end for op in records), default=began) - began
    load_after = os.getloadavg()
    if listener is not None:
        time.sleep(0.5)  # the last notifications of the last commits
        stop.set()
        arrivals, failure = feed_out.get()
        listener.join()
        if failure:
            feed_info["why"] = f"listener failed: {failure.splitlines()[-1]}"
        else:
            feed_info = {"measured": True, "channel": channel, **feed_latency(records, arrivals)}
    problems += verify(db, setup, names, ops, records)
    db.dispose()
    return Report(clients, names, setup, records, wall, problems, feed_info, load_before, load_after)


# ---- verification ----


def verify(db: Database, setup: Setup, names: list[str], ops: int, records: list[Op]) -> list[str]:
    """What the database holds against what the clients were told; one line per problem (none: all good)."""
    problems: list[str] = []
    per_client = Counter(op.client for op in records)
    for index in range(len(names)):
        if per_client[index] != ops:
            problems.append(f"client {index} reported {per_client[index]} of {ops} operations")
    for op in records:
        if op.outcome not in (OK, STALE, REFUSED, ERROR):
            problems.append(f"operation with no outcome: {op}")
    with db.read() as session:
        problems += _check_audit(session, names, records)
        problems += _check_edits(session, records)
        problems += _check_numbers(session, setup, records)
        problems += _check_states(session, records)
    return problems


def _check_audit(session: Any, names: list[str], records: list[Op]) -> list[str]:
    """Every ok write left exactly its audit entries; nothing refused left one."""
    actors = set(names)
    rows = session.execute(
        sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id).where(
            AuditEntry.actor.in_(actors), AuditEntry.action.in_(ACCOUNTED)
        )
    ).all()
    found = Counter((r.actor, r.action, r.entity, r.entity_id) for r in rows if r.action != "assign")
    placed_found = Counter(r.actor for r in rows if r.action == "assign")
    expected: Counter[tuple[str, str, str, int]] = Counter()
    placed_expected: Counter[str] = Counter()
    for op in records:
        if op.outcome == OK:
            expected.update((op.actor, *a) for a in op.audit)
            placed_expected[op.actor] += op.placed
    problems = []
    for key in sorted(set(found) | set(expected), key=str):
        if found[key] != expected[key]:
            what = "an ok operation is missing from" if found[key] < expected[key] else "a write not reported ok is in"
            problems.append(f"{what} the database: {key} reported {expected[key]}×, audit has {found[key]}×")
    for actor in sorted(set(placed_found) | set(placed_expected)):
        if placed_found[actor] != placed_expected[actor]:
            problems.append(
                f"assignments by {actor}: reported {placed_expected[actor]} placed, audit has {placed_found[actor]}"
            )
    return problems


def _check_edits(session: Any, records: list[Op]) -> list[str]:
    """No lost update: ok edits of a batch come from distinct versions, and the newest one's value is there."""
    problems = []
    edits: dict[int, list[Op]] = defaultdict(list)
    for op in records:
        if op.kind == "edit" and op.outcome == OK and op.batch_id is not None:
            edits[op.batch_id].append(op)
    for batch_id, done in edits.items():
        versions = Counter(op.base_version for op in done)
        doubled = {v: n for v, n in versions.items() if n > 1}
        if doubled:
            problems.append(f"lost update on batch #{batch_id}: {doubled} ok edits from the same version")
        newest = max(done, key=lambda op: (op.base_version or 0, op.end))
        request = session.scalar(sa.select(Batch.request).where(Batch.id == batch_id))
        if request != newest.value:
            problems.append(
                f"lost update on batch #{batch_id}: holds {request!r}, the newest ok edit wrote {newest.value!r}"
            )
    return problems


def _check_numbers(session: Any, setup: Setup, records: list[Op]) -> list[str]:
    """Registration, case and queue numbers: each given once."""
    problems = []
    doubled_reg = session.execute(
        sa.select(Batch.reg_no, sa.func.count())
        .where(Batch.day_id == setup.day_id)
        .group_by(Batch.reg_no)
        .having(sa.func.count() > 1)
    ).all()
    problems += [f"registration number {r[0]} given {r[1]}×" for r in doubled_reg]
    doubled_case = session.execute(
        sa.select(Case.case_no, sa.func.count()).group_by(Case.case_no).having(sa.func.count() > 1)
    ).all()
    problems += [f"case number {r[0]} given {r[1]}×" for r in doubled_case]
    # a check-in that changed nothing (the other desk was first) shows the number given then, not a new one
    numbers = [(rec.room_id, rec.queue_number) for rec in records if rec.kind == "check_in" and rec.audit]
    given = Counter(n for n in numbers if n[0] is not None and n[1] is not None)
    given.update(setup.given)
    for entry in session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.in_(("move", "assign")), AuditEntry.entity == "batch")
    ):
        after = entry.after or {}
        if after.get("queue_number") is not None and after.get("room_id") is not None:
            given[(after["room_id"], after["queue_number"])] += 1
    for (room_id, number), n in sorted(given.items()):
        if n > 1:
            problems.append(f"queue number {number} of room {setup.room_numbers.get(room_id)} given {n}×")
    held = session.execute(
        sa.select(Batch.room_id, Batch.queue_number, sa.func.count())
        .where(Batch.day_id == setup.day_id, Batch.queue_number.is_not(None))
        .group_by(Batch.room_id, Batch.queue_number)
        .having(sa.func.count() > 1)
    ).all()
    problems += [f"queue number {r[1]} of room {setup.room_numbers.get(r[0])} held by {r[2]} batches" for r in held]
    last = dict(session.execute(sa.select(Room.id, Room.last_queue_number).where(Room.day_id == setup.day_id)).all())
    for room_id, number in given:
        if number > (last.get(room_id) or 0):
            problems.append(f"queue number {number} of room {setup.room_numbers.get(room_id)} above its counter")
    return problems


def _check_states(session: Any, records: list[Op]) -> list[str]:
    """What each ok write should have left: checked-in people, walk-ins, cases, the last move's room."""
    problems = []
    last_move: dict[int, Op] = {}
    for op in sorted(records, key=lambda o: o.end):
        if op.outcome != OK:
            continue
        if op.kind == "check_in" and op.batch_id is not None:
            missing = session.scalar(
                sa.select(sa.func.count())
                .select_from(BatchMember)
                .where(BatchMember.batch_id == op.batch_id, BatchMember.checked_in_at.is_(None))
            )
            if missing:
                problems.append(f"check-in of batch #{op.batch_id} reported ok, {missing} of its people not checked in")
        elif op.kind == "walk_in":
            source = session.scalar(sa.select(Batch.source).where(Batch.id == op.batch_id))
            if source != "walk_in":
                problems.append(f"walk-in batch #{op.batch_id} reported ok, database has {source!r}")
        elif op.kind == "record":
            row = session.execute(sa.select(Case.batch_id).where(Case.id == op.case_id)).first()
            status = session.scalar(sa.select(Batch.status).where(Batch.id == op.batch_id))
            if row is None or row[0] != op.batch_id or status != BatchStatus.DONE.value:
                problems.append(f"case #{op.case_id} of batch #{op.batch_id} reported ok, not in the database as done")
        elif op.kind == "move" and op.audit and op.batch_id is not None:
            last_move[op.batch_id] = op
    for batch_id, op in last_move.items():
        room_id = session.scalar(sa.select(Batch.room_id).where(Batch.id == batch_id))
        if room_id != op.room_id:
            problems.append(f"batch #{batch_id} moved to room id {op.room_id} (ok), database has {room_id}")
    return problems


# ---- command line ----


@contextmanager
def target_for(kind: str, pg_url: str) -> Iterator[Target]:
    """A fresh SQLite file, or a fresh schema on the PostgreSQL server (dropped at the end)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield Target(f"sqlite:///{Path(tmp) / 'laptops.sqlite3'}")
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Target(pg_url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def print_report(report: Report, label: str) -> None:
    """The figures, per kind, and the verification."""
    s = report.summary()
    print(f"[{label}] {s['clients']} laptops, {s['operations']} operations in {s['wall_s']} s")
    print(f"  throughput {s['throughput_ops_s']} ops/s")
    print(f"  latency all ops p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms (target p95 ≤ 100 ms)")
    print(f"  latency writes  p50 {s['writes_p50_ms']} ms, p95 {s['writes_p95_ms']} ms")
    feed = s["feed"]
    if feed.get("measured"):
        print(
            f"  change feed (server stamp → LISTEN) p50 {feed['p50_ms']} ms, p95 {feed['p95_ms']} ms, "
            f"max {feed['max_ms']} ms over {feed['notifications']} notifications (target p95 ≤ 200 ms); "
            f"after the writer's call returned: p50 {feed['after_call_p50_ms']} ms, "
            f"p95 {feed['after_call_p95_ms']} ms ({feed['matched']} matched)"
        )
    else:
        print(f"  change feed: not measured ({feed.get('why')})")
    print(f"  conflicts (stale refusals) {s['conflicts']}; outcomes {s['outcomes']}")
    for kind, k in s["by_kind"].items():
        print(
            f"    {kind:<11} n={k['n']:<5} p50 {k['p50_ms']:>7} ms  p95 {k['p95_ms']:>7} ms  "
            f"max {k['max_ms']:>7} ms  client CPU p50 {k['client_cpu_p50_ms']:>5} ms  {k['outcomes']}"
        )
    errors = Counter(op.message for op in report.ops if op.outcome in (ERROR, REFUSED))
    for message, n in errors.most_common(8):
        print(f"    {n}× {message[:160]}")
    print(f"  load average before {report.load_before}, after {report.load_after}")
    if report.problems:
        print(f"  VERIFICATION FAILED ({len(report.problems)} problems):")
        for line in report.problems[:40]:
            print(f"    {line}")
    else:
        print("  verified: no lost update, no duplicate number, every operation in the database or reported")


def main(argv: list[str] | None = None) -> int:
    """Run the load on PostgreSQL (default) or SQLite; exit 1 when a verification fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--pg", default=PG_URL)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--batches", type=int, default=500)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between a laptop's operations, in ms (0: flat out)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    with target_for(args.db, args.pg) as target:
        report = run(target, args.clients, args.ops, args.batches, args.seed, args.think / 1000)
    if args.json:
        print(json.dumps(report.summary(), ensure_ascii=False, default=str))
    else:
        print_report(report, "PostgreSQL" if args.db == "postgresql" else "SQLite")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
