#!/usr/bin/env bash
# The whole test suite: lint, types, and every test on SQLite and on the real PostgreSQL server.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
if ! "$ROOT/scripts/ensure-postgres.sh"; then
  if [ "${CI:-}" = "true" ]; then echo "CI needs PostgreSQL." >&2; exit 1; fi
  echo "PostgreSQL tests will be skipped." >&2
fi
export QT_QPA_PLATFORM=offscreen
# the full run is serial: it may restart the local PostgreSQL once (tests/test_change_feed.py, issue #9 item 8)
export RECEPTION_DESK_TEST_PG_RESTART="${RECEPTION_DESK_TEST_PG_RESTART:-1}"
.venv/bin/ruff check reception_desk tests bench
.venv/bin/ruff format --check reception_desk tests bench
.venv/bin/mypy
exec .venv/bin/pytest "$@"
