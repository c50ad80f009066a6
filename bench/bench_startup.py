"""Benchmark: cold start of the app to its first painted window on a demo day, against a bare PySide6
QMainWindow measured in the same run; and the app's resident memory with 100,000 people in the day.

    .venv/bin/python -m bench.bench_startup [--runs 5] [--people 100000]

Runs offscreen (QT_QPA_PLATFORM=offscreen). Targets: start-up ≤ 1.5× the bare window, ≤ 250 MB resident.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QLabel("bare")); w.resize(1360, 860); w.show()
w.repaint()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""


ALL_PAGES = """
import sys
from reception_desk.ui.app import run_gui
from PySide6.QtWidgets import QApplication
def wait_all(window):
    window.loaded.connect(QApplication.instance().quit)
sys.exit(run_gui(sys.argv[1], None, "bench", False, on_ready=wait_all))
"""


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def _peak_rss(cmd: list[str]) -> float:
    """Peak RSS (MB) of one child, measured in a fresh helper process so earlier children do not count."""
    probe = (
        "import resource, subprocess, sys, os;"
        "subprocess.run(sys.argv[1:], check=True, capture_output=True,"
        " env={**os.environ, 'QT_QPA_PLATFORM': 'offscreen'});"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    """Print median start-up times, their ratio, and memory."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("reception-desk"))
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.sqlite3"
        subprocess.run([exe, "--db", str(demo), "demo"], check=True, capture_output=True)
        app_cmd = [exe, "--db", str(demo), "--quit-when-ready"]
        bare_cmd = [sys.executable, "-c", BARE]
        _timed(app_cmd)  # warm the file cache once for both, like a second start on the day
        _timed(bare_cmd)
        app_times, bare_times = [], []
        for _ in range(args.runs):
            bare_times.append(_timed(bare_cmd)[0])
            app_times.append(_timed(app_cmd)[0])
        app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
        print(
            f"start-up to first painted window (median of {args.runs}): app {app_s:.2f} s, "
            f"bare QMainWindow {bare_s:.2f} s, ratio {app_s / bare_s:.2f} (target ≤ 1.5)"
        )
        print(f"resident memory, demo day: app {_peak_rss(app_cmd):.0f} MB, bare {_peak_rss(bare_cmd):.0f} MB")

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
            t, _ = _timed(big_cmd)
            all_pages = [sys.executable, "-c", ALL_PAGES, str(big)]
            t_all, _ = _timed(all_pages)
            print(
                f"with {args.people:,} people in the day: start-up {t:.2f} s (every page loaded {t_all:.2f} s); "
                f"resident {_peak_rss(big_cmd):.0f} MB at start, {_peak_rss(all_pages):.0f} MB with every page "
                "loaded (target ≤ 250 MB)"
            )


if __name__ == "__main__":
    main()
