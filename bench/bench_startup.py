"""Benchmark: start-up, measured in the same run against bare references, and memory.

    .venv/bin/python -m bench.bench_startup [--runs 5] [--people 100000]

Whole processes, offscreen (QT_QPA_PLATFORM=offscreen), from spawning the process:
- a bare PySide6 QMainWindow to its first paint;
- our window to its first paint (frame, navigation, the day's title: before SQLAlchemy loads; target ≤ 1.5×
  the bare window) and to the loaded first page (`ready`; target ≤ 2.5×);
- `reception-desk --help` and `reception-desk print slips --all` against `python -c "import PySide6.QtWidgets"`;
- `reception-desk --quit-when-ready` to its exit; resident memory on the demo day and with 100,000 people.
Each figure is the median of --runs, the commands interleaved so they share the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("bare")); w.resize(1360, 860); w.show()
w.repaint()
print("painted", time.time(), flush=True)
"""

OURS = """
import sys, time
from reception_desk.ui.app import run_gui
def painted(window):
    print("painted", time.time(), flush=True)
def ready(window):
    print("ready", time.time(), flush=True)
sys.exit(run_gui(sys.argv[1], None, "bench", True, on_painted=painted, on_ready=ready))
"""

ALL_PAGES = """
import sys
from reception_desk.ui.app import run_gui
from PySide6.QtWidgets import QApplication
def wait_all(window):
    window.loaded.connect(QApplication.instance().quit)
sys.exit(run_gui(sys.argv[1], None, "bench", False, on_ready=wait_all))
"""


def _env(home: Path) -> dict[str, str]:
    # a throw-away home: the app's settings (the remembered day title) start from nothing every run
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "RECEPTION_DESK_USER": "admin",  # the demo's users: log in without the dialog
        "RECEPTION_DESK_PASSWORD": "demo",
    }


def _marks(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawning the process to each "<mark> <time.time()>" line it prints, and to its exit."""
    t0 = time.time()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    marks = {"exit": time.time() - t0}
    for line in proc.stdout.splitlines():
        name, _sep, stamp = line.partition(" ")
        if name in ("painted", "ready"):
            marks[name] = float(stamp) - t0
    return marks


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def _peak_rss(cmd: list[str], env: dict[str, str]) -> float:
    """Peak RSS (MB) of one child, measured in a fresh helper process so earlier children do not count."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True, env=env)
    return float(out.stdout.strip())


def main() -> None:
    """Print median start-up times, their ratios, and memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("reception-desk"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        env = _env(home)
        demo = Path(tmp) / "demo.sqlite3"
        subprocess.run([exe, "--db", str(demo), "demo"], check=True, capture_output=True, env=env)
        bare_cmd = [sys.executable, "-c", BARE]
        ours_cmd = [sys.executable, "-c", OURS, str(demo)]
        app_cmd = [exe, "--db", str(demo), "--quit-when-ready"]
        qt_import = [sys.executable, "-c", "import PySide6.QtWidgets"]
        help_cmd = [exe, "--help"]
        slips_cmd = [exe, "--db", str(demo), "print", "slips", "--all", "--out", str(Path(tmp) / "slips.pdf")]
        for cmd in (bare_cmd, ours_cmd, app_cmd, qt_import, help_cmd, slips_cmd):  # warm the file cache once
            subprocess.run(cmd, check=True, capture_output=True, env=env)
        runs: dict[str, list[float]] = {name: [] for name in ("bare", "painted", "ready", "app", "qt", "help", "slips")}
        for _ in range(args.runs):
            runs["bare"].append(_marks(bare_cmd, env)["painted"])
            ours = _marks(ours_cmd, env)
            runs["painted"].append(ours["painted"])
            runs["ready"].append(ours["ready"])
            runs["app"].append(_wall(app_cmd, env))
            runs["qt"].append(_wall(qt_import, env))
            runs["help"].append(_wall(help_cmd, env))
            runs["slips"].append(_wall(slips_cmd, env))
        m = {name: statistics.median(values) for name, values in runs.items()}
        print(f"medians of {args.runs} runs, from spawning the process:")
        rows = (
            ("bare PySide6 QMainWindow, first paint", "bare", "bare", ""),
            ("our window, first paint (frame, nav, title)", "painted", "bare", " bare (target ≤ 1.5×)"),
            ("our window, first page loaded (ready)", "ready", "bare", " bare (target ≤ 2.5×)"),
            ("reception-desk --quit-when-ready, whole", "app", "bare", " bare"),
            ("python -c 'import PySide6.QtWidgets'", "qt", "qt", ""),
            ("reception-desk --help", "help", "qt", " the Qt import"),
            ("reception-desk print slips --all (demo day)", "slips", "qt", " the Qt import"),
        )
        for label, name, against, target in rows:
            ratio = f"  = {m[name] / m[against]:.2f}×{target}" if target else ""
            print(f"  {label:<45} {m[name]:.3f} s{ratio}")
        print(
            f"resident memory, demo day: app {_peak_rss(app_cmd, env):.0f} MB, bare {_peak_rss(bare_cmd, env):.0f} MB"
        )

        if args.people:
            from bench.bench_search import generate
            from reception_desk.db.engine import Database
            from reception_desk.db.migrate import upgrade_to_head
            from reception_desk.services import days

            big = Path(tmp) / "big.sqlite3"
            db = Database(f"sqlite:///{big}")
            upgrade_to_head(db.engine)
            info, _ = days.create_day(db, dt.date.today())
            generate(db, info.id, args.people)
            db.dispose()
            big_cmd = [exe, "--db", str(big), "--quit-when-ready"]
            t = _wall(big_cmd, env)
            all_pages = [sys.executable, "-c", ALL_PAGES, str(big)]
            t_all = _wall(all_pages, env)
            print(
                f"with {args.people:,} people in the day: start-up {t:.2f} s (every page loaded {t_all:.2f} s); "
                f"resident {_peak_rss(big_cmd, env):.0f} MB at start, {_peak_rss(all_pages, env):.0f} MB with every "
                "page loaded (target ≤ 250 MB)"
            )


if __name__ == "__main__":
    main()
