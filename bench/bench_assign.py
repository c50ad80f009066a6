"""Benchmark: assign 1,000 unassigned batches of a day to its 15 rooms. Prints the time; target ≤0.2 s.

.venv/bin/python -m bench.bench_assign [--pg postgresql://postgres@127.0.0.1/test] [--batches 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import sqlalchemy as sa

from bench.databases import each_database
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import Batch, Theme, Visitor, table
from reception_desk.domain.themes import THEMES
from reception_desk.services import days
from reception_desk.services.assignment import assign_day


def _fill(db: Database, n: int, seed: int) -> int:
    rng = random.Random(seed)
    info, _ = days.create_day(db, dt.date(2026, 12, 4))
    with db.session() as s:
        theme_ids = {t.code: t.id for t in s.scalars(sa.select(Theme))}
        visitor_ids = (
            s.execute(
                sa.insert(table(Visitor)).returning(table(Visitor).c.id, sort_by_parameter_order=True),
                [
                    {
                        "name": f"来访人{i}",
                        "name_initials": "lfr",
                        "id_valid": False,
                        "phone": "",
                        "township": "",
                        "village": "",
                        "created_at": dt.datetime(2026, 12, 1),
                    }
                    for i in range(n)
                ],
            )
            .scalars()
            .all()
        )
        s.execute(
            sa.insert(table(Batch)),
            [
                {
                    "day_id": info.id,
                    "reg_no": f"Y{i + 1:04d}",
                    "lead_visitor_id": vid,
                    "headcount": rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 12]),
                    "theme_id": theme_ids[rng.choice(THEMES).code],
                    "request": "反映问题",
                    "category_text": "",
                    "township": "",
                    "village": "",
                    "source": "pre",
                    "status": "registered",
                    "placed_by_hand": False,
                    "flags": [],
                    "note": "",
                    "import_source": "",
                    "registered_at": dt.datetime(2026, 12, 1),
                    "version": 1,
                }
                for i, vid in enumerate(visitor_ids)
            ],
        )
    return info.id


def run(db: Database, n: int, label: str) -> None:
    """Time one assignment run over n fresh batches, and a second (idempotent) run."""
    upgrade_to_head(db.engine)
    day_id = _fill(db, n, seed=1)
    t0 = time.perf_counter()
    report = assign_day(db, day_id)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = assign_day(db, day_id)
    second = time.perf_counter() - t0
    spread = statistics.pstdev(report.rooms.values())
    print(
        f"[{label}] assign {report.assigned} batches: {first:.3f} s (target ≤ 0.2 s); "
        f"second run placed {again.assigned} in {second:.3f} s; rooms used {len(report.rooms)}, "
        f"batches per room stdev {spread:.1f}"
    )


def main() -> None:
    """Run on a fresh SQLite file, and on PostgreSQL when --pg is given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    for db, label in each_database(args.pg):
        run(db, args.batches, label)


if __name__ == "__main__":
    main()
