#!/usr/bin/env bash
# A throwaway PostgreSQL for the storage tests: on 127.0.0.1, in a temporary directory.
#   .ci/pg.sh start [PORT]   install if missing, initdb, start, create db "stod"; prints the URL
#   .ci/pg.sh stop           stop the server and remove its directory
# Usage from CI:  export STOD_TEST_PG_URL=$(.ci/pg.sh start) ... ; .ci/pg.sh stop
set -euo pipefail

STATE=${STOD_PG_STATE:-/tmp/stod-pg.state}
log() { echo "pg.sh: $*" >&2; }

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

install_pg() {
  if ! find_bin >/dev/null; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
}

# The server refuses to run as root: run it as the packages' postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local port=${1:-55432}
  if [ -f "$STATE" ]; then
    log "a server from $STATE seems to be running; run '$0 stop' first"
    exit 1
  fi
  install_pg
  local bin dir
  bin=$(find_bin)
  dir=$(mktemp -d /tmp/stod-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres; chown postgres "$dir"; }
  as_pg "$bin/initdb" -D "$dir/data" -U stod --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=100" start >&2
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U stod stod
  printf '%s\n%s\n%s\n' "$dir" "$port" "$bin" > "$STATE"
  echo "postgresql+psycopg://stod@127.0.0.1:$port/stod"
}

stop() {
  if [ ! -f "$STATE" ]; then
    log "no server to stop ($STATE not found)"
    return 0
  fi
  local dir port bin
  { read -r dir; read -r port; read -r bin; } < "$STATE"
  as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir" "$STATE"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
