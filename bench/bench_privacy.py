"""Benchmark: the cost of encrypting resident IDs and phones (issue #10), without and with, side by side in one run.

Usage: .venv/bin/python -m bench.bench_privacy [--people 100000] [--rows 10000] [--cases 30000] [--rounds 20]
                                              [--before 37d7983] [--pg postgresql+psycopg://postgres@127.0.0.1/test]

The same measurement runs twice, each in its own process on fresh databases: WITHOUT encryption on the code of
--before (the last commit before issue #10, checked out with `git worktree add` under the temp folder and put first
on PYTHONPATH) and WITH encryption on this checkout. Each measures, with the existing benches' workloads:
  import      a 10,000-row workbook (bench_import.make_workbook) into an empty day        target ≤ 5 s
  search      per keystroke over 100,000 people of one day (bench_search.generate): typing a name, an ID's last
              four, a phone's last four, a whole ID; and the first page of 60 rows the list then shows (the rows
              with their phones are what decrypts)                                       target p95 ≤ 30 ms
  repeats     the repeat check at check-in (`batch_repeats`) over ten years of history (bench_after_day.generate
              with --cases) and a whole day's check (`day_repeats`, what an import runs)  target p95 ≤ 20 ms
  login       `users.authenticate` (argon2 password check; with encryption also the unwrapping of the data key)
and prints a table: measurement, without, with, ratio (target: ratio < 1.20 and within the targets above).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "37d7983"  # the last commit before issue #10 (resident IDs and phones stored in clear)
RESULT = "BENCH_PRIVACY_RESULT "
PAGE = 60


# ---------------------------------------------------------------------------------------- one side (a child process)


def _encrypted() -> bool:
    import reception_desk

    return (Path(reception_desk.__file__).parent / "privacy").is_dir()


def _lookup_columns(row: dict[str, Any]) -> dict[str, Any]:
    """A visitor row as the encrypted schema stores it: the keyed hashes and last four beside the values.

    The benches' generators write clear `id_number`/`phone`; on the encrypted schema the column type encrypts them
    and this adds what the look-ups use (privacy.fields), as the import does.
    """
    from reception_desk.privacy import fields

    return {**row, **fields.id_columns(row["id_number"]), **fields.phone_columns(row["phone"])}


def _teach_generators() -> None:
    """With encryption, make bench_search's and bench_after_day's bulk inserts fill the look-up columns."""
    if not _encrypted():
        return
    from bench import bench_after_day, bench_search

    plain_insert = bench_search.insert_returning_ids  # type: ignore[attr-defined]

    def insert_returning_ids(conn: Any, target: Any, rows: list[dict[str, Any]]) -> list[int]:
        if target is bench_search.VISITOR:
            rows = [_lookup_columns(r) for r in rows]
        return plain_insert(conn, target, rows)

    bench_search.insert_returning_ids = insert_returning_ids  # type: ignore[attr-defined]

    class History(bench_after_day._History):
        def flush(self) -> None:
            self.rows["visitor"] = [_lookup_columns(r) for r in self.rows["visitor"]]
            super().flush()

    bench_after_day._History = History  # type: ignore[misc]


@contextmanager
def _database(pg_url: str | None) -> Iterator[Any]:
    """A fresh migrated database: an SQLite file, or a throw-away PostgreSQL schema."""
    from bench.databases import in_schema, pg_schema
    from reception_desk.db.engine import Database
    from reception_desk.db.migrate import upgrade_to_head

    if pg_url:
        with pg_schema(pg_url) as schema:
            db = in_schema(pg_url, schema)
            try:
                upgrade_to_head(db.engine)
                yield db
            finally:
                db.dispose()
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            upgrade_to_head(db.engine)
            yield db
        finally:
            db.dispose()


def _ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _p50_p95(values: list[float]) -> list[float]:
    ordered = sorted(values)
    return [statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]]


def _measure_import(pg_url: str | None, rows: int, out: dict[str, Any]) -> None:
    import datetime as dt

    from bench.bench_import import make_workbook
    from reception_desk.services import users
    from reception_desk.services.days import create_day
    from reception_desk.services.importing import import_registrations

    with tempfile.TemporaryDirectory() as tmp, _database(pg_url) as db:
        path = Path(tmp) / "预登记名单.xlsx"
        make_workbook(path, rows)
        day, _ = create_day(db, dt.date(2026, 12, 4))
        start = time.perf_counter()
        report = import_registrations(db, path, day.id)
        out["import_s"] = time.perf_counter() - start
        out["import_people"] = report.people
        print(f"  import: {report.imported} batches, {report.people} people in {out['import_s']:.2f} s", flush=True)
        users.add_user(db, "system", "admin", "admin", "bench-password-1")
        out["login_ms"] = _p50_p95([_ms(lambda: users.authenticate(db, "admin", "bench-password-1")) for _ in range(7)])


def _measure_search(pg_url: str | None, people: int, rounds: int, out: dict[str, Any]) -> None:
    import datetime as dt

    from sqlalchemy import select

    from bench.bench_search import generate, typed
    from reception_desk.db.models import Visitor
    from reception_desk.services.days import create_day
    from reception_desk.services.search import listed_batches, search

    with _database(pg_url) as db:
        day, _ = create_day(db, dt.date(2026, 12, 4))
        start = time.perf_counter()
        samples = generate(db, day.id, people)
        print(f"  search: generated {people:,} people in {time.perf_counter() - start:.0f} s", flush=True)
        rng = random.Random(1)
        with db.read() as session:
            whole = list(
                session.scalars(
                    select(Visitor.id_number)
                    .where(Visitor.id_valid.is_(True), Visitor.id % 211 == 0)
                    .order_by(Visitor.id)
                )
            )
        words = {
            "name": rng.sample(samples["names"], min(rounds, len(samples["names"]))),
            "ID last four": rng.sample(samples["tails"], min(rounds, len(samples["tails"]))),
            "phone last four": [p[-4:] for p in rng.sample(samples["phones"], min(rounds, len(samples["phones"])))],
            "whole ID": rng.sample([w for w in whole if w], min(rounds, len(whole))),
        }
        search(db, day.id, "王")  # warm the page cache once
        pages: list[float] = []
        out["search"] = {}
        for kind, typed_words in words.items():
            times: list[float] = []
            for word in typed_words:
                for text in typed(word):
                    start = time.perf_counter()
                    found = search(db, day.id, text)
                    times.append((time.perf_counter() - start) * 1000)
                    pages.append(_ms(partial(listed_batches, db, found.ids[:PAGE])))
            out["search"][kind] = _p50_p95(times)
            print(
                f"  search {kind:15} p50 {out['search'][kind][0]:6.2f}  p95 {out['search'][kind][1]:6.2f} ms",
                flush=True,
            )
        out["page_ms"] = _p50_p95(pages)


def _measure_repeats(pg_url: str | None, cases: int, samples: int, out: dict[str, Any]) -> None:
    from sqlalchemy import select

    from bench.bench_after_day import generate
    from reception_desk.db.models import Batch
    from reception_desk.services.repeats import batch_repeats, day_repeats

    with _database(pg_url) as db:
        start = time.perf_counter()
        _today, newest, counts = generate(db, cases, 0.08)
        print(
            f"  repeats: history of {counts['petition_case']:,} cases in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        with db.read() as session:
            batch_ids = list(session.scalars(select(Batch.id).where(Batch.day_id == newest)))
        picks = random.Random(1).choices(batch_ids, k=samples)
        batch_repeats(db, picks[0])
        out["repeat_batch_ms"] = _p50_p95([_ms(partial(batch_repeats, db, b)) for b in picks])
        found = day_repeats(db, newest)
        out["repeat_day_ms"] = _p50_p95([_ms(lambda: day_repeats(db, newest)) for _ in range(9)])
        out["repeat_found"] = len(found)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement on this process's code (whatever `reception_desk` resolves to); a dict of figures."""
    import reception_desk

    _teach_generators()
    out: dict[str, Any] = {"code": str(Path(reception_desk.__file__).parent.parent), "encrypted": _encrypted()}
    print(f"[{'with' if out['encrypted'] else 'without'} encryption] code from {out['code']}", flush=True)
    _measure_import(args.pg, args.rows, out)
    _measure_search(args.pg, args.people, args.rounds, out)
    _measure_repeats(args.pg, args.cases, args.samples, out)
    return out


