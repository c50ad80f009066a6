"""Backups: a consistent SQLite copy of the whole database (from SQLite or from PostgreSQL), encrypted whole into a
file that is safe to carry (privacy/backup_file.py), and the restore that checks a backup before replacing anything.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    LargeBinary,
    Table,
    TableClause,
    column,
    create_engine,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy import table as table_clause
from sqlalchemy.pool import NullPool

from reception_desk.db import data_dir, keystore
from reception_desk.db.encrypted import EncryptedText
from reception_desk.db.engine import Database, sqlite_path
from reception_desk.db.migrate import backup_sqlite, current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Base, utcnow
from reception_desk.domain.roles import Permission
from reception_desk.errors import AuthenticationError, InvalidInputError
from reception_desk.privacy import backup_file, device_keys, unlocked, wrapping
from reception_desk.privacy.backup_file import BackupFileError
from reception_desk.privacy.vault import DataLockedError
from reception_desk.services import authz

CHUNK = 2000
PLAIN = "plain"
DEVICE_DATA_KEY = "device_data_key"  # a database without users: its data key travels under the passphrase
FIRST_ENCRYPTED = 8  # migration 0008: from here on a database has key_holder and no clear IDs


@dataclass(frozen=True)
class BackupResult:
    """What `backup_encrypted` wrote."""

    file: Path
    encrypted: bool
    mode: str  # "data-key", "passphrase" or "plain"
    database_id: str | None
    generation: int | None
    revision: str | None
    size: int

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {**asdict(self), "file": str(self.file)}


@dataclass(frozen=True)
class RestoreResult:
    """What `restore` put in place."""

    file: Path
    target: str
    mode: str
    database_id: str | None
    generation: int | None
    revision: str
    created_at: str | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {**asdict(self), "file": str(self.file)}


# ---------------------------------------------------------------------------------------------- taking a backup


def _check_target(db: Database, target: Path, overwrite: bool) -> None:
    if target.exists() and not overwrite:
        raise InvalidInputError(f"备份文件 {target} 已存在；换一个文件名，或加 --force 覆盖。")
    if current_revision(db.engine) != head_revision():
        raise InvalidInputError("数据库版本不是最新，请先执行 reception-desk db upgrade。")


def backup(db: Database, target: Path, overwrite: bool = False) -> Path:
    """Write a plain backup to `target` (an SQLite file that the app opens like any other database).

    IDs and phones stay ciphertext in it, names and case facts do not: `backup_encrypted` is what to carry.
    """
    _check_target(db, target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    _plain_copy(db, tmp)
    with suppress(OSError):
        tmp.chmod(0o600)
    tmp.replace(target)
    return target


def backup_encrypted(
    db: Database, target: Path, actor: str, overwrite: bool = False, passphrase: str | None = None
) -> BackupResult:
    """Write an encrypted backup: under the database's data key, or under `passphrase` (a backup taken off site).

    On a database with users only an admin takes one. DataLockedError when this process does not hold the data key.
    """
    _check_target(db, target, overwrite)
    with db.read() as session:
        authz.require(session, actor, Permission.ADMIN)
    if passphrase is not None and len(passphrase) < backup_file.MIN_PASSPHRASE:
        raise InvalidInputError(f"备份口令太短：至少 {backup_file.MIN_PASSPHRASE} 个字符。")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _workdir() as work:
        plain = work / "copy.sqlite3"
        _plain_copy(db, plain)
        part = target.with_name(target.name + ".part")
        part.unlink(missing_ok=True)
        header = seal_sqlite_file(plain, part, passphrase)
        part.replace(target)
    return BackupResult(
        target,
        True,
        str(header["mode"]),
        header.get("database_id"),
        header.get("generation"),
        header.get("revision"),
        target.stat().st_size,
    )


def seal_sqlite_file(plain: Path, target: Path, passphrase: str | None = None) -> dict[str, Any]:
    """Encrypt an SQLite copy of a database into `target`; returns the header written.

    Without a passphrase it is locked with the data key this process holds for the copy's database (the key the
    database's users open at login): DataLockedError when it holds none.
    """
    facts = _facts(plain)
    db_id, generation = facts["database_id"], facts["generation"]
    vault = unlocked.vault_for(db_id)
    if vault is not None and vault.generation != generation:
        vault = None
    file_key = backup_file.new_file_key()
    info = {"database_id": db_id, "generation": generation, "revision": facts["revision"]}
    if passphrase is None:
        if vault is None or db_id is None:
            raise DataLockedError(unlocked.LOCKED_MESSAGE)
        lock = backup_file.lock_with_data_key(file_key, vault, db_id, facts["holders"])
    else:
        lock = backup_file.lock_with_passphrase(file_key, passphrase)
        if vault is not None and not any(h["private_wrapped"] is not None for h in facts["holders"]):
            # a database without users is opened by this laptop's key file, which stays behind: the data key
            # travels with the backup (under the passphrase), so another laptop can open what it restores
            lock[DEVICE_DATA_KEY] = backup_file.seal_extra(file_key, vault.data_key, DEVICE_DATA_KEY)
    return backup_file.write(plain, target, file_key, lock, info)


def seal_pre_upgrade_backup(engine: Engine, plain: Path) -> Path:
    """Re-write the copy `db upgrade` took before migration 0008 (it holds clear IDs) encrypted under the data key
    the upgrade made, as *.rdbk next to it; the clear copy is overwritten and deleted. Returns the encrypted file."""
    with engine.connect() as conn:
        facts = _key_facts(conn)
    db_id = facts["database_id"]
    vault = unlocked.vault_for(db_id)
    if vault is None or db_id is None:
        raise DataLockedError(unlocked.LOCKED_MESSAGE)
    target = plain.with_suffix(".rdbk")
    part = target.with_name(target.name + ".part")
    file_key = backup_file.new_file_key()
    lock = backup_file.lock_with_data_key(file_key, vault, db_id, facts["holders"])
    info = {"database_id": db_id, "generation": vault.generation, "revision": _facts(plain)["revision"]}
    backup_file.write(plain, part, file_key, lock, info)
    part.replace(target)
    shred(plain)
    return target


def shred(path: Path) -> None:
    """Overwrite a file with zeros, then delete it (with its -wal and -shm)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            size = file.stat().st_size
            with file.open("r+b") as fh:
                for start in range(0, size, backup_file.CHUNK_SIZE):
                    fh.write(b"\0" * min(backup_file.CHUNK_SIZE, size - start))
                fh.flush()
                os.fsync(fh.fileno())
        file.unlink(missing_ok=True)


