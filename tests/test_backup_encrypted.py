"""Backups that are safe to carry: encrypted whole (data key or passphrase), checked before a restore replaces
anything; the pre-upgrade copy encrypted; the data key rotated in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from reception_desk.cli.main import main
from reception_desk.db import keystore
from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, upgrade_to_head
from reception_desk.db.models import AuditEntry, Base, Visitor
from reception_desk.domain import resident_id
from reception_desk.errors import AuthenticationError, PermissionDeniedError
from reception_desk.privacy import backup_file, device_keys, unlocked
from reception_desk.privacy.backup_file import BackupFileError, WrongPassphraseError
from reception_desk.privacy.vault import DamagedValueError, DataLockedError, Vault
from reception_desk.services import backup, data_keys, search, users
from reception_desk.services.backup import Credentials, raw_table
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from tests.conftest import PgSchema
from tests.helpers import make_day

PEOPLE = [
    ("王学德", resident_id.make("330803", dt.date(1949, 12, 31), 2), "13805701234"),
    ("李秀英", resident_id.make("330802", dt.date(1962, 5, 17), 6), "05708881234"),
    ("赵六", resident_id.make("330881", dt.date(1990, 3, 8), 11), "13705709876"),
    ("钱七", resident_id.make("330822", dt.date(1975, 8, 1), 3), ""),
]
PASSWORD = "correct horse 9"
PASSPHRASE = "off-site passphrase 2026"


@pytest.fixture(autouse=True)
def own_key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This test's laptop key files in a folder of its own; no key held from another test."""
    keys = tmp_path / "keys"
    monkeypatch.setenv(device_keys.KEY_DIR_VAR, str(keys))
    unlocked.forget()
    yield keys
    unlocked.forget()


def _fill(db: Database) -> int:
    day_id = make_day(db)
    for n, (name, number, phone) in enumerate(PEOPLE):
        add_registration(db, day_id, RegistrationInput(PersonInput(name, number, phone), f"反映问题{n}"))
    return day_id


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as stored (encrypted columns as their bytes), in primary key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            raw = raw_table(table)
            order = [raw.c[c.name] for c in table.primary_key.columns]
            out[table.name] = [tuple(_plain(v) for v in r) for r in conn.execute(sa.select(raw).order_by(*order))]
    return out


def _people(db: Database) -> list[tuple[str, str | None, str]]:
    with db.read() as session:
        return [(v.name, v.id_number, v.phone) for v in session.scalars(sa.select(Visitor).order_by(Visitor.id))]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _with_admin(db: Database) -> None:
    users.add_user(db, "system", "admin", "admin", PASSWORD)


# ---------------------------------------------------------------------------------------------- backup and restore


