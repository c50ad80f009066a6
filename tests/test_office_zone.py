"""Times are shown and printed in the office's zone (a setting, Asia/Shanghai by default), whatever the laptop's.

The process runs with TZ=UTC (a laptop set to UTC): a case recorded at 10:42 in the office (02:42 UTC) prints
10:42 on its slip; switching the setting (environment variable, or the saved setting the 设置 page writes) changes
what is printed, exported and listed, and the CLI and the app read the same setting.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from reception_desk.db.engine import Database
from reception_desk.db.models import Case
from reception_desk.domain import office_time, resident_id
from reception_desk.services.assignment import assign_day
from reception_desk.services.case_export import HEADER, export_cases
from reception_desk.services.registrations import PersonInput, RegistrationInput, add_registration, list_registrations
from tests.helpers import make_day
from tests.test_cli_after_day import Cli


@pytest.fixture
def utc_laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """TZ=UTC for the process, no zone set anywhere, the settings file in tmp_path; all restored after."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv(office_time.ZONE_ENV, raising=False)
    time.tzset()
    office_time.reload_zone()
    yield tmp_path / "data-home"
    monkeypatch.undo()
    time.tzset()
    office_time.reload_zone()


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def _recorded_case(db: Database, cli: Cli) -> str:
    day_id = make_day(db)
    person = PersonInput("柴卫发", resident_id.make("330803", dt.date(1968, 3, 14), 417), "13957012345")
    add_registration(db, day_id, RegistrationInput(person, "工资被拖欠", theme_code="labour"))
    assign_day(db, day_id)
    (reg_no,) = [r.reg_no for r in list_registrations(db, day_id)]
    cli.ok("checkin", reg_no, "--at", "2026-12-04 10:05")
    case_no: str = cli.json(
        "case", "record", reg_no, "--outcome", "交办", "--department", "人社局", "--colour", "yellow",
        "--instruction", "限期答复", "--at", "2026-12-04 10:42",
    )["case_no"]  # fmt: skip
    cli.ok("case", "sign", case_no, "--by", "人社局 张科长", "--at", "2026-12-04 15:00")
    return case_no


def test_a_slip_printed_on_a_utc_laptop_says_office_time_and_follows_the_setting(
    db: Database, tmp_path: Path, utc_laptop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert time.localtime().tm_gmtoff == 0  # this process's own clock is UTC
    cli = Cli(db, capsys)
    case_no = _recorded_case(db, cli)
    with db.read() as s:
        stored = s.scalars(select(Case.recorded_at).where(Case.case_no == case_no)).one()
    assert stored == dt.datetime(2026, 12, 4, 2, 42)  # stored in UTC

    slip = tmp_path / "slip.pdf"
    cli.ok("print", "slips", "--case", case_no, "--out", str(slip))
    text = _pdf_text(slip)
    assert "2026年12月4日10:42" in text and "02:42" not in text

    # the zone as an environment variable (a kiosk, a test): the same slip now says UTC
    monkeypatch.setenv(office_time.ZONE_ENV, "UTC")
    office_time.reload_zone()
    cli.ok("print", "slips", "--case", case_no, "--out", str(slip))
    assert "2026年12月4日02:42" in _pdf_text(slip)

    # the saved setting (what the 设置 page writes): Urumqi is UTC+6
    monkeypatch.delenv(office_time.ZONE_ENV)
    office_time.save_zone("Asia/Urumqi")
    assert list(utc_laptop.rglob("office-settings.json"))
    cli.ok("print", "slips", "--case", case_no, "--out", str(slip))
    assert "2026年12月4日08:42" in _pdf_text(slip)
    shown = cli.json("case", "show", case_no)
    assert str(shown["recorded_at"]).startswith("2026-12-04T08:42") and str(shown["recorded_at"]).endswith("+06:00")


def test_the_case_ledger_times_follow_the_office_zone(
    db: Database, tmp_path: Path, utc_laptop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(db, capsys)
    _recorded_case(db, cli)
    ledger = tmp_path / "cases.xlsx"

    def signed_at() -> object:
        export_cases(db, ledger)
        ws = load_workbook(ledger).active
        assert ws is not None
        rows = list(ws.iter_rows(values_only=True))
        return dict(zip(HEADER, rows[1], strict=True))["签收时间"]

    assert signed_at() == "2026-12-04 15:00"
    office_time.save_zone("UTC")
    assert signed_at() == "2026-12-04 07:00"


def test_dates_and_times_use_the_setting(utc_laptop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    late = dt.datetime(2026, 12, 4, 17, 30)  # UTC: already the 5th in Shanghai
    assert office_time.local_date(late) == dt.date(2026, 12, 5)
    assert office_time.to_utc(dt.datetime(2026, 12, 5, 1, 30)) == late
    office_time.save_zone("UTC")
    assert office_time.local_date(late) == dt.date(2026, 12, 4)
    assert office_time.to_local(late) == late
    with pytest.raises(ValueError):
        office_time.save_zone("Mars/Olympus")
    assert office_time.zone().key == "UTC"
    monkeypatch.setenv(office_time.ZONE_ENV, "Asia/Shanghai")  # the environment wins over the file
    assert office_time.reload_zone().key == "Asia/Shanghai"
    monkeypatch.setenv(office_time.ZONE_ENV, "Nowhere/Else")  # an unknown zone in the environment is ignored
    assert office_time.reload_zone().key == "UTC"
    assert os.environ["TZ"] == "UTC"
