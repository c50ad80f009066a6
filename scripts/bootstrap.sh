#!/usr/bin/env bash
# Set up .venv with the project and its dev tools. Idempotent: pip runs again only when pyproject.toml changed.
# Sourced by demo.sh and test.sh; safe to run on its own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Reception Desk needs Python 3.11 or newer (found: $("$PY" --version 2>&1 || echo none))." >&2
  exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Debian/Ubuntu ship venv separately.
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  echo "Installing python3-venv (Debian package)..." >&2
  as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi

stamp=".venv/.reception-desk-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing Reception Desk and its dependencies into .venv ..." >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi

"$ROOT/scripts/ensure-system-libs.sh"