@contextmanager
def _workdir() -> Iterator[Path]:
    """A private (0700) folder in the data folder for the clear copy a backup or restore passes through."""
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=data_dir()))
    try:
        yield work
    finally:
        for file in work.iterdir():
            shred(file)
        shutil.rmtree(work, ignore_errors=True)


def _key_facts(conn: Connection) -> dict[str, Any]:
    db_id = keystore.database_id(conn)
    if db_id is None:
        return {"database_id": None, "generation": None, "holders": []}
    h = keystore.HOLDERS.c
    rows = conn.execute(select(h.holder, h.public_key, h.private_wrapped, h.kdf).order_by(h.holder)).mappings()
    return {"database_id": db_id, "generation": keystore.generation(conn), "holders": [dict(r) for r in rows]}


def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}", poolclass=NullPool)


def _facts(plain: Path) -> dict[str, Any]:
    """The revision, database id, key generation and key holders an SQLite copy holds."""
    engine = _sqlite_engine(plain)
    try:
        with engine.connect() as conn:
            revision = None
            if inspect(conn).has_table("alembic_version"):
                revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
            return {"revision": revision, **_key_facts(conn)}
    finally:
        engine.dispose()


def raw_table(table: Table) -> TableClause:
    """A table's columns by their stored names and types: encrypted columns as the bytes they hold."""
    return table_clause(
        table.name,
        *[column(c.name, LargeBinary() if isinstance(c.type, EncryptedText) else c.type) for c in table.columns],
    )


def _plain_copy(db: Database, file: Path) -> None:
    source = sqlite_path(db.url)
    if source is not None:
        backup_sqlite(source, file)
    else:
        _copy_to_sqlite(db, file)


def _copy_to_sqlite(db: Database, file: Path) -> None:
    out = Database(f"sqlite:///{file}")
    try:
        upgrade_to_head(out.engine)
        # one snapshot of every table, so the copy is consistent while the desk goes on working
        snapshot = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as src, out.engine.begin() as dst:
            for table in reversed(Base.metadata.sorted_tables):
                dst.execute(table.delete())  # what the migrations seeded (the holiday calendar) comes from the source
            for table in Base.metadata.sorted_tables:
                raw = raw_table(table)  # encrypted columns copied as they are stored: no key needed, none exposed
                result = src.execution_options(stream_results=True).execute(select(raw))
                while rows := result.mappings().fetchmany(CHUNK):
                    dst.execute(raw.insert(), [dict(r) for r in rows])
    finally:
        out.dispose()  # the last connection to close folds the WAL into the file


# ---------------------------------------------------------------------------------------------- restoring


@dataclass(frozen=True)
class Credentials:
    """What may open a backup: its passphrase, or a user of the database and his password (mode data-key)."""

    passphrase: str | None = None
    user: str | None = None
    password: str | None = None


