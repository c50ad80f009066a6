"""Issue #10, acceptance: no resident ID or phone of the demo day in the SQLite file (and its WAL) or in a
PostgreSQL dump; a copied file opens nothing without a user's password; the look-ups that need the whole value
(search by the last four, import idempotence, repeat visits across days) still work on the encrypted columns; an
old database migrates in place leaving no clear number behind; a database that cannot be unlocked says so."""

from __future__ import annotations

import csv
import datetime as dt
import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Batch, BatchMember, Case, Visitor
from reception_desk.domain import phone as phones
from reception_desk.domain import resident_id
from reception_desk.domain.batches import Flag
from reception_desk.errors import AuthenticationError
from reception_desk.privacy import unlocked
from reception_desk.privacy.device_keys import KEY_DIR_VAR
from reception_desk.privacy.vault import DataLockedError
from reception_desk.services import users
from reception_desk.services.cases import CaseInput
from reception_desk.services.demo import create_demo_day
from reception_desk.services.demo_users import DEMO_PASSWORD, add_demo_users
from reception_desk.services.importing import import_registrations
from reception_desk.services.registrations import list_registrations
from reception_desk.services.repeats import batch_repeats, day_repeats, person_repeats
from reception_desk.services.search import listed_batches, search_batches
from tests.conftest import PgSchema
from tests.life_builders import at, id_number, new_day, record, visit

EXE = str(Path(sys.executable).with_name("reception-desk"))
LOGIN_VARS = ("RECEPTION_DESK_USER", "RECEPTION_DESK_PASSWORD", "RECEPTION_DESK_NEW_PASSWORD")


@dataclass(frozen=True)
class Person:
    """A person of the demo database as the service layer reads them (decrypted while unlocked)."""

    visitor_id: int
    name: str
    id_number: str
    phone: str


@dataclass
class Demo:
    """The demo day's database and what it holds."""

    db: Database
    path: Path | None
    day_id: int
    people: list[Person]

    def secrets(self) -> set[str]:
        """Every whole resident ID and phone number of the database."""
        found = {p.id_number for p in self.people if p.id_number} | {p.phone for p in self.people if p.phone}
        return found


def _people(db: Database) -> list[Person]:
    with db.read() as session:
        rows = session.execute(select(Visitor.id, Visitor.name, Visitor.id_number, Visitor.phone)).all()
    return [Person(vid, name, number or "", phone or "") for vid, name, number, phone in rows]


def _make_demo(db: Database, path: Path | None) -> Demo:
    upgrade_to_head(db.engine)
    info = create_demo_day(db)  # dated today: the CLI's nearest day
    add_demo_users(db)  # login on: the laptop's key file is retired, only the users' passwords open the key
    demo = Demo(db, path, info.id, _people(db))
    assert len(demo.people) > 500 and sum(1 for p in demo.people if p.id_number) > 400
    assert sum(1 for p in demo.people if p.phone) > 400
    return demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo day on an SQLite file (built once for the module: it takes several seconds)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    made = _make_demo(db, path)
    yield made
    db.dispose()