# ---------------------------------------------------------------------------------------- both sides, the table


def before_tree(commit: str) -> Path:
    """A worktree of the commit before encryption (made once, reused by later runs)."""
    tree = Path(tempfile.gettempdir()) / f"reception-desk-{commit}"
    if not (tree / "reception_desk").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True)
    return tree


def run_side(tree: Path, args: argparse.Namespace, backend: str) -> dict[str, Any]:
    """Run `measure` in a child process whose `reception_desk` and `bench` come from `tree`."""
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "XDG_DATA_HOME": str(Path(home) / "data"),  # the laptop key file, the log: not the real data folder
            "RECEPTION_DESK_KEY_DIR": str(Path(home) / "keys"),
        }
        argv = [sys.executable, str(Path(__file__).resolve()), "--measure", "--people", str(args.people)]
        argv += ["--rows", str(args.rows), "--cases", str(args.cases), "--rounds", str(args.rounds)]
        argv += ["--samples", str(args.samples)] + (["--pg", args.pg] if backend == "PostgreSQL" else [])
        done = subprocess.run(argv, env=env, cwd=home, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT) :])
        else:
            print(line)
    if Path(result["code"]).resolve() != tree.resolve():
        raise SystemExit(f"the child ran the code in {result['code']}, not {tree}")
    return result