def test_encrypted_backup_reveals_nothing_and_restores_equal(db: Database, tmp_path: Path) -> None:
    _fill(db)
    file = tmp_path / "carry.rdbk"
    result = backup.backup_encrypted(db, file, "admin")
    assert result.encrypted and result.mode == "data-key" and result.generation == 1
    data = file.read_bytes()
    assert data.startswith(b"RDBK1\n") and b"SQLite format 3" not in data
    for name, number, phone in PEOPLE:
        for needle in (name, number, number[-8:], phone):
            assert not needle or needle.encode() not in data
    assert "反映问题".encode() not in data
    assert os.stat(file).st_mode & 0o777 == 0o600

    target = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        done = backup.restore(target, file, "admin")
        assert done.database_id == db.database_id() and done.mode == "data-key"
        restored = Database(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        assert _rows(restored) == _rows(db)
        assert _people(restored) == _people(db) == [(n, i, p) for n, i, p in PEOPLE]
        assert os.stat(tmp_path / "restored.sqlite3").st_mode & 0o777 == 0o600
        restored.dispose()
    finally:
        target.dispose()


def test_restore_into_postgresql_needs_force_and_replaces_every_table(
    sqlite_db: Database, pg_schema: PgSchema, tmp_path: Path
) -> None:
    _fill(sqlite_db)
    file = tmp_path / "b.rdbk"
    backup.backup_encrypted(sqlite_db, file, "admin")
    server = Database(engine=pg_schema.engine())
    try:
        upgrade_to_head(server.engine)
        make_day(server, dt.date(2027, 1, 8))  # what the server held before
        before = _rows(server)
        with pytest.raises(Exception, match="--force"):
            backup.restore(server, file, "admin")
        assert _rows(server) == before
        backup.restore(server, file, "admin", force=True)
        assert _rows(server) == _rows(sqlite_db)
        assert _people(server) == [(n, i, p) for n, i, p in PEOPLE]
        # the sequences go on after the restored rows: a new day and person are stored
        day_id = make_day(server, dt.date(2027, 2, 5))
        add_registration(server, day_id, RegistrationInput(PersonInput("孙八", "", "13905701111"), "新的问题"))
    finally:
        server.dispose()


def _damaged_variants(good: bytes) -> dict[str, bytes]:
    body = len(good) - 100
    flipped = bytearray(good)
    flipped[body] ^= 0x01
    header_end = good.index(b"}", 10)
    header_flip = bytearray(good)
    header_flip[good.index(b'"created_at": "') + 16] ^= 0x01  # still valid JSON, another date
    return {
        "truncated": good[: len(good) // 2],
        "no final chunk": good[: header_end + 1],
        "cut tag": good[:-1],
        "bit flipped": bytes(flipped),
        "header changed": bytes(header_flip),
        "extra bytes": good + b"\0" * 17,
        "not a backup": b"hello" * 100,
    }


def test_damaged_backups_are_refused_and_nothing_is_replaced(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(sqlite_db)
    file = tmp_path / "good.rdbk"
    backup.backup_encrypted(sqlite_db, file, "admin")
    target_path = tmp_path / "target.sqlite3"
    other = Database(f"sqlite:///{target_path}")
    upgrade_to_head(other.engine)
    make_day(other, dt.date(2027, 3, 1))
    other.dispose()
    before = _sha(target_path)
    for what, content in _damaged_variants(file.read_bytes()).items():
        bad = tmp_path / f"bad-{what.replace(' ', '-')}.rdbk"
        bad.write_bytes(content)
        code, _, err = _run(capsys, "--db", str(target_path), "restore", str(bad))
        assert code == 2, what
        assert len(err.strip().splitlines()) == 1 and ("损坏" in err or "不是" in err), (what, err)
        assert _sha(target_path) == before, what
    assert not list(tmp_path.glob(".target.sqlite3.restore-*"))


def test_chunks_reordered_dropped_or_cut_at_a_boundary_are_detected(tmp_path: Path) -> None:
    plain = tmp_path / "plain.bin"
    plain.write_bytes(os.urandom(3 * backup_file.CHUNK_SIZE + 1000))
    key = backup_file.new_file_key()
    sealed = tmp_path / "s.rdbk"
    backup_file.write(plain, sealed, key, backup_file.lock_with_passphrase(key, PASSPHRASE), {"revision": "x"})
    envelope = backup_file.read_envelope(sealed)
    data = sealed.read_bytes()
    frames, at = [], envelope.body_offset
    while at < len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        frames.append(data[at : at + 5 + 12 + length])
        at += 5 + 12 + length
    assert len(frames) == 4
    head = data[: envelope.body_offset]
    out = tmp_path / "out.bin"
    backup_file.decrypt(envelope, key, out)
    assert out.read_bytes() == plain.read_bytes()
    for what, body in {
        "swapped": frames[1] + frames[0] + frames[2] + frames[3],
        "dropped": frames[0] + frames[2] + frames[3],
        "cut at a boundary": frames[0] + frames[1],
        "final repeated": b"".join(frames) + frames[3],
    }.items():
        (tmp_path / "x.rdbk").write_bytes(head + body)
        with pytest.raises(BackupFileError):
            backup_file.decrypt(backup_file.read_envelope(tmp_path / "x.rdbk"), key, out)
        assert not out.exists(), what


def test_wrong_passphrase_is_refused_and_the_target_untouched(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(sqlite_db)
    url = sqlite_db.url
    monkeypatch.setenv("BACKUP_PASS", PASSPHRASE)
    file = tmp_path / "offsite.rdbk"
    code, out, _ = _run(capsys, "--db", url, "backup", str(file), "--passphrase-env", "BACKUP_PASS", "--json")
    assert code == 0
    assert json.loads(out) | {"file": ""} == json.loads(out) | {
        "file": "",
        "encrypted": True,
        "mode": "passphrase",
    }
    assert json.loads(file.read_bytes()[10 : 10 + int.from_bytes(file.read_bytes()[6:10], "big")])["kdf"]["kdf"] == (
        "argon2id"
    )
    target = tmp_path / "target.sqlite3"
    other = Database(f"sqlite:///{target}")
    upgrade_to_head(other.engine)
    other.dispose()
    before = _sha(target)
    monkeypatch.setenv("WRONG_PASS", "not the passphrase")
    code, _, err = _run(capsys, "--db", str(target), "restore", str(file), "--passphrase-env", "WRONG_PASS")
    assert code == 2 and "口令不正确" in err and len(err.strip().splitlines()) == 1
    assert _sha(target) == before
    with pytest.raises(WrongPassphraseError):
        backup.restore(Database(f"sqlite:///{target}"), file, "admin", Credentials(passphrase="another one!"))
    code, out, _ = _run(capsys, "--db", str(target), "restore", str(file), "--passphrase-env", "BACKUP_PASS")
    assert code == 0 and "已从" in out
    assert _people(Database(f"sqlite:///{target}")) == [(n, i, p) for n, i, p in PEOPLE]


def test_passphrase_backup_restores_on_a_fresh_laptop_and_users_log_in(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(db)
    _with_admin(db)
    users.authenticate(db, "admin", PASSWORD)
    file = tmp_path / "offsite.rdbk"
    backup.backup_encrypted(db, file, "admin", passphrase=PASSPHRASE)
    expected = _people(db)

    monkeypatch.setenv(device_keys.KEY_DIR_VAR, str(tmp_path / "empty-keys"))  # another laptop: no key file
    unlocked.forget()
    fresh = tmp_path / "fresh" / "reception-desk.sqlite3"
    target = Database(f"sqlite:///{fresh}")
    backup.restore(target, file, "nobody", Credentials(passphrase=PASSPHRASE))
    target.dispose()
    restored = Database(f"sqlite:///{fresh}")
    try:
        assert not restored.unlocked
        with pytest.raises(DataLockedError):
            _people(restored)
        users.authenticate(restored, "admin", PASSWORD)  # key_holder travelled in the backup
        assert _people(restored) == expected
    finally:
        restored.dispose()


def test_passphrase_backup_of_a_database_without_users_opens_on_another_laptop(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(sqlite_db)
    file = tmp_path / "offsite.rdbk"
    backup.backup_encrypted(sqlite_db, file, "admin", passphrase=PASSPHRASE)
    monkeypatch.setenv(device_keys.KEY_DIR_VAR, str(tmp_path / "other-laptop"))
    unlocked.forget()
    fresh = tmp_path / "other.sqlite3"
    backup.restore(Database(f"sqlite:///{fresh}"), file, "x", Credentials(passphrase=PASSPHRASE))
    unlocked.forget()
    restored = Database(f"sqlite:///{fresh}")
    assert restored.unlocked  # this laptop got a key file of its own for it
    assert _people(restored) == [(n, i, p) for n, i, p in PEOPLE]
    assert len(list((tmp_path / "other-laptop").glob("*.key"))) == 1
    restored.dispose()


def test_data_key_backup_opens_with_a_users_password_on_a_fresh_laptop(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(sqlite_db)
    _with_admin(sqlite_db)
    users.authenticate(sqlite_db, "admin", PASSWORD)
    file = tmp_path / "b.rdbk"
    backup.backup_encrypted(sqlite_db, file, "admin")
    monkeypatch.setenv(device_keys.KEY_DIR_VAR, str(tmp_path / "empty"))
    unlocked.forget()
    fresh = tmp_path / "fresh.sqlite3"
    with pytest.raises(DataLockedError):
        backup.restore(Database(f"sqlite:///{fresh}"), file, "admin")
    with pytest.raises(AuthenticationError):
        backup.restore(Database(f"sqlite:///{fresh}"), file, "admin", Credentials(user="admin", password="wrong!!"))
    assert not fresh.exists() or fresh.stat().st_size == 0
    backup.restore(Database(f"sqlite:///{fresh}"), file, "admin", Credentials(user="admin", password=PASSWORD))
    restored = Database(f"sqlite:///{fresh}")
    users.authenticate(restored, "admin", PASSWORD)
    assert _people(restored) == [(n, i, p) for n, i, p in PEOPLE]
    restored.dispose()


def test_only_an_admin_backs_up_or_restores_a_database_with_users(sqlite_db: Database, tmp_path: Path) -> None:
    _fill(sqlite_db)
    _with_admin(sqlite_db)
    users.add_user(sqlite_db, "admin", "desk1", "desk", PASSWORD)
    with pytest.raises(PermissionDeniedError):
        backup.backup_encrypted(sqlite_db, tmp_path / "b.rdbk", "desk1")
    assert not (tmp_path / "b.rdbk").exists()
    backup.backup_encrypted(sqlite_db, tmp_path / "b.rdbk", "admin")
    with pytest.raises(PermissionDeniedError):
        backup.restore(sqlite_db, tmp_path / "b.rdbk", "desk1")


def test_cli_backup_keeps_plain_behind_a_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    _fill(db)
    db.dispose()
    code, out, _ = _run(capsys, "--db", url, "backup", str(tmp_path / "enc.rdbk"), "--json")
    assert code == 0 and json.loads(out)["encrypted"] is True and json.loads(out)["mode"] == "data-key"
    code, _, err = _run(capsys, "--db", url, "backup", str(tmp_path / "enc.rdbk"))
    assert code == 1 and "已存在" in err
    code, out, _ = _run(capsys, "--db", url, "backup", str(tmp_path / "plain.sqlite3"), "--plain", "--json")
    assert code == 0 and json.loads(out) == {
        "file": str(tmp_path / "plain.sqlite3"),
        "encrypted": False,
        "mode": "plain",
    }
    data = (tmp_path / "plain.sqlite3").read_bytes()
    assert data.startswith(b"SQLite format 3") and all(i.encode() not in data for _, i, _ in PEOPLE)


# ---------------------------------------------------------------------------------------------- the pre-upgrade copy


def test_the_copy_taken_before_encrypting_is_kept_encrypted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_number_counters")
        for name, number, phone in PEOPLE:
            conn.execute(
                sa.text(
                    "INSERT INTO visitor (name, name_initials, id_number, id_valid, phone, township, village, "
                    "created_at) VALUES (:name, '', :number, 1, :phone, '', '', :at)"
                ),
                {"name": name, "number": number, "phone": phone, "at": dt.datetime(2026, 11, 2, 9)},
            )
    db.dispose()
    db = Database(f"sqlite:///{path}")
    try:
        kept = upgrade_to_head(db.engine)
        assert kept is not None and kept.suffix == ".rdbk" and kept.exists()
        assert not list(tmp_path.glob("old.before-*.sqlite3*"))  # the clear copy is gone
        data = kept.read_bytes()
        assert b"SQLite format 3" not in data
        assert all(x.encode() not in data for _, number, phone in PEOPLE for x in (number, phone) if x)
        assert os.stat(kept).st_mode & 0o777 == 0o600
        # it is the copy from before the upgrade, and this laptop (holding the new key) opens it
        back = tmp_path / "back.sqlite3"
        done = backup.restore(Database(f"sqlite:///{back}"), kept, "admin")
        assert done.revision == "0007_number_counters"
        engine = sa.create_engine(f"sqlite:///{back}")
        with engine.connect() as conn:
            assert sorted(conn.execute(sa.text("SELECT id_number FROM visitor")).scalars()) == sorted(
                n for _, n, _ in PEOPLE
            )
        engine.dispose()
    finally:
        db.dispose()


# ---------------------------------------------------------------------------------------------- key rotation


def test_rotation_re_encrypts_everything_in_one_go(db: Database, tmp_path: Path) -> None:
    day_id = _fill(db)
    _with_admin(db)
    users.add_user(db, "admin", "desk1", "desk", PASSWORD)
    users.authenticate(db, "admin", PASSWORD)
    old = unlocked.vault_for(db.database_id())
    assert old is not None and old.generation == 1
    before_people = _people(db)
    old_backup = tmp_path / "before-rotation.rdbk"
    backup.backup_encrypted(db, old_backup, "admin")
    with db.engine.connect() as conn:
        old_blobs = dict(conn.execute(sa.text("SELECT id, id_cipher FROM visitor")).tuples().all())
        old_hashes = set(conn.execute(sa.text("SELECT id_hash FROM visitor")).scalars())

    with pytest.raises(PermissionDeniedError):
        data_keys.rotate(db, "desk1")
    assert unlocked.vault_for(db.database_id()) is old

    done = data_keys.rotate(db, "admin")
    assert (done.old_generation, done.generation, done.visitors, done.ids, done.phones) == (1, 2, 4, 4, 3)
    assert done.holders == 2  # admin and desk1 (the laptop's key file was retired at admin's login)
    new = unlocked.vault_for(db.database_id())
    assert new is not None and new.generation == 2 and new.data_key != old.data_key
    assert _people(db) == before_people
    info = data_keys.list_keys(db, "admin")
    assert info.generation == 2 and {h["generation"] for h in info.holders} == {2}

    # search by the last four and by the whole ID still finds the person
    for name, number, _ in PEOPLE:
        assert len(search.search(db, day_id, number[-4:]).ids) >= 1
        assert len(search.search(db, day_id, number).ids) == 1, name
    with db.engine.connect() as conn:
        blobs = dict(conn.execute(sa.text("SELECT id, id_cipher FROM visitor")).tuples().all())
        assert not old_hashes & set(conn.execute(sa.text("SELECT id_hash FROM visitor")).scalars())
    for vid, blob in blobs.items():
        assert bytes(blob) != bytes(old_blobs[vid])
        with pytest.raises(DamagedValueError):
            old.decrypt(blob, "visitor.id_number")
        with pytest.raises(DamagedValueError):
            Vault(old.data_key, 2).decrypt(blob, "visitor.id_number")  # the old key under the new number either

    with db.read() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "rotate_data_key")).one()
        assert entry.actor == "admin" and entry.after is not None and entry.after["visitors"] == 4
        assert entry.after["generation"] == 2

    # another laptop: desk1 logs in and opens the new key
    unlocked.forget()
    again = Database(engine=db.engine)
    users.authenticate(again, "desk1", PASSWORD)
    assert unlocked.vault_for(again.database_id()) is not None
    assert unlocked.vault_for(again.database_id()).generation == 2  # type: ignore[union-attr]
    assert _people(again) == before_people

    # the backup taken before the rotation still opens with a user's password (his key pair did not change)
    unlocked.forget()
    back = tmp_path / "back.sqlite3"
    backup.restore(Database(f"sqlite:///{back}"), old_backup, "x", Credentials(user="admin", password=PASSWORD))
    restored = Database(f"sqlite:///{back}")
    users.authenticate(restored, "admin", PASSWORD)
    assert _people(restored) == before_people
    with restored.engine.connect() as conn:
        assert keystore.generation(conn) == 1
    restored.dispose()


def test_cli_keys_list_and_rotate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    _fill(db)
    db.dispose()
    code, out, _ = _run(capsys, "--db", url, "keys", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["generation"] == 1 and listed["holders"][0]["holder"].startswith("device:")
    code, out, _ = _run(capsys, "--db", url, "keys", "rotate", "--json")
    assert code == 0 and json.loads(out)["generation"] == 2 and json.loads(out)["visitors"] == 4
    unlocked.forget()
    code, out, _ = _run(capsys, "--db", url, "keys", "list")
    assert code == 0 and "第 2 代" in out
    check = Database(url)
    assert current_revision(check.engine) is not None
    assert _people(check) == [(n, i, p) for n, i, p in PEOPLE]
    check.dispose()


def test_cli_restores_over_a_database_this_laptop_cannot_open(
    sqlite_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(sqlite_db)
    file = tmp_path / "b.rdbk"
    backup.backup_encrypted(sqlite_db, file, "admin")
    target = tmp_path / "lost-key.sqlite3"
    other = Database(f"sqlite:///{target}")
    upgrade_to_head(other.engine)  # another database whose key file is then lost
    other.dispose()
    keep = str(sqlite_db.database_id())
    for key in (tmp_path / "keys").glob("*.key"):
        if keep not in key.name:
            key.unlink()
    unlocked.forget()
    assert _run(capsys, "--db", str(target), "registrations")[0] == 3
    code, out, _ = _run(capsys, "--db", str(target), "restore", str(file), "--json")
    assert code == 0 and json.loads(out)["database_id"] == sqlite_db.database_id()
    code, out, _ = _run(capsys, "--db", str(target), "registrations", "--json")
    assert code == 0 and [r["name"] for r in json.loads(out)] == [n for n, _, _ in PEOPLE]
