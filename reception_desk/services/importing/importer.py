"""Import pre-registrations from a file: every accepted row in one transaction, with set-based look-ups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.models import AuditEntry, Batch, BatchMember, ReceptionDay, Theme, Visitor, table, utcnow
from reception_desk.domain import phone as phones
from reception_desk.domain.batches import BatchStatus, Flag, Source
from reception_desk.domain.case_numbers import format_registration_number
from reception_desk.domain.names import initials
from reception_desk.domain.roles import Permission
from reception_desk.domain.themes import THEMES
from reception_desk.privacy import fields
from reception_desk.services import audit, authz, numbering
from reception_desk.services.changes import ChangeSet
from reception_desk.services.errors import NotFoundError, ServiceError
from reception_desk.services.importing.reader import SheetData, read_sheet
from reception_desk.services.importing.report import IMPORTED_REASON, ImportReport, Outcome, RowVerdict
from reception_desk.services.importing.verdicts import DuplicateIndex, PlannedBatch, check_row
from reception_desk.services.reference import ensure_themes
from reception_desk.services.repeats import day_repeats_in, flag_repeats_in

Progress = Callable[[int, int], None]

CHUNK = 500  # rows per IN list and per insert batch (keeps every statement far below parameter limits)
SOURCE_MAX = 300  # Batch.import_source

VISITOR = table(Visitor)
BATCH = table(Batch)
MEMBER = table(BatchMember)
AUDIT = table(AuditEntry)

T = TypeVar("T")

# A visitor the import will create: by resident ID, by (name, phone), or a person of its own (by row).
VisitorKey = tuple[Any, ...]


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _ExistingVisitor:
    id: int
    name: str
    phone: str
    township: str
    village: str


@dataclass
class _Plan:
    """The verdicts, the batches to create, and the visitors already in the database that they reuse."""

    report: ImportReport
    accepted: list[PlannedBatch] = field(default_factory=list)
    by_id: dict[str, _ExistingVisitor] = field(default_factory=dict)
    by_name_phone: dict[tuple[str, str], _ExistingVisitor] = field(default_factory=dict)


def preview_import(db: Database, path: str | Path, day_id: int) -> ImportReport:
    """What importing the file would do, row by row; writes nothing."""
    sheet = read_sheet(path)
    checked = [check_row(row) for row in sheet.rows]
    with db.read() as session:
        _require_day(session, day_id)
        return _plan(session, day_id, sheet, checked).report


def import_registrations(
    db: Database,
    path: str | Path,
    day_id: int,
    actor: str = audit.SYSTEM,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the pre-registrations of a file into a day: all accepted rows in one transaction, or none.

    `progress(done, total)` is called inside the transaction after each chunk of batches is written;
    an exception raised from it cancels the import and nothing is written.
    """
    # parse and judge the rows before the transaction: the write lock is held only for look-ups and writes
    sheet = read_sheet(path)
    checked = [check_row(row) for row in sheet.rows]
    try:
        with db.session() as session:
            authz.require(session, actor, Permission.REGISTER)
            _require_day(session, day_id)
            # one import of a day at a time, and its Y numbers in one run: only the day's Y counter is held
            # (check-ins, walk-ins, calls and cases go on; a typed pre-registration waits for the import)
            numbering.lock_registration_numbers(session, day_id)
            plan = _plan(session, day_id, sheet, checked)
            plan.report.changes = _write(session, day_id, sheet, plan, actor or audit.SYSTEM, progress)
            _report_repeats(session, day_id, plan.report)
            return plan.report
    except IntegrityError as exc:
        # another desk registered the same person between our look-ups and our writes
        raise ServiceError("导入期间名单被同时修改，本次导入未执行（没有写入任何数据），请重新导入。") from exc


def _report_repeats(session: Session, day_id: int, report: ImportReport) -> None:
    """Flag the imported batches whose people have cases on earlier days, and name them in the report by row."""
    flagged = flag_repeats_in(session, day_id, report.changes.batches)
    if not flagged:
        return
    earlier = day_repeats_in(session, day_id, (min(flagged), max(flagged)))
    for batch_id, source in session.execute(select(Batch.id, Batch.import_source).where(Batch.id.in_(flagged))):
        row = int(source.rsplit(":", 1)[1]) if source and source.rsplit(":", 1)[-1].isdigit() else 0
        cases = "；".join(c.summary() for c in earlier.get(batch_id, [])[:3])
        report.repeats.append(RowVerdict(row, f"重复访：{cases}"))
    report.repeats.sort(key=lambda v: v.row)


