"""Benchmark: search as you type over 100,000 people registered for one day (SQLite file).

Usage: .venv/bin/python bench/bench_search.py [--people 100000] [--rounds 40] [--keep PATH]

Generates the people (realistic names from weighted surnames × given-name characters, their pinyin initials,
mobile and landline phones, resident IDs with a few bad check digits) in batches of one day, straight into
a migrated SQLite file, then replays typed queries keystroke by keystroke ("王", "王学", "王学德", "w", "wx",
"wxd", phone digits, ID endings, registration numbers, with and without filters) and prints per-keystroke
latency p50/p95/max in ms for the search and for the first page of rows, and the process RSS.
Target: p95 ≤ 30 ms per keystroke.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import insert

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Batch, BatchMember, Theme, Visitor, table
from reception_desk.domain import resident_id
from reception_desk.domain.batches import BatchStatus, Flag
from reception_desk.domain.names import initials
from reception_desk.domain.room_plan import TOWNSHIPS
from reception_desk.domain.themes import THEMES
from reception_desk.services.days import create_day
from reception_desk.services.importing.importer import insert_returning_ids
from reception_desk.services.search import SearchFilters, listed_batches, search

# Common surnames with rough frequencies in percent (王 and 李 about 7 % each), and a few compound ones.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.2), ("赵", 2.0),
    ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5), ("马", 1.4), ("朱", 1.3), ("胡", 1.3), ("郭", 1.2),
    ("何", 1.2), ("林", 1.1), ("罗", 1.0), ("高", 1.0), ("郑", 0.9), ("梁", 0.9), ("谢", 0.8), ("宋", 0.8),
    ("唐", 0.8), ("许", 0.7), ("韩", 0.7), ("冯", 0.7), ("邓", 0.7), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6),
    ("肖", 0.6), ("田", 0.6), ("董", 0.5), ("潘", 0.5), ("袁", 0.5), ("蔡", 0.5), ("蒋", 0.5), ("余", 0.5),
    ("于", 0.5), ("杜", 0.4), ("叶", 0.4), ("程", 0.4), ("魏", 0.4), ("苏", 0.4), ("吕", 0.4), ("丁", 0.4),
    ("任", 0.4), ("沈", 0.4), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("祝", 0.2), ("毛", 0.2), ("邵", 0.2), ("童", 0.2),
    ("欧阳", 0.05), ("司马", 0.02), ("诸葛", 0.02), ("上官", 0.02),
)  # fmt: skip
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红文学德永福海林春燕玉金荣新"
    "小云飞鹏辉俊峰宇浩然婷雪梅慧琳佳欣怡嘉子晨阳光亮东南西北松柏竹菊萍琴凤珍美丽秋冬夏"
    "长根水土石山田发财富贵宝成功立信仁义礼智忠孝和顺安康寿喜乐天祥瑞彩霞凯旋振兴家庆"
)
REGIONS = ("330802", "330803", "330803", "330803", "330822", "330824", "330825", "330881")
REQUESTS = ("反映征地补偿款至今未到位", "反映企业拖欠工资", "反映养殖场污染", "反映村务不公开", "反映道路破损")
VISITOR = table(Visitor)
BATCH = table(Batch)
MEMBER = table(BatchMember)
T = TypeVar("T")
PAGE = 60  # rows of the first page the table asks for


def person_name(rng: random.Random, surnames: list[str], weights: list[float]) -> str:
    """A name of two or three characters (surname + one or two given-name characters)."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choices(surnames, weights)[0] + given


