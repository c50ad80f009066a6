"""数据保留: people whose cases closed more than N years ago are pseudonymised (某某, no ID, no phone) in one
transaction, the case facts and the figures stay the same, every run is audited, the SQLite file no longer holds
their names, and a person with an open case is kept. Also the policy and the `retention` command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from reception_desk.cli.main import main
from reception_desk.db.engine import Database, sqlite_path
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.db.models import (
    AppUser,
    AuditEntry,
    Batch,
    BatchMember,
    Case,
    CaseEvent,
    Department,
    ReceptionDay,
    Room,
    Visitor,
)
from reception_desk.domain.roles import Role
from reception_desk.errors import InvalidInputError, PermissionDeniedError
from reception_desk.services import demo, retention, users
from reception_desk.services.metrics import metrics

DAY = dt.date(2026, 12, 4)
FAR = dt.date(2040, 1, 1)  # every closed case of the demo closed long before FAR minus 5 years


@pytest.fixture(autouse=True)
def _no_login_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("RECEPTION_DESK_USER", "RECEPTION_DESK_PASSWORD", "RECEPTION_DESK_NEW_PASSWORD"):
        monkeypatch.delenv(var, raising=False)


def _figures(db: Database) -> list[dict[str, Any]]:
    """The 统计 page's figures: all time as of FAR and as of the demo day, and each breakdown."""
    out = [metrics(db, FAR).to_json(), metrics(db, DAY).to_json()]
    out += [metrics(db, FAR, by=by).to_json() for by in ("department", "theme", "room")]
    return out


def _people(db: Database) -> dict[int, tuple[Any, ...]]:
    with db.read() as session:
        return {
            v.id: (
                v.name,
                v.name_initials,
                v.id_number,
                v.id_hash,
                v.id_last4,
                v.phone,
                v.phone_hash,
                v.phone_last4,
                v.township,
                v.village,
            )
            for v in session.scalars(select(Visitor))
        }


def _case_facts(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as session:
        cases = [
            (c.case_no, c.request, c.outcome, c.lead_department_id, c.status, c.closed_at, c.resolved, c.satisfaction)
            for c in session.scalars(select(Case).order_by(Case.id))
        ]
        batches = [
            (b.reg_no, b.request, b.theme_id, b.township, b.village, b.status, b.headcount, b.lead_visitor_id)
            for b in session.scalars(select(Batch).order_by(Batch.id))
        ]
        return [*cases, *batches]


def _retention_entries(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == retention.ACTION).order_by(AuditEntry.id))
        )


def _reopen_one(db: Database, person: int) -> None:
    """Give the person an open case again (a case of his set back to 已反馈)."""
    with db.session() as session:
        batch_ids = set(session.scalars(select(BatchMember.batch_id).where(BatchMember.visitor_id == person)))
        batch_ids |= set(session.scalars(select(Batch.id).where(Batch.lead_visitor_id == person)))
        case_id = session.scalar(select(Case.id).where(Case.batch_id.in_(batch_ids)).limit(1))
        assert case_id is not None
        session.execute(update(Case).where(Case.id == case_id).values(status="replied", closed_at=None))