def backup_mode(file: Path) -> str:
    """ "data-key", "passphrase" or "plain" (an SQLite copy); BackupFileError for a file that is none of them."""
    if backup_file.kind(file) == "sqlite":
        return PLAIN
    return backup_file.read_envelope(file).mode


def restore(
    db: Database, file: Path, actor: str, credentials: Credentials | None = None, force: bool = False
) -> RestoreResult:
    """Replace the database `db` with the backup `file`, after checking the backup whole.

    The backup is decrypted into a private folder and checked (every chunk's tag and the SHA-256, SQLite's
    integrity_check, a revision this version knows, the key holders present) before anything is replaced: a damaged,
    cut or wrongly opened file raises BackupFileError (a wrong passphrase WrongPassphraseError, a user who cannot
    open it AuthenticationError) and the database stays as it was. An SQLite target is replaced atomically (its WAL
    and SHM removed, 0600). A PostgreSQL target only with `force`: every table is replaced in one transaction.
    On a database with users only an admin restores.
    """
    credentials = credentials or Credentials()
    mode = backup_mode(file)
    old_id = _authorize(db, actor)
    with _workdir() as work:
        plain = work / "restore.sqlite3"
        header: dict[str, Any] = {}
        if mode == PLAIN:
            shutil.copyfile(file, plain)
        else:
            envelope = backup_file.read_envelope(file)
            header = envelope.header
            file_key = _file_key(envelope, credentials)
            backup_file.decrypt(envelope, file_key, plain)
        facts = _verify(plain, file)
        if DEVICE_DATA_KEY in header:
            _adopt_on_this_laptop(
                plain, facts, backup_file.open_extra(file_key, header[DEVICE_DATA_KEY], DEVICE_DATA_KEY)
            )
        path = sqlite_path(db.url)
        if path is not None:
            db.dispose()
            _replace_sqlite_file(plain, path)
        elif db.dialect == "postgresql":
            _replace_postgresql(db, plain, facts, force)
        else:
            raise InvalidInputError("只能恢复到 SQLite 文件或 PostgreSQL 数据库。未做任何修改。")
    _forget_replaced_keys(old_id, facts)
    db._database_id = None  # the database behind `db` is now the backup's: its id is read afresh
    return RestoreResult(
        file,
        db.engine.url.render_as_string(hide_password=True),
        mode,
        facts["database_id"],
        facts["generation"],
        str(facts["revision"]),
        header.get("created_at"),
    )


def _authorize(db: Database, actor: str) -> str | None:
    """An admin, on a target database that has users; returns the target's database id (None: empty)."""
    path = sqlite_path(db.url)
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return None
    with db.read() as session:
        authz.require(session, actor, Permission.ADMIN)
    return db.database_id()


def _file_key(envelope: backup_file.Envelope, credentials: Credentials) -> bytes:
    header = envelope.header
    if envelope.mode == backup_file.PASSPHRASE:
        if not credentials.passphrase:
            raise BackupFileError("此备份用口令加密：请用 --passphrase-env 给出口令（或在终端中输入）。未做任何修改。")
        return backup_file.open_with_passphrase(header, credentials.passphrase)
    db_id = str(header.get("database_id"))
    vault = unlocked.vault_for(db_id)
    if vault is not None and (key := backup_file.open_with_vault(header, vault)) is not None:
        return key
    for entry in header.get("holders", []):
        holder = str(entry.get("holder", ""))
        private = device_keys.read(holder) if holder.startswith("device:") else None
        if private is not None and (key := backup_file.open_with_private(header, holder, private)) is not None:
            return key
    if credentials.user and credentials.password is not None:
        try:
            key = backup_file.open_with_password(
                header, keystore.user_holder(credentials.user.strip().lower()), credentials.password
            )
        except wrapping.WrongKeyError as exc:
            raise AuthenticationError("用户名或密码打不开此备份，未做任何修改。") from exc
        if key is not None:
            return key
    raise DataLockedError(
        "此备份用数据库的数据密钥加密，本机未持有该密钥：请用备份时该数据库的用户登录（--user 与密码）再恢复。"
        "未做任何修改。"
    )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from reception_desk.db.migrate import alembic_config

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def _revision_number(revision: str) -> int:
    head = revision[:4]
    return int(head) if head.isdigit() else 0