def best(results: list[Any]) -> Any:
    """The lowest of each figure over several runs of one side."""
    first = results[0]
    if isinstance(first, dict):
        return {k: best([r[k] for r in results]) for k in first}
    if isinstance(first, list):
        return [best([r[i] for r in results]) for i in range(len(first))]
    if isinstance(first, bool | str):
        return first
    return min(results)


def table(backend: str, without: dict[str, Any], with_: dict[str, Any]) -> None:
    """Print the side-by-side figures."""
    rows: list[tuple[str, float, float, str, float | None]] = [
        ("import of 10,000 rows (s)", without["import_s"], with_["import_s"], "≤ 5 s", 5.0)
    ]
    for kind in without["search"]:
        for i, which in enumerate(("p50", "p95")):
            target = 30.0 if which == "p95" else None
            rows.append(
                (f"search per keystroke, {kind}, {which} (ms)", without["search"][kind][i], with_["search"][kind][i],
                 "≤ 30 ms p95" if target else "", target)
            )  # fmt: skip
    rows += [
        (f"first page of {PAGE} rows, p50 (ms)", without["page_ms"][0], with_["page_ms"][0], "", None),
        (f"first page of {PAGE} rows, p95 (ms)", without["page_ms"][1], with_["page_ms"][1], "", None),
        ("repeat check at check-in, p50 (ms)", without["repeat_batch_ms"][0], with_["repeat_batch_ms"][0], "", None),
        (
            "repeat check at check-in, p95 (ms)",
            without["repeat_batch_ms"][1],
            with_["repeat_batch_ms"][1],
            "≤ 20 ms p95",
            20.0,
        ),
        ("repeat check of a whole day, median (ms)", without["repeat_day_ms"][0], with_["repeat_day_ms"][0], "", None),
        ("login (authenticate), median (ms)", without["login_ms"][0], with_["login_ms"][0], "", None),
    ]
    print(f"\n{backend}: without encryption ({BEFORE}) against with encryption (this checkout)")
    print(f"{'measurement':48} {'without':>9} {'with':>9} {'ratio':>6}  target")
    for name, before, after, target_text, target in rows:
        ratio = after / before if before else float("inf")
        verdict = "ok" if ratio < 1.20 else "SLOWER"
        if target is not None and after > target:
            verdict += ", MISSED target"
        print(f"{name:48} {before:9.2f} {after:9.2f} {ratio:6.2f}  {target_text:12} {verdict}")


def main() -> None:
    """Both sides, then the table (or, with --measure, one side)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=30_000, help="cases of the history the repeat check searches")
    parser.add_argument("--rounds", type=int, default=20, help="words typed per kind of search")
    parser.add_argument("--samples", type=int, default=200, help="repeat checks at check-in")
    parser.add_argument("--before", default=BEFORE, help="the commit without encryption")
    parser.add_argument("--pg", help="PostgreSQL URL: measure there too, in throw-away schemas")
    parser.add_argument("--pairs", type=int, default=1, help="runs of each side, alternating order; best kept")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        # the code comes from PYTHONPATH alone: the venv's editable install must not fill in a module the older
        # tree lacks (it would find reception_desk.privacy in this checkout)
        sys.meta_path[:] = [f for f in sys.meta_path if "Editable" not in getattr(f, "__name__", "")]
        print(RESULT + json.dumps(measure(args)), flush=True)
        return
    tree = before_tree(args.before)
    for backend in ("SQLite", "PostgreSQL") if args.pg else ("SQLite",):
        print(f"== {backend}", flush=True)
        runs: dict[Path, list[dict[str, Any]]] = {tree: [], ROOT: []}
        for n in range(args.pairs):  # A B, B A, ...: a busy machine weighs on both sides alike
            for side in (tree, ROOT) if n % 2 == 0 else (ROOT, tree):
                runs[side].append(run_side(side, args, backend))
        table(backend, best(runs[tree]), best(runs[ROOT]))


if __name__ == "__main__":
    main()