def test_apply_erases_the_expired_people_and_keeps_cases_and_figures(db: Database) -> None:
    demo.create_demo_day(db, seed=2006, date=DAY)
    due = retention.preview(db, FAR)
    assert due.people > 100 and due.batches > 50 and due.cases > 50 and due.cutoff == dt.date(2035, 1, 1)
    kept_person = due.erased_ids[0]
    _reopen_one(db, kept_person)  # an open case keeps the person (and his companions in that batch)

    before_people, before_facts, before_figures = _people(db), _case_facts(db), _figures(db)
    with db.read() as session:
        due_now = retention.expired_people(session, FAR)
    assert kept_person not in due_now and len(due_now) < due.people

    result = retention.apply(db, "admin", today=FAR)
    assert not result.dry_run and result.people == len(due_now) and set(result.erased_ids) == set(due_now)
    assert result.purged and result.policy_years == 5 and result.cutoff == dt.date(2035, 1, 1)

    after = _people(db)
    for person in due_now:
        name, initials, id_number, id_hash, id_last4, phone, phone_hash, phone_last4, township, village = after[person]
        assert (name, initials, id_number, id_hash, id_last4) == ("某某", "", None, None, "")
        assert (phone, phone_hash, phone_last4) == ("", "", "")
        assert (township, village) == before_people[person][8:]  # kept for the statistics
    untouched = set(before_people) - set(due_now)
    assert untouched and all(after[p] == before_people[p] for p in untouched)
    assert after[kept_person][0] != "某某" and after[kept_person][2] is not None

    assert _case_facts(db) == before_facts  # requests, outcomes, departments, dates: as they were
    assert _figures(db) == before_figures  # the statistics stay the same

    entry = _retention_entries(db)[-1]
    assert entry.actor == "admin" and entry.after is not None
    assert entry.after["dry_run"] is False and entry.after["erased_people"] == result.people
    assert entry.after["erased_batches"] == result.batches and entry.after["erased_cases"] == result.cases
    names = {before_people[p][0] for p in due_now}
    assert not any(name in json.dumps(entry.after, ensure_ascii=False) for name in names)

    # done once: nobody is due any more, and a second run changes nothing
    assert retention.preview(db, FAR).people == 0
    assert retention.apply(db, "admin", today=FAR).people == 0
    assert _people(db) == after


def test_dry_run_changes_nothing_but_is_logged(db: Database) -> None:
    demo.create_demo_day(db, seed=2006, date=DAY)
    before = _people(db)
    result = retention.apply(db, "admin", today=FAR, dry_run=True)
    assert result.dry_run and result.people > 100 and not result.purged
    assert _people(db) == before
    entries = _retention_entries(db)
    assert len(entries) == 1 and entries[0].after is not None
    assert entries[0].after["dry_run"] is True and entries[0].after["erased_people"] == result.people
    # the demo day's own people (cases open, waiting batches) are not due on the demo day itself
    assert retention.preview(db, DAY).people == 0


def test_keep_hashes_keeps_the_keyed_hashes(db: Database) -> None:
    demo.create_demo_day(db, seed=2006, date=DAY)
    retention.set_policy(db, "admin", 5, keep_hashes=True)
    before = _people(db)
    result = retention.apply(db, "admin", today=FAR)
    after = _people(db)
    with_id = [p for p in result.erased_ids if before[p][3]]
    assert with_id
    for person in with_id:
        assert after[person][0] == "某某" and after[person][2] is None and after[person][5] == ""
        assert after[person][3] == before[person][3] and after[person][6] == before[person][6]  # hashes kept


def test_policy_defaults_saves_audits_and_refuses(db: Database) -> None:
    assert retention.policy(db) == retention.RetentionPolicy(5, False)
    saved = retention.set_policy(db, "admin", 0, keep_hashes=False)
    assert not saved.enabled and retention.policy(db).years == 0
    with db.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == retention.POLICY_ACTION))
        assert entry is not None and entry.after == {"years": 0, "enabled": False}
    with pytest.raises(InvalidInputError):
        retention.set_policy(db, "admin", 101, keep_hashes=False)

    demo.create_demo_day(db, seed=2006, date=DAY)
    off = retention.apply(db, "admin", today=FAR)  # 0 years: everything kept for good
    assert off.people == 0 and off.cutoff is None

    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    users.add_user(db, "admin", "desk1", Role.DESK, "desk-pass")
    with pytest.raises(PermissionDeniedError):
        retention.set_policy(db, "desk1", 5, keep_hashes=False)
    with pytest.raises(PermissionDeniedError):
        retention.apply(db, "desk1", today=FAR, dry_run=True)
    assert retention.set_policy(db, "admin", 3, keep_hashes=True) == retention.RetentionPolicy(3, True)


