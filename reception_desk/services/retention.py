"""数据保留 (retention): personal data of closed cases is kept N years after closing, then pseudonymised.

The policy lives in the database (app_setting rows, the same for every laptop): `retention_years` (default 5;
0 keeps everything for good) and `retention_keep_hashes` ("1": the keyed hashes of the ID and phone stay, so a
returning person is still recognised as a repeat visitor; "0", the default: they go too).

A person is expired when every batch he was in (as lead or companion) is expired: its case was closed
(办结) before the cut-off day (today minus N years, in the office's time zone), or — a batch without a case (a
registration that never came to a room) — its reception day lies before the cut-off. An open case, or any batch
on a day after the cut-off without a case, keeps the person. Expired people are pseudonymised in one transaction:
name → 某某, pinyin initials, resident ID, phone and their last four digits removed (hashes only if the policy
keeps them); township and village stay for the statistics. The case facts (request, outcome, departments, dates)
and every figure stay as they were; the batches' desk notes (free text about the person) and unsaved case drafts
are cleared, and the audit log's copies of the people's names, phones and IDs are pseudonymised as well.

Every run, a dry run too, writes one audit entry `retention_apply` with the counts (no names). After a real run
the freed pages are purged (SQLite: secure_delete is on, then WAL checkpoint and VACUUM; PostgreSQL: VACUUM FULL
of the tables written), so the erased values are gone from the database files too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from reception_desk.db import app_settings
from reception_desk.db.engine import Database
from reception_desk.db.models import (
    AuditEntry,
    Batch,
    BatchMember,
    CaseDraft,
    ReceptionDay,
    Visitor,
    table,
)
from reception_desk.db.models import Case as PetitionCase
from reception_desk.domain import office_time
from reception_desk.domain.roles import Permission
from reception_desk.errors import InvalidInputError
from reception_desk.services import audit, authz
from reception_desk.services.changes import ChangeSet

log = logging.getLogger(__name__)

YEARS_KEY = "retention_years"
KEEP_HASHES_KEY = "retention_keep_hashes"
DEFAULT_YEARS = 5
MAX_YEARS = 100
PSEUDONYM = "某某"
ACTION = "retention_apply"
POLICY_ACTION = "retention_policy"
ENTITY = "retention"
CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
# audit before/after keys that carry a person's own data (services write name, phone, id_number of visitors)
PERSONAL_KEYS = {"name": PSEUDONYM, "name_initials": "", "phone": "", "id_number": None}
PURGED_TABLES = ("visitor", "batch", "case_draft", "audit_log")


@dataclass(frozen=True)
class RetentionPolicy:
    """How long personal data of closed cases is kept, and whether the keyed hashes outlive it."""

    years: int = DEFAULT_YEARS
    keep_hashes: bool = False

    @property
    def enabled(self) -> bool:
        """False when the policy keeps everything for good (years 0)."""
        return self.years > 0

    def to_json(self) -> dict[str, Any]:
        """`retention policy --json`."""
        return {"years": self.years, "keep_hashes": self.keep_hashes, "enabled": self.enabled}


@dataclass(frozen=True)
class RetentionResult:
    """What a run erased (or, for a dry run, would erase)."""

    people: int
    batches: int
    cases: int
    erased_ids: tuple[int, ...]
    dry_run: bool
    policy_years: int = DEFAULT_YEARS
    keep_hashes: bool = False
    cutoff: dt.date | None = None
    today: dt.date | None = None
    purged: bool = False  # the freed pages were purged from the database files (a real run that erased someone)
    changes: ChangeSet = field(default_factory=ChangeSet)

    def to_json(self) -> dict[str, Any]:
        """`retention apply --json` (no names, no ids of people)."""
        return {
            "dry_run": self.dry_run,
            "people": self.people,
            "batches": self.batches,
            "cases": self.cases,
            "policy_years": self.policy_years,
            "keep_hashes": self.keep_hashes,
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "today": self.today.isoformat() if self.today else None,
            "purged": self.purged,
        }


# ------------------------------------------------------------------------------------------------ the policy


def policy_in(session: Session) -> RetentionPolicy:
    """The database's retention policy (defaults where nothing was saved; an unreadable value is the default)."""
    years_text = app_settings.get(session.connection(), YEARS_KEY)
    try:
        years = int(years_text) if years_text is not None else DEFAULT_YEARS
    except ValueError:
        years = DEFAULT_YEARS
    years = min(max(years, 0), MAX_YEARS)
    return RetentionPolicy(years, (app_settings.get(session.connection(), KEEP_HASHES_KEY) or "0").strip() == "1")


def policy(db: Database) -> RetentionPolicy:
    """The database's retention policy."""
    with db.read() as session:
        return policy_in(session)


