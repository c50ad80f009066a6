"""Search the day's batches as the desk types: names, pinyin initials, phones, ID endings, registration numbers.

A batch matches when ANY of its people (the lead or a companion) matches. Several words separated by spaces
must all match (each may match a different person of the batch). The result is batch ids in registration
number order (X before Y, then by number: Y9999 before Y10000).

Speed (see docs and bench/bench_search.py): on SQLite, names use the full-text table `visitor_name_fts`
(db/name_search.py), pinyin initials a prefix range on their index. Resident IDs and phones are stored encrypted
(privacy): an ID ending or a phone's last four digits match their indexed last-four columns, a whole ID or phone
its keyed hash; nothing is decrypted to search, so other phone fragments are not searchable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    TableClause,
    cast,
    column,
    false,
    func,
    inspect,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy import table as table_clause

from reception_desk.db.engine import Database
from reception_desk.db.models import Batch, BatchMember, Theme, Visitor, table
from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import COLLECTIVE_MIN_PEOPLE, Flag
from reception_desk.privacy import fields
from reception_desk.services.registrations import RegistrationRow, row_select, to_row

IN_CHUNK = 500  # ids per IN list when fetching rows

BATCH = table(Batch)
MEMBER = table(BatchMember)
VISITOR = table(Visitor)
THEME = table(Theme)
REG = BATCH.alias("reg")
# the name full-text table (db/name_search.py, SQLite only)
NAME_FTS = table_clause("visitor_name_fts", column("rowid"))
# registration number order, in the expressions of the index ix_batch_day_order (literal numbers, as indexed)
REG_ORDER = (
    func.substr(BATCH.c.reg_no, literal_column("1"), literal_column("1")),
    func.length(BATCH.c.reg_no),
    BATCH.c.reg_no,
)

_REG_NO = re.compile(r"^([XY])(\d{1,6})$")
_SHORT_NUMBER = re.compile(r"^\d{1,2}$")
_ID_TAIL = re.compile(r"^\d{3}[\dX]$")
_ID_FULL = re.compile(r"^\d{17}[\dX]$")
_DIGITS = re.compile(r"^\d+$")
_LETTERS = re.compile(r"^[A-Za-z]+$")


class TermKind(Enum):
    """What a typed word is looked up as."""

    NAME = "name"  # substring of a person's name
    INITIALS = "initials"  # prefix of the pinyin initials (wxd → 王学德)
    PHONE = "phone"  # substring of the phone digits
    ID_TAIL = "id_tail"  # the last four characters of the resident ID
    ID_FULL = "id_full"  # a whole resident ID
    REG_NO = "reg_no"  # a registration number (Y0012, y12, X0003; a bare 12 means Y0012 or X0012)


@dataclass(frozen=True)
class Term:
    """One typed word and the ways it is looked up; a batch matches the word when any way matches."""

    text: str
    kinds: tuple[TermKind, ...]


@dataclass(frozen=True)
class SearchFilters:
    """The filter combos: theme code, township, status, and flags that must all be present."""

    theme_code: str | None = None
    township: str | None = None
    status: str | None = None
    flags: frozenset[str] = field(default_factory=frozenset)

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return not (self.theme_code or self.township or self.status or self.flags)


@dataclass(frozen=True)
class SearchResult:
    """The matching batch ids in registration number order, and how many people they bring."""

    ids: list[int]
    people: int


def parse_query(query: str) -> list[Term]:
    """The words of a query with their lookup kinds. Full-width digits and letters are folded first."""
    terms = []
    for word in unicodedata.normalize("NFKC", query).split():
        upper = word.upper()
        if _REG_NO.match(upper):
            terms.append(Term(_reg_no(upper), (TermKind.REG_NO,)))
        elif _SHORT_NUMBER.match(word):
            terms.append(Term(word, (TermKind.REG_NO,)))
        elif _ID_TAIL.match(upper):
            kinds = (TermKind.ID_TAIL, TermKind.PHONE) if word.isdigit() else (TermKind.ID_TAIL,)
            terms.append(Term(upper, kinds))
        elif _ID_FULL.match(upper):
            terms.append(Term(upper, (TermKind.ID_FULL,)))
        elif _DIGITS.match(word):
            terms.append(Term(word, (TermKind.PHONE,)))
        elif _LETTERS.match(word):
            terms.append(Term(word.lower(), (TermKind.INITIALS,)))
        else:
            terms.append(Term(word, (TermKind.NAME,)))
    return terms


def _reg_no(text: str) -> str:
    """Y12 → Y0012; Y12345 stays as it is."""
    m = _REG_NO.match(text)
    assert m is not None
    return f"{m[1]}{int(m[2]):04d}"


def search_batches(db: Database, day_id: int, query: str, filters: SearchFilters | None = None) -> list[int]:
    """Batch ids of the day matching the query and filters, in registration number order."""
    return search(db, day_id, query, filters).ids


def search(db: Database, day_id: int, query: str, filters: SearchFilters | None = None) -> SearchResult:
    """Like search_batches, with the number of people of the matching batches."""
    filters = filters or SearchFilters()
    terms = parse_query(query)
    with db.read() as session:
        conn = session.connection()
        sqlite = conn.dialect.name == "sqlite"
        fts = _has_fts(conn)
        # With typed words the candidates come from id subqueries (people who match, numbers that match): "+ 0"
        # keeps SQLite (no statistics) from walking the whole day's index instead of looking them up by id.
        day = (BATCH.c.day_id + 0 if terms and sqlite else BATCH.c.day_id) == day_id
        stmt = select(BATCH.c.id, BATCH.c.headcount).where(day).order_by(*REG_ORDER)
        for condition in _filter_conditions(conn, filters):
            stmt = stmt.where(condition)
        for term in terms:
            stmt = stmt.where(_term_condition(term, day_id, sqlite, fts))
        rows = _fetch_all(conn, stmt)
    return SearchResult([r[0] for r in rows], sum(r[1] for r in rows))


def _fetch_all(conn: Connection, stmt: Select[Any]) -> list[Any]:
    """The rows of a statement of plain integer columns, straight from the driver's cursor.

    Skips SQLAlchemy's row objects, which cost more than the query itself for a whole day (43,000 batches:
    about 15 ms instead of 30 on the bench machine).
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    args: Any = tuple(params[k] for k in compiled.positiontup or ()) if compiled.positional else params
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _filter_conditions(conn: Connection, filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.theme_code:
        theme_id = conn.scalar(select(THEME.c.id).where(THEME.c.code == filters.theme_code))
        conditions.append(BATCH.c.theme_id == (theme_id if theme_id is not None else -1))
    if filters.township:
        conditions.append(BATCH.c.township == filters.township)
    if filters.status:
        conditions.append(BATCH.c.status == filters.status)
    for flag in sorted(filters.flags):
        if flag == Flag.COLLECTIVE.value:
            conditions.append(BATCH.c.headcount >= COLLECTIVE_MIN_PEOPLE)
        else:
            # flags is a JSON list of plain words, stored as text on both databases: '["duplicate", ...]'
            conditions.append(cast(BATCH.c.flags, String).contains(f'"{flag}"', autoescape=True))
    return conditions


def _term_condition(term: Term, day_id: int, sqlite: bool, fts: bool) -> ColumnElement[bool]:
    """A batch-level condition: the batch's number matches, or one of its people matches."""
    either: list[ColumnElement[bool]] = []
    people: list[Select[Any]] = []
    for kind in term.kinds:
        if kind is TermKind.REG_NO:
            numbers = [f"Y{int(term.text):04d}", f"X{int(term.text):04d}"] if term.text.isdigit() else [term.text]
            # through the unique index (day_id, reg_no)
            by_number = select(REG.c.id).where(REG.c.day_id == day_id, REG.c.reg_no.in_(numbers))
            either.append(BATCH.c.id.in_(by_number.scalar_subquery()))
        else:
            people.append(_people(kind, term.text, sqlite, fts))
    if people:
        visitors = people[0] if len(people) == 1 else union(*people)
        members = select(MEMBER.c.batch_id).where(MEMBER.c.visitor_id.in_(visitors.scalar_subquery()))
        either.append(BATCH.c.id.in_(members.scalar_subquery()))
    return either[0] if len(either) == 1 else or_(*either)


def _people(kind: TermKind, text: str, sqlite: bool, fts: bool) -> Select[Any]:
    """Ids of the visitors matching one word of one kind."""
    v = VISITOR.c
    if kind is TermKind.INITIALS:
        upper = text[:-1] + chr(ord(text[-1]) + 1)
        return select(v.id).where(v.name_initials >= text, v.name_initials < upper)
    if kind is TermKind.ID_TAIL:
        # IDs are stored encrypted (privacy): their last four characters are kept beside them, indexed
        return select(v.id).where(v.id_last4 == text.upper())
    if kind is TermKind.ID_FULL:
        return select(v.id).where(v.id_hash == fields.id_hash(resident_id.normalize(text)))
    if kind is TermKind.PHONE:
        # phones are stored encrypted: found by their last four digits or, whole, by keyed hash
        if len(text) == 4:
            return select(v.id).where(v.phone_last4 == text)
        parsed = phones.normalize(text) if len(text) >= 7 else None
        if parsed is not None:
            return select(v.id).where(v.phone_hash == fields.phone_hash(parsed.digits))
        return select(v.id).where(false())
    if fts:
        return select(NAME_FTS.c.rowid).where(_match(NAME_FTS, _phrase(" ".join(text))))
    return select(v.id).where((func.instr(v.name, text) if sqlite else func.strpos(v.name, text)) > 0)


def _phrase(text: str) -> str:
    """An FTS5 phrase: the text in double quotes (quotes inside doubled), so nothing in it is an operator."""
    return '"' + text.replace('"', '""') + '"'


def _match(fts: TableClause, phrase: str) -> ColumnElement[bool]:
    return literal_column(fts.name).op("MATCH")(phrase)


_FTS_KNOWN: dict[str, bool] = {}


def _has_fts(conn: Connection) -> bool:
    """Whether this database has the full-text tables (SQLite with FTS5; looked up once per database URL)."""
    if conn.dialect.name != "sqlite":
        return False
    key = str(conn.engine.url)
    if key not in _FTS_KNOWN:
        found = inspect(conn).get_table_names()
        _FTS_KNOWN[key] = NAME_FTS.name in found
    return _FTS_KNOWN[key]


# --- rows for the visible part of the list -------------------------------------------------------------


def registration_rows(db: Database, ids: Sequence[int]) -> list[RegistrationRow]:
    """The list rows of these batches, in the order of `ids` (ids that no longer exist are left out)."""
    found: dict[int, RegistrationRow] = {}
    with db.read() as session:
        for start in range(0, len(ids), IN_CHUNK):
            part = list(ids[start : start + IN_CHUNK])
            for row in session.execute(row_select().where(Batch.id.in_(part))):
                found[row[0].id] = to_row(*row)
    return [found[i] for i in ids if i in found]


@dataclass(frozen=True)
class ListedBatch:
    """A row of the list as the table shows it: the batch with its lead, and its companions' names."""

    row: RegistrationRow
    companions: tuple[str, ...] = ()
    companion_initials: tuple[str, ...] = ()  # pinyin initials of the companions, in the same order


def listed_batches(db: Database, ids: Sequence[int]) -> list[ListedBatch]:
    """The rows for the visible part of the list, in the order of `ids`."""
    people = _companions(db, ids)
    out = []
    for row in registration_rows(db, ids):
        companions = people.get(row.batch_id, [])
        out.append(ListedBatch(row, tuple(n for n, _ in companions), tuple(i for _, i in companions)))
    return out


def companion_names(db: Database, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The companions' names of these batches (the lead left out), in their order in the batch."""
    return {batch_id: tuple(n for n, _ in people) for batch_id, people in _companions(db, ids).items()}


def _companions(db: Database, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    people: dict[int, list[tuple[str, str]]] = {}
    with db.read() as session:
        for start in range(0, len(ids), IN_CHUNK):
            part = list(ids[start : start + IN_CHUNK])
            rows = session.execute(
                select(BatchMember.batch_id, Visitor.name, Visitor.name_initials)
                .join(Visitor, Visitor.id == BatchMember.visitor_id)
                .where(BatchMember.batch_id.in_(part), BatchMember.is_lead.is_(False))
                .order_by(BatchMember.batch_id, BatchMember.position)
            )
            for batch_id, name, letters in rows:
                people.setdefault(batch_id, []).append((name, letters or ""))
    return people


def townships_of_day(db: Database, day_id: int) -> list[str]:
    """The townships the day's batches name, for the filter combo."""
    with db.read() as session:
        rows = session.scalars(select(Batch.township).where(Batch.day_id == day_id, Batch.township != "").distinct())
        return sorted(rows)
