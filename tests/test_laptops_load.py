"""The load test in small (bench/bench_laptops.py): four laptops in their own processes, 25 operations each, on
an SQLite file and on PostgreSQL; then the database is checked against what every laptop was told. Timings are
the bench's business, not the test's."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator

import pytest

from bench.bench_laptops import OK, STALE, Report, Target, run, verify
from tests.conftest import PG_URL, PgSchema, _require_postgres

CLIENTS, OPS, BATCHES = 4, 25, 60

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Report, Target]]:
    """A finished small run on each database (one run serves both tests)."""
    if request.param == "sqlite":
        target = Target(f"sqlite:///{tmp_path_factory.mktemp('laptops') / 'laptops.sqlite3'}")
        yield run(target, CLIENTS, OPS, BATCHES, seed=9), target
        return
    _require_postgres()
    schema = PgSchema()
    try:
        target = Target(PG_URL, schema.name)
        yield run(target, CLIENTS, OPS, BATCHES, seed=9), target
    finally:
        schema.drop()


def test_four_laptops_lose_and_double_nothing(loaded: tuple[Report, Target]) -> None:
    report, _ = loaded
    assert report.problems == []
    assert len(report.ops) == CLIENTS * OPS
    assert Counter(op.client for op in report.ops) == dict.fromkeys(range(CLIENTS), OPS)
    assert {op.actor for op in report.ops} == {"desk1", "host1", "chief", "admin"}
    ok = Counter(op.kind for op in report.ops if op.outcome == OK)
    # the mix really ran: people checked in and called, cases recorded, shared batches edited
    assert ok["check_in"] > 0 and ok["call"] > 0 and ok["record"] > 0 and ok["edit"] > 0
    assert all(op.outcome in (OK, STALE) for op in report.ops if op.kind == "edit")
    # role checks ran and let every role do its own work: nothing refused for a role
    assert not [op.message for op in report.ops if "PermissionDenied" in op.message]


def test_the_verification_sees_a_lost_update_and_a_missing_write(loaded: tuple[Report, Target]) -> None:
    report, target = loaded
    edits = [op for op in report.ops if op.kind == "edit" and op.outcome == OK]
    checked = next(op for op in report.ops if op.kind == "check_in" and op.outcome == OK and op.audit)
    # a second ok edit from the same version (the silent overwrite), and an ok check-in that left nothing
    doubled = dataclasses.replace(edits[0], value="从未写入的诉求", end=edits[0].end + 1000)
    ghost = dataclasses.replace(checked, audit=[("check_in", "batch", 999_999)], batch_id=None)
    db = target.database()
    try:
        problems = verify(db, report.setup, report.names, OPS, [*report.ops, doubled, ghost])
    finally:
        db.dispose()
    assert any(p.startswith(f"lost update on batch #{edits[0].batch_id}") for p in problems)
    assert any("999999" in p and "missing" in p for p in problems)
    assert any(
        f"client {checked.client} reported {OPS + 1 + (edits[0].client == checked.client)} of" in p for p in problems
    )
