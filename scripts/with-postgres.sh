#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server on a loopback port.
# The server lives in a temporary folder and is stopped and removed afterwards.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]   (DATABASE_URL is set for it)
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x "$PG_BIN/initdb" ]]; then
  echo "PostgreSQL 15 server binaries not found in $PG_BIN (install Debian's postgresql package)." >&2
  exit 3
fi

workdir=$(mktemp -d -t framework-pg-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

# initdb refuses to run as root, so the server runs as the postgres user there.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  as_owner=(runuser -u postgres --)
  chown postgres "$workdir"
fi

stop() {
  "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap stop EXIT

"${as_owner[@]}" "$PG_BIN/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
"${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$workdir/data" -w -l "$workdir/server.log" \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"${as_owner[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres framework

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/framework"
echo "Throwaway PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