def _raw(path: Path) -> bytes:
    """The bytes of an SQLite database as they are on disk: the main file, its WAL and shared memory."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def _leaked(blob: bytes, secrets: set[str]) -> list[str]:
    return sorted(s for s in secrets if s.encode("ascii") in blob)


# ---------------------------------------------------------------------------------------- at rest


def test_the_sqlite_file_and_its_wal_hold_no_id_or_phone_of_the_demo_day(demo: Demo) -> None:
    assert demo.path is not None
    secrets = demo.secrets()
    # the demo wrote through the app and the engine is still open: part of it is in the WAL
    with demo.db.session() as session:  # one more write through the ORM, so the WAL is not empty
        person = session.get_one(Visitor, demo.people[0].visitor_id)
        person.phone = person.phone  # re-encrypted with a fresh nonce
    assert Path(f"{demo.path}-wal").exists()
    blob = _raw(demo.path)
    assert len(blob) > 500_000
    assert _leaked(blob, secrets) == []
    # the check would see them: the last four are stored in clear beside the ciphertext, and names are not secret
    assert demo.people[0].name.encode() in blob


def _pg_dump() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=lambda p: int(Path(p).parts[-3]))
    binary = found[-1] if found else shutil.which("pg_dump")
    if binary is None:
        pytest.skip("pg_dump is not installed")
    return binary


def test_a_postgresql_dump_holds_no_id_or_phone_of_the_demo_day(pg_schema: PgSchema) -> None:
    db = Database(engine=pg_schema.engine())
    try:
        made = _make_demo(db, None)
        dump = subprocess.run(
            [_pg_dump(), "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-n", pg_schema.name],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
        )
        assert dump.returncode == 0, dump.stderr
        assert "COPY" in dump.stdout and len(dump.stdout) > 200_000
        assert _leaked(dump.stdout.encode(), made.secrets()) == []
        assert made.people[0].name in dump.stdout
    finally:
        db.dispose()


# ---------------------------------------------------------------------------------------- a copied file


def _copy(demo: Demo, target: Path) -> Path:
    """Copy the database the way a file manager would: the file and its WAL as they are."""
    assert demo.path is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo.path, target)
    wal = Path(f"{demo.path}-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{target}-wal"))
    return target


def _stranger_env(home: Path, **login: str) -> dict[str, str]:
    """Another laptop: a fresh home and data folder, no key files, the given login (if any)."""
    env = {k: v for k, v in os.environ.items() if k not in LOGIN_VARS}
    for var, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "c")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    keys = home / "keys"
    keys.mkdir(exist_ok=True)
    env[KEY_DIR_VAR] = str(keys)
    env.update(login)
    return env


def _cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *argv], capture_output=True, text=True, env=env, timeout=120)


def test_a_copied_database_opens_nothing_without_a_password(demo: Demo, tmp_path: Path) -> None:
    copy = _copy(demo, tmp_path / "taxi" / "copy.sqlite3")
    url = f"sqlite:///{copy}"
    home = tmp_path / "stranger"
    secrets = demo.secrets()
    out = tmp_path / "out.csv"

    nobody = _cli(_stranger_env(home), "--db", url, "export", "registrations", str(out))
    assert nobody.returncode == 3
    assert nobody.stderr.strip() == "错误：本数据库需要登录：请用 --user NAME 或环境变量 RECEPTION_DESK_USER 指定用户。"
    assert not out.exists()
    listed = _cli(_stranger_env(home), "--db", url, "registrations", "--json")
    assert listed.returncode == 3 and listed.stdout == ""

    wrong = _cli(
        _stranger_env(home, RECEPTION_DESK_USER="desk1", RECEPTION_DESK_PASSWORD="guess"),
        "--db",
        url,
        "export",
        "registrations",
        str(out),
    )
    assert wrong.returncode == 3 and wrong.stderr.startswith("错误：用户名或密码不正确")
    assert not out.exists()
    for run in (nobody, listed, wrong):
        assert _leaked((run.stdout + run.stderr).encode(), secrets) == []
    assert not any((home / "keys").iterdir())  # no key was written for the stranger
    assert _leaked(_raw(copy), secrets) == []

    right = _cli(
        _stranger_env(home, RECEPTION_DESK_USER="desk1", RECEPTION_DESK_PASSWORD=DEMO_PASSWORD),
        "--db",
        url,
        "export",
        "registrations",
        str(out),
    )
    assert right.returncode == 0, right.stderr
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    id_col, phone_col = header.index("身份证号"), header.index("联系电话")
    leads = _leads(demo)
    assert len(body) == len(leads) > 100
    by_reg_no = {row[0]: row for row in body}
    for reg_no, person in leads.items():
        row = by_reg_no[reg_no]
        # the phone was decrypted with the key the password opened (whole, or masked if the export masks it)
        if person.phone:
            assert row[phone_col] in {person.phone, phones.mask(person.phone)}
        # the list shows the ID masked, never whole
        assert row[id_col] == resident_id.mask(person.id_number or None)
        assert person.id_number == "" or person.id_number not in row[id_col]
    assert _leaked((right.stdout + right.stderr).encode(), secrets) == []


def _leads(demo: Demo) -> dict[str, Person]:
    """The demo day's batches by registration number: their lead."""
    people = {p.visitor_id: p for p in demo.people}
    with demo.db.read() as session:
        rows = session.execute(select(Batch.reg_no, Batch.lead_visitor_id).where(Batch.day_id == demo.day_id)).all()
    return {reg_no: people[lead] for reg_no, lead in rows}