def set_policy(db: Database, actor: str, years: int, keep_hashes: bool) -> RetentionPolicy:
    """Save the policy (admin only, audited); InvalidInputError for years outside 0..MAX_YEARS."""
    if not 0 <= years <= MAX_YEARS:
        raise InvalidInputError(f"保留年限应为 0 到 {MAX_YEARS} 年（0 表示永久保留）。")
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        old = policy_in(session)
        new = RetentionPolicy(int(years), bool(keep_hashes))
        app_settings.put(session.connection(), YEARS_KEY, str(new.years))
        app_settings.put(session.connection(), KEEP_HASHES_KEY, "1" if new.keep_hashes else "0")
        if new != old:
            before, after = audit.diff(old.to_json(), new.to_json())
            audit.record(session, actor, POLICY_ACTION, ENTITY, None, before, after)
    return new


# ------------------------------------------------------------------------------------------------ who is expired


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """The first day whose closings are still kept: today N years back (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _links() -> Any:
    """(visitor, batch) for every person of every batch: the lead and the named companions."""
    return union_all(
        select(Batch.lead_visitor_id.label("visitor_id"), Batch.id.label("batch_id")),
        select(BatchMember.visitor_id.label("visitor_id"), BatchMember.batch_id.label("batch_id")),
    ).subquery("person_batch")


def _batch_expiry(cutoff: dt.date) -> Any:
    """(batch_id, expired 1/0) for every batch."""
    closed_before = office_time.to_utc(dt.datetime.combine(cutoff, dt.time()))
    expired = case(
        (
            and_(
                PetitionCase.id.is_not(None),
                PetitionCase.status == "closed",
                PetitionCase.closed_at.is_not(None),
                PetitionCase.closed_at < closed_before,
            ),
            1,
        ),
        (and_(PetitionCase.id.is_(None), ReceptionDay.date < cutoff), 1),
        else_=0,
    )
    return (
        select(Batch.id.label("batch_id"), expired.label("expired"))
        .join(ReceptionDay, ReceptionDay.id == Batch.day_id)
        .outerjoin(PetitionCase, PetitionCase.batch_id == Batch.id)
        .subquery("batch_expiry")
    )


def expired_people(session: Session, today: dt.date, years: int | None = None) -> list[int]:
    """Ids of the people due for pseudonymisation on `today` (none while the policy keeps everything).

    Every batch of the person must be expired (see the module's docstring); people already pseudonymised are
    not listed again.
    """
    years = policy_in(session).years if years is None else years
    if years <= 0:
        return []
    links, expiry = _links(), _batch_expiry(cutoff_date(today, years))
    stmt = (
        select(links.c.visitor_id)
        .join(expiry, expiry.c.batch_id == links.c.batch_id)
        .join(Visitor, Visitor.id == links.c.visitor_id)
        .where(
            or_(
                Visitor.name != PSEUDONYM,
                Visitor.id_last4 != "",
                Visitor.phone_last4 != "",
                Visitor.id_number.is_not(None),
                Visitor.phone.is_not(None),
            )
        )
        .group_by(links.c.visitor_id)
        .having(func.min(expiry.c.expired) == literal(1))
        .order_by(links.c.visitor_id)
    )
    return list(session.scalars(stmt))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _batches_of(session: Session, people: Sequence[int]) -> list[int]:
    found: set[int] = set()
    for chunk in _chunks(people):
        found.update(session.scalars(select(Batch.id).where(Batch.lead_visitor_id.in_(chunk))))
        found.update(session.scalars(select(BatchMember.batch_id).where(BatchMember.visitor_id.in_(chunk))))
    return sorted(found)


def _cases_of(session: Session, batches: Sequence[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(batches):
        found.extend(session.scalars(select(PetitionCase.id).where(PetitionCase.batch_id.in_(chunk))))
    return sorted(found)


# ------------------------------------------------------------------------------------------------ erasing


def _scrub(value: Any, names: Sequence[str]) -> Any:
    """A JSON value with the people's own fields pseudonymised and their names replaced in any text."""
    if isinstance(value, dict):
        return {k: (PERSONAL_KEYS[k] if k in PERSONAL_KEYS else _scrub(v, names)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, names) for v in value]
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, PSEUDONYM)
        return value
    return value


def _scrub_audit(session: Session, people: Sequence[int], batches: Sequence[int], names: Sequence[str]) -> int:
    """Pseudonymise the audit log's entries about these people and batches; returns how many were rewritten."""
    rewritten = 0
    for entity, ids in (("visitor", people), ("batch", batches)):
        for chunk in _chunks(ids):
            rows = session.scalars(
                select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id.in_(chunk))
            ).all()
            for entry in rows:
                before = _scrub(entry.before, names) if entry.before is not None else None
                after = _scrub(entry.after, names) if entry.after is not None else None
                reason = _scrub(entry.reason or "", names)
                if (before, after, reason) != (entry.before, entry.after, entry.reason):
                    entry.before, entry.after, entry.reason = before, after, reason
                    rewritten += 1
    return rewritten


