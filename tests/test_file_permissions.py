"""Owner-only files on Linux: the SQLite database with its -wal and -shm, backups, exports, printed PDFs and the
log are 0600, the data folder and the keys folder 0700, whatever the umask (a usual 022 would give 0644)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from reception_desk import files
from reception_desk.cli.main import main
from reception_desk.db import data_dir
from reception_desk.db.engine import Database
from reception_desk.db.migrate import backup_sqlite, upgrade_to_head
from reception_desk.privacy import device_keys
from reception_desk.private_files import owner_only, private_dir
from reception_desk.services.demo import create_demo_day
from tests.helpers import make_day
from tests.test_cli_after_day import cli_url
from tests.test_log_privacy import failing_visitor_insert as failing_visitor_insert  # the fixture

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows relies on %LOCALAPPDATA%")


def mode(path: Path) -> int:
    """The permission bits of a file or folder."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask of a usual desktop (022): without our care every new file would be 0644, every folder 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data folder (database, keys, log) inside the test's tmp_path; log handlers added are removed after."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv(device_keys.KEY_DIR_VAR, raising=False)
    monkeypatch.delenv("RECEPTION_DESK_DB", raising=False)
    before = list(logging.getLogger().handlers)
    yield home
    for handler in logging.getLogger().handlers[:]:
        if handler not in before:
            logging.getLogger().removeHandler(handler)
            handler.close()


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    """An SQLite file holding the demo day (made under the usual umask)."""
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    create_demo_day(db, seed=2006)
    db.dispose()
    return url


def test_the_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade_to_head(db.engine)
        with db.engine.connect() as conn:  # an open connection keeps the -wal and -shm in place
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            conn.execute(text("INSERT INTO scratch VALUES (1)"))
            wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
            assert wal.exists() and shm.exists()
            assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        db.dispose()


def test_an_older_world_readable_database_is_closed_on_connect(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    import sqlite3

    sqlite3.connect(path).close()
    path.chmod(0o644)
    db = Database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert mode(path) == 0o600
    finally:
        db.dispose()


def test_the_default_database_in_the_data_folder_and_the_keys_folder(data_home: Path) -> None:
    db = Database()  # the default SQLite file in the data folder
    try:
        upgrade_to_head(db.engine)
        assert db.database_id() is not None  # no users: this laptop's key file is written
    finally:
        db.dispose()
    folder = data_dir()
    assert folder.is_relative_to(data_home)
    assert mode(folder) == 0o700
    assert mode(folder / "reception-desk.sqlite3") == 0o600
    keys = device_keys.key_dir()
    assert keys == folder / "keys" and mode(keys) == 0o700
    key_files = list(keys.iterdir())
    assert key_files and all(mode(f) == 0o600 for f in key_files)


def test_a_printed_pdf_and_exports_are_owner_only(
    demo_url: str, tmp_path: Path, data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "out" / "slips.pdf"
    assert main(["--db", demo_url, "print", "slips", "--all", "--out", str(pdf)]) == 0, capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF") and mode(pdf) == 0o600
    for name in ("名单.xlsx", "名单.csv"):
        out = tmp_path / name
        assert main(["--db", demo_url, "export", "registrations", str(out)]) == 0, capsys.readouterr().err
        assert out.stat().st_size > 0 and mode(out) == 0o600
    # replacing an older, world-readable export leaves an owner-only file
    old = tmp_path / "名单.csv"
    old.chmod(0o644)
    assert main(["--db", demo_url, "export", "registrations", str(old)]) == 0
    assert mode(old) == 0o600
    assert not list(tmp_path.glob(".*.part"))


def test_the_log_file_is_owner_only(
    db: Database, tmp_path: Path, data_home: Path, failing_visitor_insert: None, capsys: pytest.CaptureFixture[str]
) -> None:
    make_day(db)
    sheet = tmp_path / "名单.csv"
    sheet.write_text("姓名,身份证号,联系电话,反映问题及诉求\n张三,,13957012345,工资被拖欠\n", encoding="utf-8")
    assert main(["--db", cli_url(db), "import", str(sheet), "--day", "2026-12-04"]) == 1  # logged to the file
    capsys.readouterr()
    log_file = next(data_home.rglob("reception-desk.log"))
    assert "Traceback" in log_file.read_text(encoding="utf-8")
    assert mode(log_file) == 0o600
    assert mode(log_file.parent) == 0o700


def test_backups_are_owner_only(demo_url: str, tmp_path: Path, data_home: Path) -> None:
    source = Path(demo_url.removeprefix("sqlite:///"))
    before_upgrade = backup_sqlite(source, tmp_path / "demo.before-0007.sqlite3")  # what db upgrade makes
    assert mode(before_upgrade) == 0o600
    target = tmp_path / "backups" / "demo-backup.sqlite3"
    assert main(["--db", demo_url, "backup", str(target)]) == 0
    assert target.stat().st_size > 0 and mode(target) == 0o600


def test_the_helpers(tmp_path: Path) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    assert mode(folder) == 0o700
    loose = tmp_path / "loose.txt"
    loose.write_text("x")
    assert mode(loose) == 0o644
    owner_only(loose)
    assert mode(loose) == 0o600
    files.write_bytes(tmp_path / "settings.json", b"{}")
    assert mode(tmp_path / "settings.json") == 0o600
    owner_only(tmp_path / "gone")  # a file that is not there: nothing, no error
