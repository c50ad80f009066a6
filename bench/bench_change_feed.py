"""Benchmark: the change feed's latency on PostgreSQL, a check-in on laptop A until laptop B hears it.

.venv/bin/python -m bench.bench_change_feed [--samples 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

Laptop A and laptop B are two Database objects (two connection pools) on one throw-away schema (dropped at the
end); B listens on its own psycopg connection in another process, as another laptop would. For each of the
samples, A checks in one batch through the real service (flow.check_in: authorisation, the room's 排队号, the
audit entry, the NOTIFY sent at COMMIT) and B timestamps the notification naming that batch. Prints p50/p95 of
  write→heard  from the start of A's operation to B's receipt (what a person at B waits for, before the page's
               own 60 ms debounce and its reload of the changed rows)
  commit→heard from the return of A's operation (its COMMIT) to B's receipt (the feed alone)
Target: p95 write→heard ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import time
from typing import Any

from bench.databases import in_schema, pg_schema
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.services import flow
from reception_desk.services.assignment import assign_day
from reception_desk.services.change_feed import conninfo
from tests.helpers import make_day, register

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _listen(dsn: str, channel: str, ready: Any, out: Any, expected: int) -> None:
    """Laptop B: hear `expected` check-ins and send (batch id, receipt time) back."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        ready.set()
        heard = 0
        for note in conn.notifies(timeout=60.0):
            at = time.perf_counter()
            for batch_id in json.loads(note.payload).get("kind_ids", {}).get("batches", []):
                out.put((batch_id, at))
                heard += 1
            if heard >= expected:
                break


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--pg", default=PG)
    args = parser.parse_args()

    with pg_schema(args.pg) as schema:
        laptop_a, laptop_b = in_schema(args.pg, schema), in_schema(args.pg, schema)
        upgrade_to_head(laptop_a.engine)
        day_id = make_day(laptop_a)
        ids = register(laptop_a, day_id, args.samples, "civil")
        assign_day(laptop_a, day_id)

        # perf_counter is CLOCK_MONOTONIC on Linux: comparable across processes of one machine
        ctx = mp.get_context("spawn")
        ready, out = ctx.Event(), ctx.Queue()
        listener = ctx.Process(
            target=_listen, args=(conninfo(laptop_b), laptop_b.change_channel(), ready, out, args.samples)
        )
        listener.start()
        ready.wait(30)
        started: dict[int, float] = {}
        committed: dict[int, float] = {}
        heard: dict[int, float] = {}
        for batch_id in ids:
            started[batch_id] = time.perf_counter()
            flow.check_in(laptop_a, batch_id, "desk1")
            committed[batch_id] = time.perf_counter()
            batch, at = out.get(timeout=10)  # one at a time: the next write waits until B heard this one
            heard[batch] = at
        listener.join(10)
        write_ms = [1000 * (heard[b] - started[b]) for b in ids]
        feed_ms = [1000 * (heard[b] - committed[b]) for b in ids]
        print(f"change feed on PostgreSQL, {len(ids)} check-ins on laptop A heard by laptop B (another process):")
        print(
            f"  write→heard   p50 {statistics.median(write_ms):6.1f} ms   p95 {_pct(write_ms, 0.95):6.1f} ms"
            f"   max {max(write_ms):6.1f} ms   (target p95 ≤ 200 ms)"
        )
        print(
            f"  commit→heard  p50 {statistics.median(feed_ms):6.1f} ms   p95 {_pct(feed_ms, 0.95):6.1f} ms"
            f"   max {max(feed_ms):6.1f} ms"
        )
        laptop_a.dispose()
        laptop_b.dispose()


if __name__ == "__main__":
    main()