def _erase(session: Session, people: Sequence[int], batches: Sequence[int], keep_hashes: bool) -> int:
    """Pseudonymise the people, clear their batches' notes and drafts; returns the audit entries rewritten."""
    names: set[str] = set()
    for chunk in _chunks(people):
        names.update(n for n in session.scalars(select(Visitor.name).where(Visitor.id.in_(chunk))) if n)
    # longest first, so 欧阳明 is replaced whole before a shorter name inside it; one character alone would
    # blank unrelated words
    ordered = sorted((n for n in names if len(n) >= 2 and n != PSEUDONYM), key=len, reverse=True)
    rewritten = _scrub_audit(session, people, batches, ordered)
    visitor = table(Visitor)
    values: dict[str, Any] = {
        "name": PSEUDONYM,
        "name_initials": "",
        "id_number": None,  # an empty encrypted value is stored as NULL: no data key needed
        "id_last4": "",
        "phone": None,
        "phone_last4": "",
        "version": visitor.c.version + 1,  # an edit opened before the erasure is refused
    }
    if not keep_hashes:
        values.update(id_hash=None, phone_hash="", id_valid=False)
    for chunk in _chunks(people):
        session.execute(update(visitor).where(visitor.c.id.in_(chunk)).values(**values))
    batch = table(Batch)
    for chunk in _chunks(batches):
        session.execute(update(batch).where(batch.c.id.in_(chunk), batch.c.note != "").values(note=""))
        session.execute(delete(CaseDraft).where(CaseDraft.batch_id.in_(chunk)))
    session.expire_all()
    if session.get_bind().dialect.name == "sqlite":
        _optimize_name_index(session)
    return rewritten


def _optimize_name_index(session: Session) -> None:
    """Merge the SQLite name index's segments, so the erased names' characters are dropped, not just marked."""
    from reception_desk.db.name_search import NAME_FTS

    conn = session.connection()
    exists = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (NAME_FTS,)).scalar()
    if exists:
        conn.exec_driver_sql(f"INSERT INTO {NAME_FTS}({NAME_FTS}) VALUES ('optimize')")


def purge(db: Database) -> bool:
    """Remove the freed pages from the database files; False when another connection kept it from finishing.

    SQLite: WAL checkpoint and VACUUM (with secure_delete on, nothing freed stays readable). PostgreSQL: VACUUM
    FULL of the tables a run writes (plain VACUUM would leave the old row versions' bytes in the pages).
    """
    try:
        if db.dialect == "sqlite":
            from reception_desk.db.migrate import purge_freed_pages

            purge_freed_pages(db.engine)
            return True
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in PURGED_TABLES:
                conn.exec_driver_sql(f"VACUUM FULL {name}")
        return True
    except Exception as exc:  # busy: the erasure is committed; the next run (or the next upgrade) purges
        log.warning("retention: freed pages not purged (%s)", type(exc).__name__)
        return False


def _run(session: Session, today: dt.date) -> tuple[RetentionPolicy, list[int], list[int], list[int]]:
    pol = policy_in(session)
    people = expired_people(session, today, pol.years)
    batches = _batches_of(session, people)
    return pol, people, batches, _cases_of(session, batches)


def preview(db: Database, today: dt.date | None = None) -> RetentionResult:
    """What a run would erase today, without running (and without an audit entry): the app's reminder."""
    today = today or office_time.today()
    with db.read() as session:
        pol, people, batches, cases = _run(session, today)
    return RetentionResult(
        len(people),
        len(batches),
        len(cases),
        tuple(people),
        True,
        pol.years,
        pol.keep_hashes,
        cutoff_date(today, pol.years) if pol.enabled else None,
        today,
    )


def apply(db: Database, actor: str, today: dt.date | None = None, dry_run: bool = False) -> RetentionResult:
    """Pseudonymise every expired person in one transaction (admin only); a dry run only counts. Both write one
    audit entry with the counts. After a real run that erased someone the freed pages are purged."""
    today = today or office_time.today()
    with db.session() as session:
        authz.require(session, actor, Permission.ADMIN)
        pol, people, batches, cases = _run(session, today)
        cut = cutoff_date(today, pol.years) if pol.enabled else None
        rewritten = 0
        if people and not dry_run:
            rewritten = _erase(session, people, batches, pol.keep_hashes)
        audit.record(
            session,
            actor,
            ACTION,
            ENTITY,
            None,
            after={
                "dry_run": dry_run,
                "erased_people": len(people),
                "erased_batches": len(batches),
                "erased_cases": len(cases),
                "audit_entries": rewritten,
                "policy_years": pol.years,
                "keep_hashes": pol.keep_hashes,
                "cutoff": cut.isoformat() if cut else None,
                "today": today.isoformat(),
            },
        )
    purged = purge(db) if people and not dry_run else False
    changes = ChangeSet() if dry_run else ChangeSet(batches=set(batches), visitors=set(people), cases=set(cases))
    return RetentionResult(
        len(people),
        len(batches),
        len(cases),
        tuple(people),
        dry_run,
        pol.years,
        pol.keep_hashes,
        cut,
        today,
        purged,
        changes,
    )