def _require_day(session: Session, day_id: int) -> None:
    if session.scalar(select(ReceptionDay.id).where(ReceptionDay.id == day_id)) is None:
        raise NotFoundError(f"接访日 #{day_id} 不存在。")


# --- planning: verdicts and look-ups ---------------------------------------------------------------------


def _plan(session: Session, day_id: int, sheet: SheetData, checked: list[PlannedBatch | RowVerdict]) -> _Plan:
    """Duplicates against the day and within the file, the visitors to reuse, and the report."""
    report = ImportReport(
        file_name=sheet.file_name, sheet=sheet.sheet, skipped=sheet.skipped, notices=list(sheet.notices)
    )
    plan = _Plan(report)
    planned = [c for c in checked if isinstance(c, PlannedBatch)]
    index = DuplicateIndex.of_registered(
        _registered_ids(session, day_id, {p.id_number for p in planned if p.id_number}),
        _registered_matters(
            session, day_id, {p.name for p in planned if not p.id_number}, {p.phone for p in planned if p.phone}
        ),
    )
    duplicate_of: dict[int, str] = {}
    for p in planned:
        reason = index.check(p)
        if reason is None:
            index.add(p)
            plan.accepted.append(p)
        else:
            duplicate_of[p.row] = reason
    _find_visitors(session, plan)
    for c in checked:
        if isinstance(c, RowVerdict):
            report.add(Outcome.REJECTED, c.row, c.reason)
        elif c.row in duplicate_of:
            report.add(Outcome.DUPLICATE, c.row, duplicate_of[c.row], c.name)
        else:
            if c.warnings:
                report.add(Outcome.WARNING, c.row, "；".join(c.warnings), c.name)
            else:
                report.add(Outcome.IMPORTED, c.row, IMPORTED_REASON, c.name)
            report.imported += 1
            report.people += c.headcount
    return plan


def _in_chunks(values: Iterable[str]) -> Iterator[list[str]]:
    for part in chunks(sorted(values)):
        yield list(part)


def _registered_ids(session: Session, day_id: int, ids: set[str]) -> set[str]:
    """Which of the IDs belong to a person (lead or companion) of a batch of the day."""
    found: set[str] = set()
    for part in _in_chunks(ids):
        # two index look-ups (the ID's person, then that person's batches), so the cost follows the file and not
        # the day: one join over the day's batches made a 10,000-row import into a full day 2.4× slower
        # IDs are stored encrypted: found by their keyed hash, nothing is decrypted
        by_hash = {fields.id_hash(number): number for number in part}
        people: dict[int, str] = {
            visitor_id: by_hash[digest]
            for visitor_id, digest in session.execute(
                select(Visitor.id, Visitor.id_hash).where(Visitor.id_hash.in_(list(by_hash)))
            ).tuples()
            if digest in by_hash
        }
        if not people:
            continue
        on_day = session.scalars(
            select(BatchMember.visitor_id)
            .join(Batch, Batch.id == BatchMember.batch_id)
            .where(BatchMember.visitor_id.in_(list(people)), Batch.day_id == day_id)
        )
        found.update(people[v] for v in on_day if v in people)
    return found


def _registered_matters(session: Session, day_id: int, names: set[str], phones: set[str]) -> set[tuple[str, str, str]]:
    """(lead name, phone, request) of the day's batches whose lead has one of these names.

    Phones are compared by keyed hash (stored encrypted, never decrypted here): a phone not among the file's reads
    as its hash, which matches no row of the file.
    """
    by_hash = {fields.phone_hash(phone): phone for phone in phones}
    found: set[tuple[str, str, str]] = set()
    for part in _in_chunks(names):
        rows = session.execute(
            select(Visitor.name, Visitor.phone_hash, Batch.request)
            .join(Batch, Batch.lead_visitor_id == Visitor.id)
            .where(Batch.day_id == day_id, Visitor.name.in_(part))
        )
        found.update(
            (name, by_hash.get(digest, f"#{digest}") if digest else "", request) for name, digest, request in rows
        )
    return found