def phone(rng: random.Random) -> str:
    """A mobile number, a Quzhou landline, or nothing."""
    roll = rng.random()
    if roll < 0.08:
        return ""
    if roll < 0.18:
        return f"0570{rng.randrange(2_000_000, 9_000_000):07d}"
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def generate(db: Database, day_id: int, people: int, seed: int = 2006) -> dict[str, list[str]]:
    """Insert `people` visitors in batches of one day; returns samples of what was generated for the queries."""
    rng = random.Random(seed)
    surnames = [s for s, _ in SURNAMES]
    weights = [w for _, w in SURNAMES]
    with db.read() as session:
        theme_ids = [session.get_one(Theme, i).id for i in range(1, len(THEMES) + 1)]
    used_ids: set[str] = set()
    samples: dict[str, list[str]] = {"names": [], "phones": [], "tails": []}
    now = dt.datetime(2026, 12, 1, 9, 0)
    made = 0
    reg = 0
    with db.session() as session:
        conn = session.connection()
        while made < people:
            # 60 % alone, the rest with companions, some collective visits of 5 to 12
            sizes = [rng.choice((1, 1, 1, 1, 1, 1, 2, 2, 3, 4, rng.randrange(5, 13))) for _ in range(1000)]
            sizes = [min(s, people - made - sum(sizes[:i])) for i, s in enumerate(sizes)]
            sizes = [s for s in sizes if s > 0]
            if not sizes:
                break
            visitors: list[dict[str, Any]] = []
            for size in sizes:
                for _ in range(size):
                    name = person_name(rng, surnames, weights)
                    number: str | None = None
                    valid = False
                    if rng.random() < 0.85:
                        while number is None or number in used_ids:
                            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(27_000))
                            number = resident_id.make(rng.choice(REGIONS), born, rng.randrange(1000))
                            if rng.random() < 0.02:  # a bad check digit, as typed by hand
                                number = number[:17] + ("1" if number[17] != "1" else "2")
                        used_ids.add(number)
                        valid = resident_id.is_valid(number)
                    tel = phone(rng)
                    visitors.append(
                        {
                            "name": name,
                            "name_initials": initials(name),
                            "id_number": number,
                            "id_valid": valid,
                            "phone": tel,
                            "township": rng.choice(TOWNSHIPS),
                            "village": "",
                            "created_at": now,
                        }
                    )
                    if rng.random() < 0.01:
                        samples["names"].append(name)
                        if tel:
                            samples["phones"].append(tel)
                        if number:
                            samples["tails"].append(number[-4:])
            visitor_ids = insert_returning_ids(conn, VISITOR, visitors)
            batches: list[dict[str, Any]] = []
            start = 0
            for size in sizes:
                reg += 1
                flags = []
                if not visitors[start]["id_valid"] and visitors[start]["id_number"]:
                    flags.append(Flag.ID_TO_CHECK.value)
                if rng.random() < 0.02:
                    flags.append(Flag.DUPLICATE.value)
                batches.append(
                    {
                        "day_id": day_id,
                        "reg_no": f"Y{reg:04d}",
                        "lead_visitor_id": visitor_ids[start],
                        "headcount": size,
                        "theme_id": rng.choice(theme_ids),
                        "request": rng.choice(REQUESTS),
                        "category_text": "",
                        "township": visitors[start]["township"],
                        "village": "",
                        "source": "pre",
                        "status": rng.choice((BatchStatus.REGISTERED.value,) * 8 + (BatchStatus.ARRIVED.value,)),
                        "placed_by_hand": False,
                        "flags": flags,
                        "note": "",
                        "import_source": "bench",
                        "registered_at": now,
                        "version": 1,
                    }
                )
                start += size
            batch_ids = insert_returning_ids(conn, BATCH, batches)
            members = []
            start = 0
            for batch_id, size in zip(batch_ids, sizes, strict=True):
                for pos in range(size):
                    members.append(
                        {
                            "batch_id": batch_id,
                            "visitor_id": visitor_ids[start + pos],
                            "position": pos,
                            "is_lead": pos == 0,
                        }
                    )
                start += size
            conn.execute(insert(MEMBER), members)
            made += sum(sizes)
        # the name the brief types, as a companion in the last batch
        wxd = insert_returning_ids(
            conn,
            VISITOR,
            [{"name": "王学德", "name_initials": initials("王学德"), "id_number": None, "id_valid": False,
              "phone": "13805701234", "township": TOWNSHIPS[0], "village": "", "created_at": now}],
        )[0]  # fmt: skip
        conn.execute(insert(MEMBER), [{"batch_id": batch_ids[-1], "visitor_id": wxd, "position": 99, "is_lead": False}])
    samples["regs"] = [f"Y{rng.randrange(1, reg + 1):04d}" for _ in range(40)]
    return samples


