"""reception-desk.log masks every resident ID number and phone number: in the message, its arguments, the
traceback (causes included) and the stack, whatever raised it; the masked forms stay, so the line still says whom
it is about as far as a screen would."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.domain import phone, resident_id
from reception_desk.logs import file_handler, scrub
from tests.helpers import make_day
from tests.test_cli_after_day import cli_url

ID_NUMBER = resident_id.make("330803", dt.date(1968, 3, 14), 417)
ID_WITH_X = next(
    n for n in (resident_id.make("110101", dt.date(1990, 3, 7), s) for s in range(1000)) if n.endswith("X")
)
OLD_ID = "330803680314417"  # the 15-digit IDs of before 1999
MOBILE = "13957012345"
LANDLINE = "05703023456"
PERSONAL = (ID_NUMBER, ID_WITH_X, OLD_ID, MOBILE, LANDLINE, "0570-3023456", "139 5701 2345")


def masked() -> list[str]:
    """What the log shows instead."""
    return [
        resident_id.mask(ID_NUMBER),
        resident_id.mask(ID_WITH_X),
        resident_id.mask(OLD_ID),
        phone.mask(MOBILE),
        phone.mask(LANDLINE),
    ]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """A logger writing through the app's log-file handler into tmp_path."""
    path = tmp_path / "reception-desk.log"
    handler = file_handler(path)
    logger = logging.getLogger("reception_desk.test_scrub")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data folder (where the CLI's reception-desk.log goes) inside tmp_path; handlers removed after."""
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    before = list(logging.getLogger().handlers)
    yield home
    for handler in logging.getLogger().handlers[:]:
        if handler not in before:
            logging.getLogger().removeHandler(handler)
            handler.close()


def test_scrub_masks_ids_and_phones_and_leaves_other_numbers() -> None:
    line = (
        f"row 7: {ID_NUMBER}, {ID_WITH_X.lower()}, {OLD_ID}; tel {MOBILE}, 139 5701 2345, 0570-3023456, "
        f"{LANDLINE}, 010 12345678; at 2026-12-04 09:30:00,123, 100000 rows, case JF-20261204-03-017"
    )
    text = scrub(line)
    for secret in PERSONAL:
        assert secret not in text
    assert ID_WITH_X.lower() not in text
    for shown in masked():
        assert shown in text
    assert "139****2345" in text and "010****5678" in text
    assert "2026-12-04 09:30:00,123" in text and "100000 rows" in text and "JF-20261204-03-017" in text
    assert scrub("no digits here") == "no digits here"


def _fail_with_personal_data() -> None:
    try:
        raise KeyError(f"lookup of {OLD_ID} / {LANDLINE}")
    except KeyError as inner:
        raise ValueError(f"row 7 has a bad ID {ID_NUMBER} (phone {MOBILE}, 139 5701 2345)") from inner


def test_logger_exception_masks_message_args_traceback_and_stack(log_file: Path) -> None:
    logger = logging.getLogger("reception_desk.test_scrub")
    try:
        _fail_with_personal_data()
    except ValueError:
        logger.exception("import of %s failed for %s", "名单.xlsx", ID_WITH_X)
    logger.warning("calling back 0570-3023456 about %s", {"id": ID_NUMBER}, stack_info=True)
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "ValueError: row 7 has a bad ID" in text
    assert "KeyError" in text and "direct cause" in text and "Stack (most recent call last)" in text
    assert "import of 名单.xlsx failed" in text
    for secret in PERSONAL:
        assert secret not in text, secret
    for shown in masked():
        assert shown in text, shown


@pytest.fixture
def crash_quoting_the_row() -> Iterator[None]:
    """A library that fails while the import writes the visitors and quotes the row in its message (not a
    database error: nothing strips it before the log's scrubbing)."""

    def fail(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO VISITOR"):
            raise RuntimeError(f"could not encode row 2 ({ID_NUMBER}, {MOBILE}, 0570-3023456)")

    for name in ("do_execute", "do_executemany"):
        event.listen(Engine, name, fail)
    try:
        yield
    finally:
        for name in ("do_execute", "do_executemany"):
            event.remove(Engine, name, fail)


def test_a_failing_import_leaves_no_id_or_phone_in_the_log(
    db: Database,
    tmp_path: Path,
    data_home: Path,
    crash_quoting_the_row: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_day(db)
    sheet = tmp_path / "名单.csv"
    sheet.write_text(
        f"姓名,身份证号,联系电话,反映问题及诉求\n柴卫发,{ID_NUMBER},{MOBILE},工资被拖欠\n", encoding="utf-8"
    )
    code = main(["--db", cli_url(db), "import", str(sheet), "--day", "2026-12-04"])
    _, err = capsys.readouterr()
    assert code == 1
    text = next(data_home.rglob("reception-desk.log")).read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: could not encode row 2" in text
    for secret in (ID_NUMBER, MOBILE, "0570-3023456"):
        assert secret not in text, secret
        assert secret not in err, secret  # the one line on the terminal too
    for shown in (resident_id.mask(ID_NUMBER), phone.mask(MOBILE), phone.mask(LANDLINE)):
        assert shown in text, shown
