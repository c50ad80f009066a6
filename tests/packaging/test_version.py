"""`reception-desk --version`: the version from the package metadata, the same as pyproject.toml's and the source's."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import reception_desk
from reception_desk.cli.main import main, version

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_version_prints_the_metadata_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out, err = capsys.readouterr()
    assert out == f"reception-desk {VERSION}\n" and err == ""


def test_the_source_version_agrees_with_pyproject() -> None:
    """What --version falls back to in a checkout that was never installed."""
    assert reception_desk.__version__ == VERSION == version()


def test_version_from_the_installed_command() -> None:
    exe = Path(sys.executable).with_name("reception-desk")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"reception-desk {VERSION}\n"


def test_version_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--version" in capsys.readouterr().out
