"""`reception-desk callscreen`: its help, a screen that does not exist, a day that does not exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reception_desk.cli.main import main
from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from tests.helpers import make_day


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "reception_desk.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_callscreen_help_names_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["callscreen", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "callscreen" in out
    for option in ("--db", "--day", "--screen", "--lang"):
        assert option in out


def test_a_screen_that_does_not_exist_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _run("callscreen", "--db", f"sqlite:///{tmp_path / 'x.sqlite3'}", "--screen", "9")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["没有屏幕 9：本机共有 1 个屏幕。"]


def test_a_day_that_does_not_exist_is_one_line_and_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    db = Database(url)
    upgrade_to_head(db.engine)
    make_day(db)
    db.dispose()
    result = _run("callscreen", "--db", url, "--day", "2026-01-05", "--lang", "en")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2026年01月05日" in lines[0]