def _verify(plain: Path, file: Path) -> dict[str, Any]:
    """The decrypted copy is a sound database of a known revision with its key holders; BackupFileError if not."""
    try:
        with sqlite3.connect(plain) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise backup_file.damaged(file) from exc
    if verdict is None or verdict[0] != "ok":
        raise backup_file.damaged(file)
    if "alembic_version" not in tables:
        raise BackupFileError(f"备份文件 {file} 不是接访台的数据库（没有数据表版本），未做任何修改。")
    facts = _facts(plain)
    revision = facts["revision"]
    if revision not in _known_revisions():
        raise BackupFileError(
            f"备份的数据表版本 {revision} 是本程序不认识的（由更新的版本写成？）：请先升级本程序。未做任何修改。"
        )
    if _revision_number(str(revision)) >= FIRST_ENCRYPTED and not facts["holders"]:
        raise BackupFileError(f"备份文件 {file} 中没有数据密钥的持有人（key_holder），恢复后无法解锁，未做任何修改。")
    return dict(facts)


def _adopt_on_this_laptop(plain: Path, facts: dict[str, Any], data_key: bytes) -> None:
    """A database without users restored from a passphrase backup: this laptop gets a key file of its own, unless
    it already has one of the backup's."""
    if any(device_keys.read(h["holder"]) is not None for h in facts["holders"] if h["holder"].startswith("device:")):
        return
    generation, db_id = int(facts["generation"] or 1), str(facts["database_id"])
    pair = wrapping.new_key_pair()
    holder = f"device:{db_id}-{uuid.uuid4().hex[:8]}"
    engine = _sqlite_engine(plain)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(keystore.HOLDERS).values(
                    holder=holder,
                    user_id=None,
                    public_key=pair.public,
                    private_wrapped=None,
                    kdf={},
                    sealed_key=wrapping.seal(data_key, pair.public),
                    generation=generation,
                    created_at=utcnow(),
                )
            )
    finally:
        engine.dispose()
    device_keys.write(holder, pair.private)
    facts["holders"].append({"holder": holder, "public_key": pair.public, "private_wrapped": None, "kdf": {}})


def _companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def _replace_sqlite_file(plain: Path, path: Path) -> None:
    """Put the checked copy in place of the database file in one rename; the old WAL and SHM go first (a WAL left
    beside the new file would be replayed into it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.restore-{uuid.uuid4().hex[:8]}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, plain.open("rb") as src:
            shutil.copyfileobj(src, out, backup_file.CHUNK_SIZE)
            out.flush()
            os.fsync(out.fileno())
        with suppress(OSError):
            part.chmod(0o600)
        for companion in _companions(path):
            companion.unlink(missing_ok=True)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    for companion in _companions(path):
        companion.unlink(missing_ok=True)


def _replace_postgresql(db: Database, plain: Path, facts: dict[str, Any], force: bool) -> None:
    """Every table of the PostgreSQL database replaced by the backup's rows, in one transaction."""
    if not force:
        raise InvalidInputError(
            "恢复到 PostgreSQL 服务器会替换服务器上的全部数据（所有电脑共用）：确认无误后加 --force。未做任何修改。"
        )
    upgrade_to_head(db.engine)
    if facts["revision"] != head_revision():
        raise InvalidInputError(
            f"备份的数据表版本 {facts['revision']} 不是最新的 {head_revision()}：先恢复到一个 SQLite 文件，"
            "用本程序打开一次（自动升级），再备份并恢复到服务器。未做任何修改。"
        )
    source = _sqlite_engine(plain)
    try:
        with source.connect() as src, db.engine.begin() as dst:
            for table in reversed(Base.metadata.sorted_tables):
                dst.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                raw = raw_table(table)
                result = src.execute(select(raw))
                while rows := result.mappings().fetchmany(CHUNK):
                    dst.execute(raw.insert(), [dict(r) for r in rows])
                if "id" in table.c and isinstance(table.c.id.type, Integer):
                    # the next row numbered after the restored ones
                    dst.execute(
                        text(
                            "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        ),
                        {"t": table.name},
                    )
    finally:
        source.dispose()


def _forget_replaced_keys(old_id: str | None, facts: dict[str, Any]) -> None:
    """Keys this process holds that no longer fit: the replaced database's, and a newer generation of the restored
    one (a backup from before a key rotation is opened again by its own holders)."""
    new_id = facts["database_id"]
    if old_id is not None and old_id != new_id:
        unlocked.forget(old_id)
    held = unlocked.vault_for(new_id)
    if held is not None and held.generation != facts["generation"]:
        unlocked.forget(new_id)


def created_label(created_at: str | None) -> str:
    """When a backup was taken, in the office's time ("" when unknown)."""
    if not created_at:
        return ""
    from reception_desk.domain.office_time import to_local

    moment = dt.datetime.fromisoformat(created_at).astimezone(dt.UTC).replace(tzinfo=None)
    return f"{to_local(moment):%Y-%m-%d %H:%M}"
