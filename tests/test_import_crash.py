"""A process killed in the middle of an import leaves an intact SQLite file with none or all of the batches."""

from __future__ import annotations

import datetime as dt
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from reception_desk.db.engine import Database
from reception_desk.db.migrate import upgrade_to_head
from reception_desk.domain import resident_id
from reception_desk.services.days import create_day
from reception_desk.services.importing import import_registrations

ROWS = 6000
WAIT_SECONDS = 120
REPO = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from reception_desk.db.engine import Database
from reception_desk.services.importing import import_registrations

def progress(done, total):
    print(f"progress {done} {total}", flush=True)

report = import_registrations(Database(sys.argv[1]), sys.argv[2], int(sys.argv[3]), progress=progress)
print(f"done {report.imported}", flush=True)
"""


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("预登记名单")
    ws.append(["序号", "姓名", "身份证号码", "联系电话", "来访人数", "问题类别", "反映问题及诉求", "同行人员"])
    start = dt.date(1950, 1, 1)
    for i in range(ROWS):
        number = resident_id.make("330803", start + dt.timedelta(days=i), i % 1000)
        ws.append([i + 1, f"来访人{i}", number, f"138{i:08d}", 2, "劳动社保", f"拖欠工资{i}", f"同行{i}"])
    wb.save(path)
    return path


def _first_line(proc: subprocess.Popen[bytes], deadline: float) -> str:
    """The child's first line of output, waiting no longer than the deadline."""
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    buffer = b""
    try:
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(timeout=remaining):
                raise AssertionError("no progress line from the importing process in time")
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                raise AssertionError(f"the importing process ended early (exit {proc.wait(timeout=10)})")
            buffer += chunk
    finally:
        selector.close()
    return buffer.split(b"\n", 1)[0].decode()


@pytest.mark.slow
def test_kill_during_import_leaves_none_or_all(tmp_path: Path) -> None:
    db_file = tmp_path / "crash.sqlite3"
    url = f"sqlite:///{db_file}"
    db = Database(url)
    upgrade_to_head(db.engine)
    day, _ = create_day(db, dt.date(2026, 12, 4))
    db.dispose()
    path = _workbook(tmp_path / "名单.xlsx")

    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(path), str(day.id)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        line = _first_line(proc, time.monotonic() + WAIT_SECONDS)
        assert line.startswith("progress "), line
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()

    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        batches = conn.execute("SELECT count(*) FROM batch").fetchone()[0]
        visitors = conn.execute("SELECT count(*) FROM visitor").fetchone()[0]
        members = conn.execute("SELECT count(*) FROM batch_member").fetchone()[0]
        audits = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0]
    finally:
        conn.close()
    assert (batches, visitors, members, audits) in {(0, 0, 0, 0), (ROWS, 2 * ROWS, 2 * ROWS, ROWS)}

    # the file is still a working database: the import can simply be run again
    db = Database(url)
    try:
        report = import_registrations(db, path, day.id)
        assert report.imported + len(report.duplicates) == ROWS
    finally:
        db.dispose()
