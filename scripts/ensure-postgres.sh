#!/usr/bin/env bash
# Make sure the test PostgreSQL server answers on 127.0.0.1:5432; start the local cluster if it is down.
set -uo pipefail
HOST="${PGHOST_TEST:-127.0.0.1}"
PORT="${PGPORT_TEST:-5432}"

ready() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h "$HOST" -p "$PORT"; else
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; fi
}

ready && exit 0
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    echo "Starting PostgreSQL $version ..." >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 60); do ready && exit 0; sleep 0.5; done
fi
echo "PostgreSQL does not answer on $HOST:$PORT (see README: Tests on PostgreSQL)." >&2
exit 1
