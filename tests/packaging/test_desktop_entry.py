"""The Linux menu entry: valid for desktop-file-validate, and naming what the package installs."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from reception_desk.ui.app import APP, DESKTOP_ID

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "packaging" / "linux" / "reception-desk.desktop"


def _validator() -> str:
    """desktop-file-validate; scripts/ensure-system-libs.sh installs it (apt) when it can."""
    found = shutil.which("desktop-file-validate")
    if found is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-system-libs.sh")], capture_output=True, timeout=600)
        found = shutil.which("desktop-file-validate")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs desktop-file-validate (desktop-file-utils; scripts/ensure-system-libs.sh)")
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed and could not be installed")
    return found


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ENTRY, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validate_accepts_it() -> None:
    proc = subprocess.run([_validator(), str(ENTRY)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()


def test_it_names_the_command_the_icon_and_the_window() -> None:
    entry = _entry()
    assert entry["Type"] == "Application" and entry["Terminal"] == "false"
    assert entry["Name"] == "接访台" and entry["Name[en]"] == "Reception Desk"
    assert entry["Categories"].split(";")[0] == "Office"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert entry["Exec"] == "reception-desk" and entry["Exec"] in scripts  # the command on the PATH
    # the icon theme name: packaging/icons/hicolor/<N>x<N>/apps/<Icon>.png, and the app's desktop file name
    assert entry["Icon"] == DESKTOP_ID == ENTRY.stem
    assert (ROOT / "packaging" / "icons" / "hicolor" / "48x48" / "apps" / f"{entry['Icon']}.png").is_file()
    assert (ROOT / "packaging" / "icons" / f"{entry['Icon']}.svg").is_file()
    # Qt on X11 sets WM_CLASS to (argv[0]'s name, QCoreApplication.applicationName()): the docks match the class
    assert entry["StartupWMClass"] == APP
