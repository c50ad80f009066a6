"""Migration 0008 steps down and up on a filled database: the IDs and phones come back in clear with 0002's
search structures, and are encrypted again (and found) after the upgrade; without the key the step down refuses."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from reception_desk.db.engine import Database
from reception_desk.db.migrate import alembic_config, current_revision, head_revision
from reception_desk.domain import resident_id
from reception_desk.privacy import unlocked
from reception_desk.privacy.vault import DataLockedError
from reception_desk.services import days
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration
from reception_desk.services.search import search_batches

DAY = dt.date(2026, 12, 4)
WXD_ID = resident_id.make("330803", dt.date(1958, 3, 12), 21)
LI_ID = resident_id.make("330802", dt.date(1962, 5, 17), 6)


def _migrate(db: Database, target: str, down: bool = False) -> None:
    cfg = alembic_config(db.engine)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def _filled(db: Database) -> tuple[int, dict[str, int]]:
    info, _ = days.create_day(db, DAY)
    wxd, _ = add_registration(
        db, info.id, RegistrationInput(PersonInput("王学德", WXD_ID, "13805701234"), "反映征地补偿款未到位")
    )
    li, _ = add_registration(
        db,
        info.id,
        RegistrationInput(
            PersonInput("李秀英", LI_ID, "0570-3023456"), "反映拖欠工资", companions=[PersonInput("赵六")]
        ),
    )
    return info.id, {"wxd": wxd, "li": li}


def _clear_rows(db: Database) -> set[tuple[str, str | None, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT name, id_number, phone FROM visitor")).tuples().all()
    return set(rows)


def test_stepping_down_decrypts_and_up_encrypts_again(db: Database) -> None:
    day_id, ids = _filled(db)
    _migrate(db, "0007_number_counters", down=True)
    assert current_revision(db.engine) == "0007_number_counters"
    assert _clear_rows(db) == {("王学德", WXD_ID, "13805701234"), ("李秀英", LI_ID, "05703023456"), ("赵六", None, "")}
    inspector = sa.inspect(db.engine)
    columns = {c["name"] for c in inspector.get_columns("visitor")}
    assert {"id_number", "phone"} <= columns and not columns & {"id_cipher", "id_hash", "phone_cipher", "phone_hash"}
    assert "key_holder" not in inspector.get_table_names()
    assert {u["name"] for u in inspector.get_unique_constraints("visitor")} == {"uq_visitor_id_number"}
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            indexes = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
            # 0002's phone full-text table is back, kept in step by its triggers
            found = conn.exec_driver_sql("SELECT rowid FROM visitor_phone_fts WHERE phone MATCH '\"3023\"'").all()
            assert [r[0] for r in found] == [
                conn.execute(sa.text("SELECT id FROM visitor WHERE name = '李秀英'")).scalar_one()
            ]
            names = conn.exec_driver_sql("SELECT rowid FROM visitor_name_fts WHERE chars MATCH '\"学 德\"'").all()
            assert len(names) == 1
        else:
            indexes = {
                r[0] for r in conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'visitor'"))
            }
    assert {"ix_visitor_id_tail", "ix_visitor_name_phone"} <= indexes
    # the batches still point at their people
    with db.engine.connect() as conn:
        leads = conn.execute(sa.text("SELECT v.name FROM batch b JOIN visitor v ON v.id = b.lead_visitor_id")).all()
    assert sorted(r[0] for r in leads) == ["李秀英", "王学德"]

    _migrate(db, "head")
    assert current_revision(db.engine) == head_revision()
    assert search_batches(db, day_id, "1234") == [ids["wxd"]]
    assert search_batches(db, day_id, WXD_ID) == [ids["wxd"]]
    assert search_batches(db, day_id, "05703023456") == [ids["li"]]
    assert search_batches(db, day_id, "秀英") == [ids["li"]]
    with db.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT id_cipher, phone_cipher FROM visitor")).all()
    assert not any(WXD_ID.encode() in bytes(c or b"") or b"13805701234" in bytes(p or b"") for c, p in stored)


def test_stepping_down_without_the_key_is_refused(db: Database) -> None:
    _filled(db)
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM key_holder"))  # no key file or login can open it any more
    unlocked.forget(db.database_id())
    with pytest.raises(DataLockedError):
        _migrate(db, "0007_number_counters", down=True)
    assert current_revision(db.engine) == head_revision()  # nothing was changed
