#!/usr/bin/env bash
# Runs a command with the Bluesky reference servers up, all on loopback with throwaway data:
# PostgreSQL and Redis from Debian, and @atproto/dev-env's PLC, PDS and AppView.
# Exports EARSHOT_TEST_PDS_URL, EARSHOT_TEST_APPVIEW_URL, EARSHOT_TEST_PLC_URL, the chat test
# service's EARSHOT_TEST_CHAT_URL and EARSHOT_CHAT_SERVICE (its DID and service id, which
# Earshot puts in `atproto-proxy`), and stops everything when the command ends, pass or fail.
#
#   tests/atproto/with-atproto.sh COMMAND [ARGS...]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d -t earshot-atproto.XXXXXX)
chmod 755 "$work"
pids=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
  local status=$?
  exec 3>&- 2>/dev/null || true # closing the network's stdin stops it
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -f "$work/pg/postmaster.pid" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The cluster and the server's socket and log live in folders the postgres user owns.
mkdir "$work/pg" "$work/pg-run"
[ "$(id -u)" -ne 0 ] || chown postgres "$work/pg" "$work/pg-run"
as_postgres "$pg_bin/initdb" -D "$work/pg" -U earshot --auth=trust -E UTF8 >"$work/initdb.log" 2>&1
pg_port=$(free_port)
as_postgres "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg-run/postgres.log" -w start \
  -o "-p $pg_port -k $work/pg-run -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
export DB_POSTGRES_URL="postgresql://earshot@127.0.0.1:$pg_port/postgres"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  >"$work/redis.log" 2>&1 &
pids+=($!)
export REDIS_HOST="127.0.0.1:$redis_port"

mkfifo "$work/stdin"
node "$here/network.mjs" <"$work/stdin" >"$work/network.json" 2>"$work/network.log" &
pids+=($!)
exec 3>"$work/stdin"
for ((i = 0; i < 600; i++)); do
  [ -s "$work/network.json" ] && break
  if ! kill -0 "${pids[-1]}" 2>/dev/null; then
    echo "with-atproto: the reference servers failed to start:" >&2
    tail -n 30 "$work/network.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -s "$work/network.json" ] || { echo "with-atproto: no reference servers after 60 s" >&2; exit 1; }

url() { /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$work/network.json" "$1"; }
export EARSHOT_TEST_PDS_URL=$(url pds) EARSHOT_TEST_APPVIEW_URL=$(url appview)
export EARSHOT_TEST_PLC_URL=$(url plc)
export EARSHOT_TEST_CHAT_URL=$(url chat) EARSHOT_CHAT_SERVICE="$(url chatDid)#bsky_chat"

"$@"
