"""Starting the app: offscreen smoke, the one-line message without a display, a real X window under Xvfb,
Chinese in the shipped font, English through the Qt translation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QFontInfo, QFontMetrics, QImage

from reception_desk.cli.main import main as cli
from reception_desk.ui.context import AppContext
from reception_desk.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("reception-desk"))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo day in an SQLite file, made once for this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert cli(["--db", str(path), "demo", "--seed", "7"]) == 0
    return path


def _env(**changes: str | None) -> dict[str, str]:
    # the demo database has users (the CLI's demo makes them): the window logs in as its admin, no dialog
    env = {**os.environ, "RECEPTION_DESK_USER": "admin", "RECEPTION_DESK_PASSWORD": "demo"}
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_quit_when_ready_offscreen(demo_file: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [EXE, "--db", str(demo_file), "--quit-when-ready"],
        env=_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_without_a_display_one_line_and_exit_1(demo_file: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [EXE, "--db", str(demo_file)],
        env=_env(QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "offscreen" in lines[0] and "xvfb-run" in lines[0]
    assert lines[0].startswith("没有可用的图形显示")


def _unused_display() -> str:
    """:99 as the issue has it, unless an X server (an xvfb-run -a elsewhere) holds it now."""
    number = next(
        n for n in range(99, 199) if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    return f":{number}"


@pytest.mark.parametrize(("lang", "first_words"), [("zh", "没有可用的图形显示"), ("en", "No graphical display")])
def test_a_display_set_but_unreachable_one_line_and_exit_1(
    demo_file: Path, tmp_path: Path, lang: str, first_words: str
) -> None:
    display = _unused_display()
    proc = subprocess.run(
        [EXE, "--db", str(demo_file), "--lang", lang, "--quit-when-ready"],
        env=_env(QT_QPA_PLATFORM=None, DISPLAY=display, WAYLAND_DISPLAY=None, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr  # not 134: Qt never got to abort
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(first_words) and f"DISPLAY={display}" in lines[0] and "offscreen" in lines[0]


def test_the_frame_is_painted_before_the_database_code_loads(demo_file: Path, tmp_path: Path) -> None:
    probe = (
        "import sys; from reception_desk.ui.app import run_gui\n"
        "def painted(w):\n"
        "    heavy = sorted(m for m in ('sqlalchemy', 'alembic', 'reception_desk.db.engine') if m in sys.modules)\n"
        "    nav = [w.nav.item(i).text() for i in range(w.nav.count())]\n"
        "    print('painted', heavy, w.day_title.text(), nav[:2], flush=True)\n"
        "def ready(w):\n"
        "    print('ready', 'sqlalchemy' in sys.modules, w.day_title.text(), flush=True)\n"
        "sys.exit(run_gui(sys.argv[1], 'zh', 't', True, on_painted=painted, on_ready=ready))"
    )
    env = _env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, str(demo_file)], capture_output=True, text=True, env=env, timeout=120
        )
        for _ in range(2)
    ]
    for proc in runs:
        assert proc.returncode == 0, proc.stderr
    first, second = (proc.stdout.strip().splitlines() for proc in runs)
    assert first[0] == "painted [] 接访台 ['预登记', '签到']"  # the frame, before SQLAlchemy and Alembic
    assert first[1].startswith("ready True ") and "接访日" in first[1]
    # the second start paints the day's title it had last time, still before the database opens
    assert second[0].startswith("painted [] ") and second[0].split(" ", 2)[2].startswith(first[1].split(" ", 2)[2])


def test_real_x_window_under_xvfb(demo_file: Path, tmp_path: Path) -> None:
    if shutil.which("xvfb-run") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI needs Xvfb (scripts/ensure-system-libs.sh installs it)")
        pytest.skip("xvfb-run is not installed")
    shot = tmp_path / "x.png"
    proc = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1400x900x24",
            sys.executable,
            str(ROOT / "scripts" / "xvfb_window.py"),
            str(shot),
            "--db",
            str(demo_file),
        ],
        env=_env(QT_QPA_PLATFORM=None, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "platform=xcb" in proc.stdout
    image = QImage(str(shot))
    assert image.width() >= 1360
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20  # a painted window, not an empty screen


def test_chinese_renders_in_the_shipped_font(qtbot: Any, app_ctx: AppContext) -> None:
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=20000):
        window.spawn_start()
    title = window.day_title
    assert "接访日" in title.text() or "接访台" in title.text()
    assert QFontInfo(title.font()).family().startswith("WenQuanYi Micro Hei")
    metrics = QFontMetrics(title.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in title.text() if not ch.isspace())
    nav_texts = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert nav_texts[:6] == ["预登记", "签到", "接待室分配", "接待室", "督办台", "设置"]
    image = title.grab().toImage()
    assert len({image.pixel(x, y) for x in range(image.width()) for y in range(image.height())}) > 4


def test_english_translation_is_complete_and_used(demo_file: Path, tmp_path: Path) -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_translations.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    probe = (
        "import sys; from reception_desk.ui.app import run_gui;"
        "sys.exit(run_gui(sys.argv[1], 'en', 't', True,"
        " on_ready=lambda w: print('|'.join(w.nav.item(i).text() for i in range(w.nav.count())))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(demo_file)],
        capture_output=True,
        text=True,
        env=_env(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path)),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().split("|")[:6] == [
        "Pre-registration",
        "Check-in",
        "Room board",
        "Reception room",
        "Tracking",
        "Settings",
    ]


def test_rare_characters_have_glyphs_on_screen(qtbot: Any, qloop: Any) -> None:
    from PySide6.QtGui import QFont, QFontDatabase, QRawFont
    from PySide6.QtWidgets import QApplication, QLabel

    font = QApplication.font()
    families = font.families()
    assert families[0].startswith("WenQuanYi Micro Hei") and len(families) == 3
    # each rare character is covered by one of the application's font families
    for ch in ("𠮷", "䶮"):
        covered = [f for f in families if QRawFont.fromFont(QFont(f)).supportsCharacter(ord(ch))]
        assert covered, ch
    label = QLabel("𠮷田 䶮 阿依古丽·买买提")
    qtbot.addWidget(label)
    assert QFontDatabase.families()  # the database is up
    assert label.grab().width() > 0


def test_the_frame_first_then_the_day_attached(qtbot: Any, app_ctx: AppContext) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    window = MainWindow(None)  # the frame only: no database yet
    qtbot.addWidget(window)
    window.show()
    assert [window.nav.item(i).text() for i in range(3)] == ["预登记", "签到", "接待室分配"]
    placeholder = window.stack.currentWidget()
    assert isinstance(placeholder, QLabel) and placeholder.text() == "正在载入…"
    assert placeholder.alignment() == Qt.AlignmentFlag.AlignCenter
    assert window.day_meta.alignment() == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert window.statusBar().currentMessage() == "正在打开数据库…"
    window.show_page(2)  # a click on the navigation before the day is in builds nothing
    assert window.stack.currentWidget() is window.stack.widget(2) and isinstance(window.stack.widget(2), QLabel)

    window.attach(app_ctx)
    with qtbot.waitSignal(window.ready, timeout=20000):
        window.spawn_start()
    assert type(window.stack.currentWidget()).__name__ == "RoomBoardPage"
    assert "接访日" in window.day_title.text() and "区委书记 张明" in window.day_meta.text()
    assert window.statusBar().currentMessage().startswith("数据库：")
