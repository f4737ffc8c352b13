#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server (Debian's postgresql package):
# a new cluster in a temporary folder, listening on 127.0.0.1 only, removed afterwards.
# The command sees CHIBO4TOT_TEST_DATABASE_URL (the URL of an empty database), e.g.
#   bash scripts/with_postgres.sh .venv/bin/python -m pytest -q tests/test_db.py
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
  exit 1
fi
port=${CHIBO4TOT_PG_PORT:-55432}
workdir=$(mktemp -d /tmp/chibo4tot-pg.XXXXXX)
chmod 755 "$workdir"
as_owner=()
if [ "$(id -u)" = "0" ]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  chown postgres "$workdir"
  as_owner=(runuser -u postgres --)
fi
cleanup() {
  "${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
"${as_owner[@]}" "$bindir/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
# Loopback only, no unix socket in a shared folder; fsync off: a test server, thrown away.
"${as_owner[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $workdir -c fsync=off -c max_connections=200" \
  start >/dev/null
"$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -q -c "CREATE DATABASE chibo4tot_test" >/dev/null
export CHIBO4TOT_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/chibo4tot_test"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