def _find_visitors(session: Session, plan: _Plan) -> None:
    """The visitors the accepted rows reuse: by resident ID, else by name and phone (no ID on file)."""
    # found by keyed hash (IDs and phones are stored encrypted); only the people reused are decrypted
    columns = (Visitor.id, Visitor.name, Visitor.phone, Visitor.township, Visitor.village)
    ids = {p.id_number for p in plan.accepted if p.id_number}
    for part in _in_chunks(ids):
        by_hash = {fields.id_hash(number): number for number in part}
        query = select(Visitor.id_hash, *columns).where(Visitor.id_hash.in_(list(by_hash)))
        for digest, *found in session.execute(query):
            plan.by_id[by_hash[digest]] = _ExistingVisitor(*found)
    wanted = {(p.name, p.phone) for p in plan.accepted if not p.id_number and p.phone}
    phone_of = {fields.phone_hash(phone): phone for _, phone in wanted}
    names = {name for name, _ in wanted}
    for part in _in_chunks(names):
        query_np = (
            select(Visitor.phone_hash, *columns)
            .where(Visitor.name.in_(part), Visitor.id_hash.is_(None), Visitor.phone_hash.in_(list(phone_of)))
            .order_by(Visitor.id)
        )
        for digest, *found in session.execute(query_np):
            existing = _ExistingVisitor(*found)
            plan.by_name_phone.setdefault((existing.name, phone_of[digest]), existing)
    for p in plan.accepted:
        known = plan.by_id.get(p.id_number) if p.id_number else None
        if known is not None and known.name != p.name:
            p.warn(
                f"该身份证号在库中属于“{known.name}”，与表中姓名“{p.name}”不一致，请现场核对身份证原件",
                Flag.ID_TO_CHECK,
            )


# --- writing: bulk inserts, chunk by chunk ---------------------------------------------------------------


def _lead_ref(plan: _Plan, p: PlannedBatch) -> int | VisitorKey:
    """The existing visitor id of a row's lead, or the key of the visitor the import creates."""
    if p.id_number:
        known = plan.by_id.get(p.id_number)
        return known.id if known else ("id", p.id_number)
    if p.phone:
        known = plan.by_name_phone.get((p.name, p.phone))
        return known.id if known else ("name_phone", p.name, p.phone)
    return ("row", p.row)


def _write(
    session: Session,
    day_id: int,
    sheet: SheetData,
    plan: _Plan,
    actor: str,
    progress: Progress | None,
) -> ChangeSet:
    changes = ChangeSet()
    accepted = plan.accepted
    if not accepted:
        return changes
    conn = session.connection()
    theme_ids = _theme_ids(session)
    sequence = numbering.take_registration_numbers(session, day_id, walk_in=False, count=len(accepted))
    now = utcnow()
    source_prefix = sheet.file_name[: SOURCE_MAX - 8]
    created: dict[VisitorKey, int] = {}
    contact_updates: dict[int, dict[str, str]] = {}
    done = 0
    for part in chunks(accepted):
        # 1. the visitors this chunk needs that do not exist yet
        new_rows: list[dict[str, Any]] = []
        new_keys: list[VisitorKey] = []
        pending: set[VisitorKey] = set()
        leads: list[int | VisitorKey] = []
        for p in part:
            ref = _lead_ref(plan, p)
            leads.append(ref)
            if isinstance(ref, int):
                if _same_person(plan, p):
                    contact_updates[ref] = {"phone": p.phone, "township": p.township, "village": p.village}
            elif ref not in created and ref not in pending:
                pending.add(ref)
                new_keys.append(ref)
                new_rows.append(_visitor_row(p.name, p.id_number, p.id_valid, p.phone, p, now))
            for i, companion in enumerate(p.companions, start=1):
                new_keys.append(("companion", p.row, i))
                new_rows.append(_visitor_row(companion, None, False, "", p, now))
        if new_rows:
            created.update(zip(new_keys, insert_returning_ids(conn, VISITOR, new_rows), strict=True))
        lead_ids = [ref if isinstance(ref, int) else created[ref] for ref in leads]

        # 2. the batches, 3. their members, 4. one audit row each
        batch_rows = []
        for p, lead_id in zip(part, lead_ids, strict=True):
            batch_rows.append(
                {
                    "day_id": day_id,
                    "reg_no": format_registration_number(False, sequence),
                    "lead_visitor_id": lead_id,
                    "headcount": p.headcount,
                    "theme_id": theme_ids[p.theme_code],
                    "request": p.request,
                    "category_text": p.category_text,
                    "township": p.township,
                    "village": p.village,
                    "source": Source.PRE_REGISTERED.value,
                    "status": BatchStatus.REGISTERED.value,
                    "placed_by_hand": False,
                    "flags": sorted(p.flags),
                    "note": "",
                    "import_source": f"{source_prefix}:{p.row}",
                    "registered_at": now,
                    "version": 1,
                }
            )
            sequence += 1
        batch_ids = insert_returning_ids(conn, BATCH, batch_rows)
        member_rows: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        for p, lead_id, batch_id, row in zip(part, lead_ids, batch_ids, batch_rows, strict=True):
            member_rows.append({"batch_id": batch_id, "visitor_id": lead_id, "position": 0, "is_lead": True})
            changes.visitors.add(lead_id)
            for i in range(1, len(p.companions) + 1):
                companion_id = created[("companion", p.row, i)]
                member_rows.append({"batch_id": batch_id, "visitor_id": companion_id, "position": i, "is_lead": False})
                changes.visitors.add(companion_id)
            audit_rows.append(
                {
                    "at": now,
                    "actor": actor,
                    "action": "import",
                    "entity": "batch",
                    "entity_id": batch_id,
                    "after": {
                        "reg_no": row["reg_no"],
                        "headcount": row["headcount"],
                        "theme": p.theme_code,
                        "flags": row["flags"],
                        "import_source": row["import_source"],
                    },
                    "reason": "",
                }
            )
        conn.execute(insert(MEMBER), member_rows)
        conn.execute(insert(AUDIT), audit_rows)
        changes.batches.update(batch_ids)
        done += len(part)
        if progress is not None:
            progress(done, len(accepted))
    _update_contacts(session, plan, contact_updates, actor, now)
    return changes


