#!/usr/bin/env bash
# A fresh demo day (mid-afternoon of a reception day) in its own SQLite file, then the app on it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
# no usable display (none set, or a stale DISPLAY / ssh -X gone): say so in one line before building the day
.venv/bin/python -c 'import sys; from reception_desk.ui.display import display_problem as p; m = p(); m and print(m, file=sys.stderr); sys.exit(1 if m else 0)'
DEMO_DB="$(.venv/bin/python -c 'from reception_desk.db.engine import data_dir; print(data_dir() / "demo.sqlite3")')"
rm -f "$DEMO_DB" "$DEMO_DB-wal" "$DEMO_DB-shm"
.venv/bin/reception-desk --db "$DEMO_DB" demo "$@"
echo "The command line works on it too: .venv/bin/reception-desk --db \"$DEMO_DB\" --help"
exec .venv/bin/reception-desk --db "$DEMO_DB"
