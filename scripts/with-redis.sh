#!/usr/bin/env bash
# Run a command against a throwaway Redis server on a loopback port. Nothing is saved to
# disk; the server is stopped and its folder removed afterwards.
# Usage: scripts/with-redis.sh COMMAND [ARGS...]   (REDIS_URL is set for it)
set -euo pipefail

REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
if [[ -z "$REDIS_SERVER" || ! -x "$REDIS_SERVER" ]]; then
  echo "redis-server not found (install Debian's redis-server package)." >&2
  exit 3
fi

workdir=$(mktemp -d -t framework-redis-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

# No snapshots and no append-only file: a cache has nothing worth keeping. A memory
# limit, past which the least recently used entries go, as production should have: every
# entry can be made again from the database, and without a limit a stream of addresses
# could fill the machine's memory (REDIS_MAXMEMORY to change it).
"$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --maxmemory "${REDIS_MAXMEMORY:-256mb}" --maxmemory-policy allkeys-lru \
  --dir "$workdir" --logfile "$workdir/redis.log" --daemonize no &
server=$!

stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$workdir"
}
trap stop EXIT

answers() {
  python3 - "$port" <<'EOF'
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
EOF
}
for _ in $(seq 100); do
  answers 2>/dev/null && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "redis-server stopped while starting:" >&2
    cat "$workdir/redis.log" >&2
    exit 3
  fi
  sleep 0.1
done
answers 2>/dev/null || { echo "redis-server did not answer on 127.0.0.1:$port" >&2; exit 3; }

export REDIS_URL="redis://127.0.0.1:$port/0"
echo "Throwaway Redis $("$REDIS_SERVER" --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port"
"$@"
