"""The test session has its own HOME and XDG folders: Qt's QtProject.conf, our settings and the data folder
land there, never in the real home."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog

from reception_desk.db import data_dir
from tests.isolated_home import real_home

WATCHED = (".config/QtProject.conf", ".config/reception-desk", ".local/share/reception-desk")


def _state(home: Path) -> dict[str, float | None]:
    """Modification times of what Qt and the app write under a home (None: absent)."""
    times: dict[str, float | None] = {}
    for name in WATCHED:
        path = home / name
        times[name] = path.stat().st_mtime_ns if path.exists() else None
        if path.is_dir():
            for child in path.rglob("*"):
                times[str(child)] = child.stat().st_mtime_ns
    return times


def test_nothing_is_written_to_the_real_home(qtbot: Any, qapp: Any) -> None:
    home = Path(os.environ["HOME"])
    real = real_home()
    assert home != real and not str(home).startswith(str(real) + os.sep)
    before = _state(real)
    config = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation))
    assert config.is_relative_to(home)

    # what the app and Qt write: our QSettings, the file dialog's remembered state, the log/data folder
    QCoreApplication.setOrganizationName("reception-desk")
    QCoreApplication.setApplicationName("Reception Desk")
    settings = QSettings()
    settings.setValue("ui/language", "zh")
    settings.sync()
    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: (config / "QtProject.conf").exists(), timeout=5000)
    (data_dir() / "probe.txt").write_text("x", encoding="utf-8")

    assert Path(settings.fileName()).is_relative_to(home)
    assert data_dir().is_relative_to(home)
    assert _state(real) == before
