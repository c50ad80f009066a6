"""Benchmark: after the day, over 10 years of history (~600,000 cases with their events, monthly reception days).

.venv/bin/python -m bench.bench_after_day [--cases 600000] [--samples 200] [--repeat-share 0.08]
                                          [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Generates the history with Core bulk inserts (explicit ids, so a repeat visit can point at its earlier case
without a round trip): one reception day a month for ten years, one batch and one case per matter, leads who
come again (a share of the cases are repeat visits, some of people without an ID card, found by name and
phone), companions, cases in every state as of the newest day with their events (签收, 反馈, 延期, 办结, 回访,
挂牌督办). The newest day is today: half its batches are still registered or waiting. Then measures, p50/p95:
  (a) the repeat check at check-in, `repeats.batch_repeats` for batches of the newest day     target ≤ 20 ms p95
  (b) the tracking page's first screen, `tracked_cases(limit=200)` + `department_load`       target ≤ 200 ms
  (c) `metrics` for one year                                                                  target ≤ 1 s
on a SQLite file and, with --pg, on PostgreSQL in a throw-away schema (dropped at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from reception_desk.db.engine import Database, make_engine
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import (
    Batch,
    BatchMember,
    Case,
    CaseEvent,
    Department,
    Room,
    Theme,
    Visitor,
    table,
)
from reception_desk.domain import resident_id
from reception_desk.domain.case_numbers import format_case_number
from reception_desk.domain.deadlines import Calendar, Colour
from reception_desk.services import days
from reception_desk.services.holiday_calendar import load_calendar_in
from reception_desk.services.metrics import metrics
from reception_desk.services.repeats import batch_repeats
from reception_desk.services.tracking import TrackingFilter, department_load, tracked_cases

YEARS = 10
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
    "蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金祝毛邵童"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文学德永福海林春燕玉金荣新小云飞鹏辉俊峰宇浩然婷雪梅"
REGIONS = ("330802", "330803", "330803", "330803", "330822", "330824", "330825", "330881")
REQUESTS = ("反映征地补偿款至今未到位", "反映企业拖欠工资", "反映养殖场污染", "反映村务不公开", "反映道路破损")
RATINGS = ("satisfied",) * 90 + ("basically",) * 6 + ("dissatisfied",) * 2 + ("unreachable",) * 2
CHUNK = 20_000
LOCAL = dt.timedelta(hours=8)


def _utc(day: dt.date, hour: float) -> dt.datetime:
    """Naive UTC of a local (Asia/Shanghai) hour of a day."""
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour) - LOCAL


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class _History:
    """Draws ten years of reception days into lists of rows, then writes them with Core bulk inserts."""

    def __init__(self, conn: Connection, calendar: Calendar, cases: int, repeat_share: float, seed: int) -> None:
        self.conn = conn
        self.calendar = calendar
        self.rng = random.Random(seed)
        self.cases = cases
        self.repeat_share = repeat_share
        self.rows: dict[str, list[dict[str, Any]]] = {
            "visitor": [],
            "batch": [],
            "batch_member": [],
            "petition_case": [],
            "case_event": [],
        }
        self.next_id = {name: self._max_id(name) + 1 for name in self.rows}
        self.leads: list[int] = []  # visitors who led a batch with a case: who may come again
        self.last_case: dict[int, int] = {}  # visitor id → their newest case id
        self.no_id: dict[int, tuple[str, str]] = {}  # visitor id → (name, phone) of people without an ID
        self.used_ids: set[str] = set()
        self.themes = list(conn.execute(select(Theme.id)).scalars())
        self.departments = list(conn.execute(select(Department.id)).scalars())

    def _max_id(self, name: str) -> int:
        return int(self.conn.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar() or 0)

    def _add(self, name: str, row: dict[str, Any]) -> int:
        row["id"] = self.next_id[name]
        self.next_id[name] += 1
        self.rows[name].append(row)
        return int(row["id"])

    def visitor(self, day: dt.date) -> int:
        """A new person: 95 % with a valid resident ID, the rest known by name and phone."""
        rng = self.rng
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        number: str | None = None
        if rng.random() < 0.95:
            while number is None or number in self.used_ids:
                born = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(20_000))
                number = resident_id.make(rng.choice(REGIONS), born, rng.randrange(1000))
            self.used_ids.add(number)
        vid = self._add(
            "visitor",
            {
                "name": name,
                "name_initials": "",
                "id_number": number,
                "id_valid": number is not None,
                "phone": phone,
                "township": "",
                "village": "",
                "created_at": _utc(day, 9),
            },
        )
        if number is None:
            self.no_id[vid] = (name, phone)
        return vid

    def lead(self, day: dt.date) -> tuple[int, int | None]:
        """The lead of a new batch and the earlier case when it is a repeat visit."""
        rng = self.rng
        if self.leads and rng.random() < self.repeat_share:
            # old petitioners come back more often than anyone: favour the recent leads
            who = self.leads[-1 - min(len(self.leads) - 1, int(rng.expovariate(1 / 20_000)))]
            if who in self.no_id and rng.random() < 0.3:  # typed again as a new row: found by name and phone
                name, phone = self.no_id[who]
                again = self.visitor(day)
                self.rows["visitor"][-1].update(name=name, phone=phone)
                self.no_id[again] = (name, phone)
                return again, self.last_case.get(who)
            return who, self.last_case.get(who)
        return self.visitor(day), None

    def event(
        self, case_id: int, kind: str, at: dt.datetime, text: str = "", data: dict[str, Any] | None = None
    ) -> None:
        """One step of a case's life."""
        self._add(
            "case_event",
            {"case_id": case_id, "kind": kind, "at": at, "actor": "bench", "department_id": None, "text": text,
             "data": data or {}},
        )  # fmt: skip

    def day(self, day_id: int, date: dt.date, rooms: list[tuple[int, int]], n: int, today: dt.date) -> None:
        """One reception day of n batches; the newest day (today) has only its finished half recorded."""
        rng = self.rng
        sequence = dict.fromkeys((number for _, number in rooms), 0)
        newest = date == today
        for k in range(n):
            lead, repeat_of = self.lead(date)
            room_id, room_no = rooms[k % len(rooms)]
            recorded = _utc(date, 9 + 8 * k / n)
            finished = not newest or k % 2 == 0
            batch_id = self._add(
                "batch",
                {
                    "day_id": day_id, "reg_no": f"Y{k + 1:04d}", "lead_visitor_id": lead, "headcount": 1,
                    "theme_id": rng.choice(self.themes), "request": rng.choice(REQUESTS), "category_text": "",
                    "township": "", "village": "", "source": "pre",
                    "status": "done" if finished else rng.choice(("registered", "waiting")), "room_id": room_id,
                    "queue_position": k // len(rooms) + 1, "placed_by_hand": False, "flags": [], "note": "",
                    "import_source": "bench", "registered_at": _utc(date, -48), "version": 1,
                },
            )  # fmt: skip
            self._add("batch_member", {"batch_id": batch_id, "visitor_id": lead, "position": 0, "is_lead": True})
            if rng.random() < 0.15:  # a relative came along
                self.rows["batch"][-1]["headcount"] = 2
                mate = self.visitor(date)
                self._add("batch_member", {"batch_id": batch_id, "visitor_id": mate, "position": 1, "is_lead": False})
            if not finished:
                continue
            sequence[room_no] += 1
            case_id = self.case(batch_id, day_id, date, room_id, room_no, sequence[room_no], recorded, repeat_of, today)
            self.last_case[lead] = case_id
            self.leads.append(lead)

    def case(
        self,
        batch_id: int,
        day_id: int,
        date: dt.date,
        room_id: int,
        room_no: int,
        seq: int,
        recorded: dt.datetime,
        repeat_of: int | None,
        today: dt.date,
    ) -> int:
        """A case and its life up to today: most closed on time and followed up, a few of every other state."""
        rng = self.rng
        outcome = rng.choices(("handed_over", "resolved", "explained"), (60, 22, 18))[0]
        colour = rng.choice(("green", "yellow", "yellow", "red")) if outcome == "handed_over" else None
        due = self.calendar.add_days(date, Colour(colour).days) if colour else None
        row: dict[str, Any] = {
            "case_no": format_case_number(date, room_no, seq), "day_id": day_id, "batch_id": batch_id,
            "room_id": room_id, "request": "反映问题", "instruction": "请依法依规处理", "outcome": outcome,
            "colour": colour, "lead_department_id": rng.choice(self.departments), "due_date": due,
            "original_due_date": due, "status": "open", "recorded_by": "bench", "recorded_at": recorded,
            "signed_at": None, "signed_by": "", "replied_at": None, "closed_at": None, "resolved": None,
            "satisfaction": None, "followed_up_at": None, "supervised": False, "supervised_at": None,
            "supervised_by": "", "supervision_reason": "", "supervision_until": None,
            "repeat_of_case_id": repeat_of, "escalated": False, "version": 1,
        }  # fmt: skip
        case_id = self._add("petition_case", row)
        age = (today - date).days
        closed_at: dt.datetime | None = None
        if outcome != "handed_over":
            closed_at = recorded
            row.update(status="closed", closed_at=recorded, resolved=outcome == "resolved")
            self.event(case_id, "closed", recorded, "当场办结", {"resolved": row["resolved"], "on_the_spot": True})
        else:
            assert due is not None
            # how far it got by today: recent cases are still in hand, old ones nearly all closed
            stop = rng.random()
            done = 0.995 if age > 60 else (0.7 if age > 20 else 0.0)
            signed = recorded + dt.timedelta(hours=rng.randint(1, 5))
            if signed.date() < today:
                row.update(status="signed", signed_at=signed, signed_by="办公室")
                self.event(case_id, "signed", signed, "", {})
                if rng.random() < 0.02:
                    new_due = self.calendar.add_days(due, 7)
                    row.update(due_date=new_due)
                    self.event(case_id, "extended", signed, "需进一步核实", {"from": str(due), "to": str(new_due)})
                    due = new_due
            replied = (
                _utc(due, 10)
                - dt.timedelta(days=rng.choice((0, 0, 1, 2)))
                + (dt.timedelta(days=rng.randint(1, 6)) if rng.random() < 0.04 else dt.timedelta())
            )  # 4 % late
            replied = max(replied, signed + dt.timedelta(hours=rng.randint(1, 4)))  # green: the same day
            if row["signed_at"] and signed < replied and replied.date() < today and stop < done + 0.1:
                row.update(status="replied", replied_at=replied)
                self.event(case_id, "feedback", replied, "已办理并答复来访人", {})
                if stop < done:
                    closed_at = replied + dt.timedelta(hours=1)
                    row.update(status="closed", closed_at=closed_at, resolved=rng.random() < 0.93)
                    self.event(case_id, "closed", closed_at, "", {"resolved": row["resolved"]})
            if row["status"] != "closed" and due < today and rng.random() < 0.3:
                at = _utc(due, 33)
                row.update(supervised=True, supervised_at=at, supervised_by="局长", supervision_reason="逾期未办结",
                           supervision_until=due + dt.timedelta(days=10))  # fmt: skip
                self.event(case_id, "supervised", at, "逾期未办结", {"until": str(due + dt.timedelta(days=10))})
        if closed_at is not None and (today - closed_at.date()).days > 5 and rng.random() < 0.985:
            at = closed_at + dt.timedelta(days=rng.randint(2, 5))
            rating = rng.choice(RATINGS)
            row.update(satisfaction=rating, followed_up_at=at)
            self.event(case_id, "follow_up", at, "", {"rating": rating, "method": "phone"})
        return case_id

    def flush(self) -> None:
        """Write what was drawn, parents first."""
        for name in ("visitor", "batch", "batch_member", "petition_case", "case_event"):
            rows = self.rows[name]
            target = table({"visitor": Visitor, "batch": Batch, "batch_member": BatchMember,
                            "petition_case": Case, "case_event": CaseEvent}[name])  # fmt: skip
            for chunk in _chunks(rows):
                self.conn.execute(insert(target), chunk)
            rows.clear()


