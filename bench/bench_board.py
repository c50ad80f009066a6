"""Benchmark: one room-board reload (`board_snapshot`) of a full demo day. Prints the figure; target ≤ 0.25 s.

The board reloads on every change-set, so this is what a check-in costs the board. The test suite checks only
that the board shows the whole day (tests/test_board.py); the time is measured here.

.venv/bin/python -m bench.bench_board [--pg postgresql://postgres@127.0.0.1/test] [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.databases import each_database
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services.board import board_snapshot
from reception_desk.services.demo import create_demo_day


def run(db: Database, runs: int, label: str) -> None:
    """Time `runs` snapshots of the demo day after one warm-up."""
    upgrade_to_head(db.engine)
    day_id = create_demo_day(db, seed=2006).id
    board = board_snapshot(db, day_id)  # warm the connection and the statement cache
    batches = sum(len(r.queue) + r.in_session.batches + r.done.batches + r.no_show.batches for r in board.rooms)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        board_snapshot(db, day_id)
        times.append(time.perf_counter() - started)
    print(
        f"[{label}] board of {len(board.rooms)} rooms, {batches + len(board.unassigned)} batches: "
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms over {runs} "
        "(target ≤ 250 ms)"
    )


def main() -> None:
    """Run on a fresh SQLite file, and on PostgreSQL when --pg is given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    for db, label in each_database(args.pg):
        run(db, args.runs, label)


if __name__ == "__main__":
    main()