@pytest.fixture
def locked_copy(demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The demo file copied, opened on a laptop without key files, with no key held by this process."""
    monkeypatch.setenv(KEY_DIR_VAR, str(tmp_path / "no-keys"))
    copy = Database(f"sqlite:///{_copy(demo, tmp_path / 'copy.sqlite3')}")
    db_id = copy.database_id()
    assert db_id is not None and db_id == demo.db.database_id()  # the same database, copied
    held = unlocked.vault_for(db_id)
    unlocked.forget(db_id)
    try:
        yield copy
    finally:
        copy.dispose()
        if held is not None:
            unlocked.register(db_id, held)  # the module's demo database stays usable


def test_a_database_that_cannot_be_unlocked_says_so_and_opens_nothing(
    demo: Demo, locked_copy: Database, tmp_path: Path
) -> None:
    copy = locked_copy
    assert not copy.unlocked
    person = next(p for p in demo.people if p.id_number and p.phone)
    reading: dict[str, Callable[[], object]] = {
        "list": lambda: list_registrations(copy, demo.day_id),
        "rows": lambda: listed_batches(copy, search_batches(copy, demo.day_id, "")[:20]),
        "whole ID": lambda: search_batches(copy, demo.day_id, person.id_number),
        "whole phone": lambda: search_batches(copy, demo.day_id, person.phone),
        "repeats by ID": lambda: person_repeats(copy, dt.date.today(), id_number=person.id_number),
        "import": lambda: import_registrations(
            copy, _workbook(tmp_path / "locked.xlsx", ROWS), demo.day_id, actor="admin"
        ),
    }
    for what, call in reading.items():
        with pytest.raises(DataLockedError) as refused:
            call()
        assert "尚未解锁" in str(refused.value), what
    with copy.read() as session:
        assert session.scalar(select(func.count()).select_from(Visitor)) == len(demo.people)  # nothing imported
    # a wrong password opens nothing either; the right one opens everything
    with pytest.raises(AuthenticationError):
        users.authenticate(copy, "host1", "guess")
    assert not copy.unlocked
    users.authenticate(copy, "host1", DEMO_PASSWORD)
    assert copy.unlocked
    assert {p.visitor_id: p for p in _people(copy)} == {p.visitor_id: p for p in demo.people}


# ---------------------------------------------------------------------------------------- look-ups still work


def test_search_by_the_last_four_finds_the_person(demo: Demo) -> None:
    db, day_id = demo.db, demo.day_id
    with db.read() as session:
        members = session.execute(
            select(BatchMember.visitor_id, BatchMember.batch_id)
            .join(Batch, Batch.id == BatchMember.batch_id)
            .where(Batch.day_id == day_id)
        ).all()
    batch_of: dict[int, int] = {visitor: batch for visitor, batch in members}
    people = [p for p in demo.people if p.visitor_id in batch_of and p.id_number and len(p.phone) == 11]
    assert len(people) > 100
    for person in people[::7]:
        batch = batch_of[person.visitor_id]
        assert batch in search_batches(db, day_id, person.id_number[-4:]), person.id_number
        assert batch in search_batches(db, day_id, person.id_number[-4:].lower())
        assert batch in search_batches(db, day_id, person.phone[-4:]), person.phone
        assert search_batches(db, day_id, f"{person.name} {person.phone[-4:]}") == [batch]
        assert search_batches(db, day_id, person.id_number) == [batch]
        assert search_batches(db, day_id, person.phone) == [batch]
        row = next(r for r in listed_batches(db, [batch]))
        assert row.row.batch_id == batch
    # an ID's last four never match a different ID ending
    tails = {p.id_number[-4:] for p in people}
    absent = next(f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in tails)
    with db.read() as session:
        phone_tails = set(session.scalars(select(Visitor.phone_last4)))
    if absent not in phone_tails:
        assert search_batches(db, day_id, absent) == []


ROWS = [
    ("王学德", resident_id.make("330803", dt.date(1961, 3, 9), 17), "13805701234", "劳动社保", "拖欠工资三个月"),
    ("李秀英", resident_id.make("330822", dt.date(1974, 11, 2), 8), "13905709876", "拆迁", "征地补偿款未到位"),
    ("赵六", "", "13705705555", "交通", "村道破损"),
]


def _workbook(path: Path, rows: list[tuple[str, str, str, str, str]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "联系电话", "来访人数", "问题类别", "反映问题及诉求"])
    for name, number, tel, theme, request in rows:
        ws.append([name, number, tel, 1, theme, request])
    wb.save(path)
    return path


def test_import_twice_imports_nothing_the_second_time(db: Database, tmp_path: Path) -> None:
    day_id = new_day(db, dt.date(2026, 12, 4))
    path = _workbook(tmp_path / "名单.xlsx", ROWS)
    first = import_registrations(db, path, day_id)
    assert first.imported == 3 and first.people == 3
    again = import_registrations(db, path, day_id)
    assert again.imported == 0 and again.people == 0
    assert [v.row for v in again.duplicates] == [2, 3, 4]
    people = _people(db)
    assert sorted((p.name, p.id_number, p.phone) for p in people) == sorted((n, i, t) for n, i, t, _, _ in ROWS)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 3
    path_of = db.engine.url.database
    if db.dialect == "sqlite" and path_of:
        assert _leaked(_raw(Path(path_of)), {x for _, i, t, _, _ in ROWS for x in (i, t) if x}) == []


def test_repeat_visits_are_found_across_days(db: Database, tmp_path: Path) -> None:
    d1, d2 = dt.date(2026, 11, 2), dt.date(2026, 11, 16)
    day1, day2 = new_day(db, d1), new_day(db, d2)
    pid = id_number(31)
    with_id = record(db, visit(db, day1, "徐根土", id_no=pid), CaseInput(outcome="explained"), at(d1, 10))
    no_id = record(db, visit(db, day1, "毛秀英", phone="13600001111"), CaseInput(outcome="explained"), at(d1, 11))
    # the second day's list comes as a file: the ID in lower case, the phone with spaces
    rows = [
        ("徐根土", pid.lower(), "13800000000", "劳动社保", "又来反映工资"),
        ("毛秀英", "", "136 0000 1111", "劳动社保", "又来反映"),
        ("周水生", id_number(32), "13900000000", "劳动社保", "第一次来"),
    ]
    report = import_registrations(db, _workbook(tmp_path / "d2.xlsx", rows), day2)
    assert report.imported == 3
    with db.read() as session:
        batches = {
            name: (bid, flags)
            for bid, name, flags in session.execute(
                select(Batch.id, Visitor.name, Batch.flags)
                .join(Visitor, Visitor.id == Batch.lead_visitor_id)
                .where(Batch.day_id == day2)
            )
        }
    assert Flag.REPEAT.value in batches["徐根土"][1] and Flag.REPEAT.value in batches["毛秀英"][1]
    assert Flag.REPEAT.value not in batches["周水生"][1]
    found = day_repeats(db, day2)
    assert {b: [c.case_id for c in cs] for b, cs in found.items()} == {
        batches["徐根土"][0]: [with_id],
        batches["毛秀英"][0]: [no_id],
    }
    assert [c.case_id for c in batch_repeats(db, batches["徐根土"][0])] == [with_id]
    assert [c.case_id for c in person_repeats(db, d2, id_number=pid)] == [with_id]
    assert [c.case_id for c in person_repeats(db, d2, name="毛秀英", phone="13600001111")] == [no_id]
    # one visitor row per resident ID across days
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Visitor).where(Visitor.name == "徐根土")) == 1


def test_the_demo_days_repeat_visitors_are_the_same_people(demo: Demo) -> None:
    found = day_repeats(demo.db, demo.day_id)
    assert len(found) >= 3
    people = {p.visitor_id: p for p in demo.people}

    def members(session: Session, batch_id: int) -> set[Person]:
        return {
            people[v] for v in session.scalars(select(BatchMember.visitor_id).where(BatchMember.batch_id == batch_id))
        }

    with demo.db.read() as session:
        for batch_id, earlier in found.items():
            flags = session.scalar(select(Batch.flags).where(Batch.id == batch_id)) or []
            assert Flag.REPEAT.value in flags
            now = members(session, batch_id)
            for case in earlier:
                then = members(session, session.scalar(select(Case.batch_id).where(Case.id == case.case_id)) or 0)
                same_id = {p.id_number for p in now if p.id_number} & {p.id_number for p in then if p.id_number}
                same_phone = {(p.name, p.phone) for p in now if p.phone} & {(p.name, p.phone) for p in then if p.phone}
                assert same_id or same_phone, (batch_id, case.case_no)


# ---------------------------------------------------------------------------------------- migration


OLD_PEOPLE = [
    ("王学德", resident_id.make("330803", dt.date(1949, 12, 31), 2), "13805701234"),
    ("李秀英", resident_id.make("330802", dt.date(1962, 5, 17), 6).lower(), "05708881234"),
    ("赵六", None, "13705701234"),
    ("钱七", resident_id.make("330881", dt.date(1990, 3, 8), 11), ""),
]


def test_migrating_an_old_database_leaves_no_clear_number_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_number_counters")
    day_id = new_day(db, dt.date(2026, 11, 2))  # the services of today run on an old schema's day table
    with db.engine.begin() as conn:  # the old code's rows: clear numbers (and the phone full-text copy)
        theme = conn.execute(sa.text("SELECT id FROM theme WHERE code = 'labour'")).scalar_one()
        for n, (name, number, tel) in enumerate(OLD_PEOPLE, start=1):
            vid = conn.execute(
                sa.text(
                    "INSERT INTO visitor (name, name_initials, id_number, id_valid, phone, township, village, "
                    "created_at) VALUES (:name, '', :number, :valid, :phone, '', '', :at) RETURNING id"
                ),
                {"name": name, "number": number, "valid": number is not None, "phone": tel, "at": dt.datetime.now()},
            ).scalar_one()
            bid = conn.execute(
                sa.text(
                    "INSERT INTO batch (day_id, reg_no, lead_visitor_id, headcount, theme_id, request, category_text,"
                    " township, village, source, status, placed_by_hand, flags, note, import_source, registered_at,"
                    " version) VALUES (:day, :reg, :vid, 1, :theme, '反映问题', '', '', '', 'pre', 'registered', 0,"
                    " '[]', '', '', :at, 1) RETURNING id"
                ),
                {"day": day_id, "reg": f"Y{n:04d}", "vid": vid, "theme": theme, "at": dt.datetime.now()},
            ).scalar_one()
            conn.execute(
                sa.text("INSERT INTO batch_member (batch_id, visitor_id, position, is_lead) VALUES (:b, :v, 0, 1)"),
                {"b": bid, "v": vid},
            )
    clear = {x for _, number, tel in OLD_PEOPLE for x in (number, tel) if x}
    assert _leaked(_raw(path), clear) != []  # the old file holds them in clear (the check can see them)
    db.dispose()

    db = Database(f"sqlite:///{path}")
    try:
        backup = upgrade_to_head(db.engine)
        assert current_revision(db.engine) == head_revision()
        assert backup is not None and backup.exists()  # `db upgrade` backs up the old file first
        assert _leaked(_raw(path), clear | {n.upper() for n in clear}) == []
        got = sorted((p.name, p.id_number, p.phone) for p in _people(db))
        assert got == sorted((name, (number or "").upper(), tel) for name, number, tel in OLD_PEOPLE)
        for name, number, tel in OLD_PEOPLE:  # found by keyed hash and by the last four after the migration
            batch = search_batches(db, day_id, name)
            assert len(batch) == 1
            if number:
                assert search_batches(db, day_id, number) == batch
                assert batch[0] in search_batches(db, day_id, number[-4:])
            if tel:
                assert batch[0] in search_batches(db, day_id, tel[-4:])
        # and new writes after the migration stay encrypted too
        with db.session() as session:
            session.get_one(Visitor, 1).phone = "13512345678"
        assert b"13512345678" not in _raw(path)
    finally:
        db.dispose()