def generate(db: Database, cases: int, repeat_share: float, seed: int = 2006) -> tuple[dt.date, int, dict[str, int]]:
    """Ten years of monthly reception days; returns today (the newest day), its id and the row counts."""
    today = dt.date(2026, 12, 4)
    dates: list[dt.date] = []
    for month in range(YEARS * 12):
        year, m = divmod(today.month - 1 - month, 12)
        day = dt.date(today.year + year, m + 1, 4)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        dates.append(day)
    dates.reverse()
    per_day = max(2, cases // len(dates))
    with db.session() as session:
        infos = [days.create_day_in(session, d, actor="bench") for d in dates]
        calendar = load_calendar_in(session)
        rooms = {
            info.id: [(r.id, r.number) for r in session.scalars(select(Room).where(Room.day_id == info.id))]
            for info in infos
        }
        history = _History(session.connection(), calendar, cases, repeat_share, seed)
        for info in infos:
            history.day(info.id, info.date, rooms[info.id], per_day, today)
            if len(history.rows["petition_case"]) > 50_000:
                history.flush()
        history.flush()
        conn = session.connection()
        if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for name in history.rows:
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
        newest = infos[-1].id
    with db.session() as session:
        conn = session.connection()
        conn.execute(sa.text("ANALYZE"))  # fresh statistics, as a database that grew over years has
        counts = {
            name: int(conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar() or 0)
            for name in ("visitor", "batch", "petition_case", "case_event")
        }
        counts["repeat visits"] = int(
            conn.execute(sa.text("SELECT count(*) FROM petition_case WHERE repeat_of_case_id IS NOT NULL")).scalar()
            or 0
        )
    return today, newest, counts


def percentiles(values: list[float]) -> tuple[float, float, str]:
    """p50, p95 and the printed line of a list of milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    p50 = statistics.median(ordered)
    return p50, p95, f"p50 {p50:7.1f}  p95 {p95:7.1f}  max {ordered[-1]:7.1f} ms  (n={len(ordered)})"


def timed(fn: Callable[[], object], n: int) -> list[float]:
    """Milliseconds of n calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def run(db: Database, label: str, cases: int, samples: int, repeat_share: float) -> None:
    """Generate, measure, print."""
    upgrade_to_head(db.engine)
    start = time.perf_counter()
    today, newest, counts = generate(db, cases, repeat_share)
    print(
        f"[{label}] generated in {time.perf_counter() - start:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    with db.read() as session:
        batch_ids = list(session.scalars(select(Batch.id).where(Batch.day_id == newest)))
    rng = random.Random(1)
    picks = iter(rng.choices(batch_ids, k=samples + 1))
    found = sum(1 for b in batch_ids[:500] if batch_repeats(db, b))
    _, p95, line = percentiles(timed(lambda: batch_repeats(db, next(picks)), samples))
    print(f"[{label}] (a) repeat check at check-in   {line}  target p95 ≤ 20 ms {'OK' if p95 <= 20 else 'MISSED'}"
          f"  ({found} of the first 500 batches of today are repeats)")  # fmt: skip

    def first_screen() -> None:
        tracked_cases(db, today, TrackingFilter(), limit=200)
        department_load(db, today)

    _, p95, line = percentiles(timed(first_screen, max(10, samples // 4)))
    rows, total = tracked_cases(db, today, TrackingFilter(), limit=200)
    print(f"[{label}] (b) tracking first screen     {line}  target p95 ≤ 200 ms {'OK' if p95 <= 200 else 'MISSED'}"
          f"  ({total:,} unclosed, {sum(r.overdue_days > 0 for r in rows)} overdue on screen)")  # fmt: skip
    year = (today - dt.timedelta(days=365), today)
    _, p95, line = percentiles(timed(lambda: metrics(db, today, *year, by="department"), max(5, samples // 20)))
    report = metrics(db, today, *year)
    print(f"[{label}] (c) metrics for one year       {line}  target p95 ≤ 1000 ms {'OK' if p95 <= 1000 else 'MISSED'}"
          f"  ({report.total.cases:,} cases, on time {report.total.on_time_rate:.2%})")  # fmt: skip


def main() -> None:
    """Run on a fresh SQLite file, and on PostgreSQL when --pg is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--repeat-share", type=float, default=0.08, help="share of cases that are repeat visits")
    parser.add_argument("--pg", default=None)
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--keep", type=Path, help="write the SQLite file here (a new file) instead of a temp folder")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{args.keep or Path(tmp) / 'bench-after-day.sqlite3'}")
            run(db, "SQLite", args.cases, args.samples, args.repeat_share)
            db.dispose()
    if args.pg:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.pg)
        with admin.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            db = Database(engine=make_engine(args.pg, connect_args={"options": f"-csearch_path={schema}"}))
            run(db, "PostgreSQL", args.cases, args.samples, args.repeat_share)
            db.dispose()
        finally:
            with admin.begin() as c:
                c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