def typed(word: str) -> list[str]:
    """What the search box holds after each keystroke of typing `word`."""
    return [word[: i + 1] for i in range(len(word))]


def measure(fn: Callable[[], T]) -> tuple[float, T]:
    """Milliseconds one call takes, and what it returned."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def percentiles(values: list[float]) -> str:
    """p50 / p95 / max of a list of milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f}  p95 {p95:6.1f}  max {ordered[-1]:6.1f} ms  (n={len(ordered)})"


def rss_mb() -> float:
    """The resident set size of this process in MB (Linux), else the peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Generate, replay the typing, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="sample words typed per kind")
    parser.add_argument("--keep", type=Path, help="write the SQLite file here instead of a temp folder")
    args = parser.parse_args()

    initials("王学德")  # load pypinyin's tables, as the app does
    print(f"RSS at start {rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench-search.sqlite3"
        db = Database(f"sqlite:///{path}")
        upgrade_to_head(db.engine)
        day, _ = create_day(db, dt.date(2026, 12, 4))
        start = time.perf_counter()
        samples = generate(db, day.id, args.people)
        print(f"generated {args.people} people in {time.perf_counter() - start:.1f} s → {path}")
        total = search(db, day.id, "")
        print(f"the day: {len(total.ids)} batches, {total.people} people")
        rng = random.Random(1)

        kinds: dict[str, list[str]] = {
            "brief": ["王学德", "wxd", "1380", "0571", "Y0123"],
            "name": rng.sample(samples["names"], min(args.rounds, len(samples["names"]))),
            "initials": [initials(n) for n in rng.sample(samples["names"], min(args.rounds, len(samples["names"])))],
            "phone": [p[:7] for p in rng.sample(samples["phones"], min(args.rounds, len(samples["phones"])))],
            "id tail": rng.sample(samples["tails"], min(args.rounds, len(samples["tails"]))),
            "reg no": samples["regs"][: args.rounds],
        }
        filters = (
            SearchFilters(),
            SearchFilters(theme_code="labour"),
            SearchFilters(township=TOWNSHIPS[3], flags=frozenset({Flag.COLLECTIVE.value})),
        )
        search(db, day.id, "王")  # warm the page cache once
        every: list[float] = []
        pages: list[float] = []
        for kind, words in kinds.items():
            times: list[float] = []
            for word in words:
                for text in typed(word):
                    for f in filters:
                        ms, found = measure(partial(search, db, day.id, text, f))
                        times.append(ms)
                        pages.append(measure(partial(listed_batches, db, found.ids[:PAGE]))[0])
            every.extend(times)
            print(f"search {kind:9}  {percentiles(times)}")
        for text in ("王", "王学", "王学德", "w", "wx", "wxd", "1380", "0571", "Y0123", ""):
            times = [measure(partial(search, db, day.id, text))[0] for _ in range(15)]
            hits = len(search(db, day.id, text).ids)
            print(f"  {text or '(empty)':8} {hits:6} batches  {percentiles(times)}")
        print(f"search, every keystroke   {percentiles(every)}")
        print(f"first page of {PAGE} rows   {percentiles(pages)}  (rows + companions, as the table loads them)")
        print(f"RSS {rss_mb():.0f} MB (the generator's own data included)")
        db.dispose()


if __name__ == "__main__":
    main()
