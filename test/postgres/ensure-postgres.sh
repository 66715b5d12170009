#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1 for the tests and benchmarks, then prints its
# connection URL on stdout (and nothing else there). Idempotent: a server already started by an
# earlier call is reused. On Debian as root it installs the `postgresql` package when it is missing.
#
#   STEPWISE_PG_PORT  port to use (default 54329, away from a system cluster on 5432)
#   STEPWISE_PG_DIR   data folder of the test cluster (default /tmp/stepwise-pg-$PORT)
#
# The cluster trusts connections from 127.0.0.1 (user postgres, no password): it is a throwaway
# server for tests on this machine only, never one to expose.
set -euo pipefail

PORT="${STEPWISE_PG_PORT:-54329}"
DATA="${STEPWISE_PG_DIR:-/tmp/stepwise-pg-$PORT}"
DB=stepwise
URL="postgres://postgres@127.0.0.1:$PORT/$DB"
log() { echo "ensure-postgres: $*" >&2; }

# Test files run in parallel and may all call this at once: one at a time sets the server up.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/stepwise-pg-$PORT.lock"
  flock -w 900 9
fi

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
  return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(find_bin || true)"
  fi
  if [ -z "$BIN" ]; then
    log "PostgreSQL is not installed; install Debian's 'postgresql' package (as root: apt-get install -y postgresql) or set STEPWISE_PG_URL."
    exit 1
  fi
fi

# Commands run as the cluster's owner: `postgres` when we are root (the server refuses root).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres -U postgres >/dev/null 2>&1; }

if ! ready; then
  if [ ! -s "$DATA/PG_VERSION" ]; then
    log "creating a cluster in $DATA"
    rm -rf "$DATA"
    mkdir -p "$DATA"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA"; fi
    chmod 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
      || as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
    cat >>"$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
max_connections = 200
shared_buffers = 128MB
# A throwaway cluster for tests: commits return before their WAL reaches the disk (a crash of
# this machine could lose the last few; a crash of a client or worker loses nothing).
synchronous_commit = off
CONF
  fi
  # A server that died (e.g. killed with its container) leaves a pid file behind: pg_ctl copes.
  log "starting PostgreSQL on 127.0.0.1:$PORT"
  as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >&2 9>&- || { cat "$DATA/server.log" >&2; exit 1; }
fi

for _ in $(seq 1 60); do ready && break; sleep 0.5; done
ready || { log "PostgreSQL did not become ready on port $PORT"; exit 1; }

if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB" 2>/dev/null || true
fi
echo "$URL"
