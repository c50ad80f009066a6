"""Storage: engine set-up, stale writes refused, migrations with a backup first, backups, the plan services."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text

from reception_desk.db.engine import Database, resolve_url
from reception_desk.db.migrate import current_revision, head_revision, upgrade_to_head
from reception_desk.db.models import Department, Room
from reception_desk.errors import StaleWriteError
from reception_desk.services import backup, plan, registrations
from tests.helpers import make_day, register


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert int(conn.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000


def test_url_choice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RECEPTION_DESK_DB", str(tmp_path / "x.sqlite3"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert resolve_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_a_stale_write_is_refused_not_overwritten(db: Database) -> None:
    day_id = make_day(db)
    room = plan.list_rooms(db, day_id)[0]
    plan.update_room(db, room.id, room.version, host="区长 王强")
    with pytest.raises(StaleWriteError):
        plan.update_room(db, room.id, room.version, host="副区长 李华")
    assert plan.list_rooms(db, day_id)[0].host == "区长 王强"


def test_concurrent_sessions_detect_the_stale_row(db: Database) -> None:
    make_day(db)
    with db.read() as s:
        dept = s.scalars(select(Department).limit(1)).one()
    plan.update_department(db, dept.id, dept.version, phone="0570-1111111")
    with pytest.raises(StaleWriteError), db.session() as s:
        stale = s.merge(dept, load=False)
        stale.phone = "0570-2222222"
    with db.read() as s:
        fresh = s.get(Department, dept.id)
        assert fresh is not None and fresh.phone == "0570-1111111"


def test_failed_operation_rolls_back_whole(db: Database) -> None:
    day_id = make_day(db)
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(Room(day_id=day_id, number=16, name="临时接待室", theme_id=1, capacity=5))
        s.flush()
        raise RuntimeError("crash in the middle")
    assert len(plan.list_rooms(db, day_id)) == 15


def test_theme_defaults_come_first(db: Database) -> None:
    make_day(db)
    names = [d.name for d in plan.departments_for_theme(db, "law")]
    assert names[:5] == ["区委政法委", "区法院", "区检察院", "公安分局", "司法局"]
    assert "樟潭街道" in names


def test_upgrade_backs_up_an_old_sqlite_file_first(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade_to_head(db.engine)
    make_day(db)
    # pretend the file was written by an older version
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    with pytest.raises(Exception, match="older"):
        upgrade_to_head(db.engine)  # the unknown revision is refused...
    backups = list(tmp_path.glob("old.before-older-*.sqlite3"))
    assert len(backups) == 1  # ...but only after the backup was taken
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("select count(*) from room").fetchone() == (15,)
    db.dispose()


def test_fresh_database_needs_no_backup(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert upgrade_to_head(db.engine) is None
    assert current_revision(db.engine) == head_revision()
    assert upgrade_to_head(db.engine) is None
    db.dispose()


def test_backup_is_a_complete_sqlite_copy(db: Database, tmp_path: Path) -> None:
    day_id = make_day(db)
    register(db, day_id, 5, "civil")
    target = backup.backup(db, tmp_path / "backup.sqlite3")
    copy = Database(f"sqlite:///{target}")
    try:
        rows = registrations.list_registrations(copy, day_id)
        assert [r.name for r in rows] == [r.name for r in registrations.list_registrations(db, day_id)]
        assert len(plan.list_rooms(copy, day_id)) == 15
    finally:
        copy.dispose()


def test_head_constant_matches_the_migration_scripts() -> None:
    from reception_desk.db.migrate import HEAD, script_head_revision

    assert script_head_revision() == HEAD