def _other_text(db: Database) -> str:
    """Every name in the database that is not a visitor's own: hosts, leaders, users, contacts, case texts."""
    with db.read() as session:
        parts: list[str] = []
        parts += [r.host for r in session.scalars(select(Room))]
        parts += [f"{d.leaders} {d.title}" for d in session.scalars(select(ReceptionDay))]
        parts += [f"{u.name} {u.display_name}" for u in session.scalars(select(AppUser))]
        parts += [f"{d.name} {d.contact}" for d in session.scalars(select(Department))]
        parts += [f"{c.request} {c.instruction} {c.recorded_by} {c.signed_by}" for c in session.scalars(select(Case))]
        parts += [f"{e.text} {e.actor}" for e in session.scalars(select(CaseEvent))]
        parts += [b.request for b in session.scalars(select(Batch))]
        return "\n".join(parts)


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_sqlite_file_no_longer_holds_the_erased_names(sqlite_db: Database) -> None:
    demo.create_demo_day(sqlite_db, seed=2006, date=DAY)
    path = sqlite_path(sqlite_db.url)
    assert path is not None
    due = retention.preview(sqlite_db, FAR)
    people = _people(sqlite_db)
    erased = set(due.erased_ids)
    kept_names = {v[0] for p, v in people.items() if p not in erased}
    # names only erased people had (the demo reuses common names for hosts and for people who are kept; 郑国 is
    # inside 郑国强)
    other = _other_text(sqlite_db) + "\n" + "\n".join(kept_names)
    unique = {n for n in (people[p][0] for p in erased) if n not in other}
    assert len(unique) > 50
    with sqlite_db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = _file_bytes(path)
    assert all(name.encode() in raw for name in unique)  # before: in the file

    retention.apply(sqlite_db, "admin", today=FAR)
    raw = _file_bytes(path)
    left = sorted(name for name in unique if name.encode() in raw)
    assert left == []


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_policy_and_apply_json(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    demo.create_demo_day(db, seed=2006, date=DAY)
    before = _people(db)

    code, out, _ = _run(capsys, "--db", url, "retention", "policy", "--json")
    assert code == 0 and json.loads(out) == {"years": 5, "keep_hashes": False, "enabled": True}
    code, out, _ = _run(capsys, "--db", url, "retention", "apply", "--dry-run", "--json", "--today", FAR.isoformat())
    assert code == 0
    data = json.loads(out)
    assert {"dry_run", "people", "batches", "cases", "policy_years", "cutoff"} <= set(data)
    assert data["dry_run"] is True and data["people"] > 100 and data["policy_years"] == 5
    assert data["cutoff"] == "2035-01-01"
    assert _people(db) == before

    code, out, _ = _run(capsys, "--db", url, "retention", "policy", "--years", "4", "--keep-hashes", "yes", "--json")
    assert code == 0 and json.loads(out) == {"years": 4, "keep_hashes": True, "enabled": True}
    code, _, err = _run(capsys, "--db", url, "retention", "policy", "--years", "-1")
    assert code == 2 and err.strip()
    # the global --today works too
    code, out, _ = _run(capsys, "--db", url, "--today", FAR.isoformat(), "retention", "apply", "--json")
    data = json.loads(out)
    assert code == 0 and data["dry_run"] is False and data["people"] > 100 and data["cutoff"] == "2036-01-01"
    assert sum(1 for v in _people(db).values() if v[0] == "某某") >= data["people"]

    users.add_user(db, "setup", "admin", Role.ADMIN, "secret-1")
    users.add_user(db, "admin", "desk1", Role.DESK, "desk-pass")
    db.dispose()
    monkeypatch.setenv("RECEPTION_DESK_USER", "desk1")
    monkeypatch.setenv("RECEPTION_DESK_PASSWORD", "desk-pass")
    code, _, err = _run(capsys, "--db", url, "retention", "apply", "--dry-run", "--json")
    assert code == 3 and "desk1" in err
    monkeypatch.setenv("RECEPTION_DESK_USER", "admin")
    monkeypatch.setenv("RECEPTION_DESK_PASSWORD", "secret-1")
    code, out, _ = _run(capsys, "--db", url, "retention", "apply", "--dry-run", "--json", "--today", FAR.isoformat())
    assert code == 0 and json.loads(out)["people"] == 0
