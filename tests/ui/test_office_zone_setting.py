"""设置 → 语言: the 办公时区 box saves the office's zone where the CLI reads it too; an unknown zone is refused."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from reception_desk.domain import office_time
from reception_desk.office_settings import settings_path
from reception_desk.printing.common import local_time
from reception_desk.ui.context import AppContext
from reception_desk.ui.pages.base import Page
from reception_desk.ui.pages.settings_page import SettingsPage


@pytest.fixture
def utc_laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """TZ=UTC, no zone set, the settings file under tmp_path; the zone re-read after the test."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv(office_time.ZONE_ENV, raising=False)
    time.tzset()
    office_time.reload_zone()
    yield
    monkeypatch.undo()
    time.tzset()
    office_time.reload_zone()


def test_the_zone_saved_on_the_settings_page_is_the_one_printouts_use(
    qtbot: Any, app_ctx: AppContext, pages: list[Page], utc_laptop: None
) -> None:
    page = SettingsPage(app_ctx)
    pages.append(page)
    page.show()
    assert page.zone_edit.currentText() == "Asia/Shanghai"
    save = page.findChild(QPushButton, "saveZoneButton")
    assert save is not None

    page.zone_edit.setCurrentText("Mars/Olympus")
    save.click()
    assert "未知的时区" in page.zone_message.text() and office_time.zone().key == "Asia/Shanghai"
    assert not settings_path().exists()

    page.zone_edit.setCurrentText("Asia/Urumqi")
    save.click()
    assert "Asia/Urumqi" in page.zone_message.text()
    assert json.loads(settings_path().read_text(encoding="utf-8"))["timezone"] == "Asia/Urumqi"
    assert office_time.zone().key == "Asia/Urumqi"
    # what a printout made now says: 02:42 UTC is 08:42 in Urumqi (UTC+6)
    assert local_time(dt.datetime(2026, 12, 4, 2, 42)) == "2026年12月4日 08:42"
