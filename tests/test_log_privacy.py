"""No personal data in reception-desk.log: a failed import logs what failed, never the row's name, ID or phone."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.domain import resident_id
from reception_desk.logs import SafeFormatter, safe_traceback
from tests.helpers import make_day
from tests.test_cli_after_day import cli_url

NAME = "柴卫发"
ID_NUMBER = resident_id.make("330803", dt.date(1968, 3, 14), 417)
PHONE = "13957012345"
SECRETS = (NAME, ID_NUMBER, PHONE, "1395701")


@pytest.fixture
def log_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data folder (where reception-desk.log goes) inside the test's tmp_path; handlers removed after."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    before = list(logging.getLogger().handlers)
    yield home
    for handler in logging.getLogger().handlers[:]:
        if handler not in before:
            logging.getLogger().removeHandler(handler)
            handler.close()


@pytest.fixture
def failing_visitor_insert() -> Iterator[None]:
    """The database fails while the import writes the visitors (as a full disk or a broken server would):
    the driver's message carries a PostgreSQL-style DETAIL with the row's values."""

    def fail(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO VISITOR"):
            dbapi = context.dialect.loaded_dbapi
            raise dbapi.DatabaseError(f"could not write block 7\nDETAIL:  Failing row contains ({NAME}, {ID_NUMBER}).")

    for name in ("do_execute", "do_executemany"):
        event.listen(Engine, name, fail)
    try:
        yield
    finally:
        for name in ("do_execute", "do_executemany"):
            event.remove(Engine, name, fail)


def test_a_failed_import_keeps_personal_data_out_of_the_log(
    db: Database, tmp_path: Path, log_home: Path, failing_visitor_insert: None, capsys: pytest.CaptureFixture[str]
) -> None:
    make_day(db)
    sheet = tmp_path / "名单.csv"
    sheet.write_text(
        f"姓名,身份证号,联系电话,反映问题及诉求\n{NAME},{ID_NUMBER},{PHONE},工资被拖欠\n", encoding="utf-8"
    )
    code = main(["--db", cli_url(db), "import", str(sheet), "--day", "2026-12-04"])
    _, err = capsys.readouterr()
    assert code == 1
    log_file = next(log_home.rglob("reception-desk.log"))
    text = log_file.read_text(encoding="utf-8")
    assert "could not write block 7" in text and "INSERT INTO visitor" in text  # what failed is still there
    for secret in SECRETS:
        assert secret not in text, secret
        assert secret not in err, secret


def test_engines_hide_parameters(db: Database) -> None:
    assert db.engine.hide_parameters


def test_the_formatter_scrubs_exceptions_in_messages_and_tracebacks() -> None:
    try:
        try:
            raise sqlite3.IntegrityError(f"UNIQUE failed\nDETAIL:  Key (id_number)=({ID_NUMBER}) already exists.")
        except sqlite3.IntegrityError as inner:
            from sqlalchemy.exc import IntegrityError

            raise IntegrityError("INSERT INTO visitor (name) VALUES (?)", (NAME,), inner) from inner
    except IntegrityError as exc:
        caught = exc
    assert ID_NUMBER not in safe_traceback(caught) and NAME not in safe_traceback(caught)
    assert "INSERT INTO visitor" in safe_traceback(caught) and "IntegrityError" in safe_traceback(caught)
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "import of %s failed: %s", ("x.csv", caught), None)
    record.exc_info = (type(caught), caught, caught.__traceback__)
    text = SafeFormatter("%(message)s").format(record)
    assert "import of x.csv failed" in text and "IntegrityError" in text
    for secret in (NAME, ID_NUMBER):
        assert secret not in text
    assert sys.exc_info()[0] is None