def insert_returning_ids(conn: Connection, target: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many rows; their new ids in the order of `rows`.

    SQLite: one multi-row INSERT ... RETURNING per page (sort_by_parameter_order keeps the order).
    PostgreSQL: the ids are drawn from the table's sequence first and the rows inserted with an executemany,
    because psycopg spends more time parsing the huge multi-row statement than the server spends inserting.
    """
    if conn.dialect.name == "postgresql":
        ids = list(
            conn.execute(
                text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                {"table": target.name, "n": len(rows)},
            ).scalars()
        )
        conn.execute(insert(target), [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    return list(conn.execute(insert(target).returning(target.c.id, sort_by_parameter_order=True), rows).scalars())


def _same_person(plan: _Plan, p: PlannedBatch) -> bool:
    """False when the row's resident ID belongs to a visitor of another name (then nothing of theirs changes)."""
    known = plan.by_id.get(p.id_number) if p.id_number else None
    return known is None or known.name == p.name


def _visitor_row(
    name: str, id_number: str | None, id_valid: bool, phone: str, p: PlannedBatch, now: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "name_initials": initials(name),
        **fields.id_columns(id_number),
        "id_valid": id_valid,
        **fields.phone_columns(phone),
        "township": p.township,
        "village": p.village,
        "created_at": now,
    }


def _update_contacts(session: Session, plan: _Plan, latest: dict[int, dict[str, str]], actor: str, now: Any) -> None:
    """Reused visitors keep the newest phone, township and village (a blank cell changes nothing); audited."""
    known = {v.id: v for v in [*plan.by_id.values(), *plan.by_name_phone.values()]}
    rows = []
    audits: list[dict[str, Any]] = []
    for visitor_id, new in latest.items():
        old = known[visitor_id]
        merged = {
            "phone": new["phone"] or old.phone,
            "township": new["township"] or old.township,
            "village": new["village"] or old.village,
        }
        was = {"phone": old.phone, "township": old.township, "village": old.village}
        if merged != was:
            cols = fields.phone_columns(merged["phone"])
            rows.append(
                {
                    "v_id": visitor_id,
                    **{f"v_{k}": v for k, v in merged.items()},
                    "v_phone_hash": cols["phone_hash"],
                    "v_phone_last4": cols["phone_last4"],
                }
            )
            # the audit keeps masked phones (privacy: no full phone outside the encrypted column)
            before, after = audit.diff(
                {**was, "phone": phones.mask(was["phone"])}, {**merged, "phone": phones.mask(merged["phone"])}
            )
            audits.append(
                {
                    "at": now,
                    "actor": actor,
                    "action": "update_contact",
                    "entity": "visitor",
                    "entity_id": visitor_id,
                    "before": before,
                    "after": after,
                    "reason": plan.report.file_name[:200],
                }
            )
    if rows:
        stmt = (
            update(VISITOR)
            .where(VISITOR.c.id == bindparam("v_id"))
            .values(
                phone=bindparam("v_phone"),
                phone_hash=bindparam("v_phone_hash"),
                phone_last4=bindparam("v_phone_last4"),
                township=bindparam("v_township"),
                village=bindparam("v_village"),
                version=VISITOR.c.version + 1,  # a desk's edit of these people made on what it saw is now stale
            )
        )
        session.connection().execute(stmt, rows)
        for part in chunks(audits):
            audit.record_many(session, list(part))


def _theme_ids(session: Session) -> dict[str, int]:
    ids = {code: theme_id for code, theme_id in session.execute(select(Theme.code, Theme.id))}
    if any(t.code not in ids for t in THEMES):
        ids = ensure_themes(session)
    return ids
