#!/usr/bin/env bash
# Project-local PostgreSQL for Cakap.
#
#   scripts/pg.sh up       start (initialising on first use) and print `export DATABASE_URL=…`
#   scripts/pg.sh down     stop the server (data kept)
#   scripts/pg.sh restart [fast|immediate]
#                          restart it: `fast` ends sessions cleanly, `immediate` is a crash (WAL recovery)
#   scripts/pg.sh replica-up    start a streaming replica of it (pg_basebackup -R) on
#                               CAKAP_PGREPLICAPORT (default port + 1) and print `export CAKAP_DATABASE_READ_URL=…`
#   scripts/pg.sh replica-down  stop the replica
#   scripts/pg.sh status   say whether it runs
#   scripts/pg.sh destroy  stop the server and delete its data directory
#
# Settings: CAKAP_PGDIR (default .pgdata in the checkout), CAKAP_PGPORT (default 54329),
#           CAKAP_PGDB (database name, default cakap).
# Runs the server as the `postgres` OS user when called as root (initdb refuses root).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CAKAP_PGDIR:-$root/.pgdata}"
case "$dir" in /*) ;; *) dir="$root/$dir" ;; esac
port="${CAKAP_PGPORT:-54329}"
db="${CAKAP_PGDB:-cakap}"
data="$dir/data"
log="$dir/server.log"

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

find_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

bin="$(find_bin || true)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "no PostgreSQL binaries found: installing the postgresql package with apt"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(find_bin || true)"
  fi
  [ -n "$bin" ] || die "PostgreSQL server binaries not found. Install them (Debian: sudo apt-get install postgresql) or set DATABASE_URL to a server you already have."
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

cmd="${1:-up}"
case "$cmd" in
  up)
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user: install the postgresql package"
        chown postgres:postgres "$dir"
      fi
      say "initialising a new database cluster in $data"
      as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || die "initdb failed, see $dir/initdb.log"
    fi
    if ! running; then
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is already in use by another program: set CAKAP_PGPORT to a free port"
      fi
      as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null \
        || die "PostgreSQL did not start, see $log"
      say "PostgreSQL started on 127.0.0.1:$port (data in $data)"
    fi
    if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc \
        "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
    fi
    echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$port/$db"
    ;;
  down)
    if running; then as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; say "PostgreSQL stopped"; else say "not running"; fi
    ;;
  restart)
    mode="${2:-fast}"
    case "$mode" in fast|immediate) ;; *) die "restart mode is fast or immediate" ;; esac
    running || die "not running"
    as_pg "$bin/pg_ctl" -D "$data" -m "$mode" -w stop >/dev/null
    as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" start >/dev/null
    say "PostgreSQL restarted ($mode)"
    ;;
  replica-up)
    running || die "the primary is not running (scripts/pg.sh up first)"
    rdir="$dir-replica"
    rport="${CAKAP_PGREPLICAPORT:-$((port + 1))}"
    if [ ! -f "$rdir/data/PG_VERSION" ]; then
      mkdir -p "$rdir"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$rdir"
      as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$rdir/data" -R -X stream -c fast \
        >"$rdir/basebackup.log" 2>&1 || die "pg_basebackup failed, see $rdir/basebackup.log"
    fi
    if ! { [ -f "$rdir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$rdir/data" status >/dev/null 2>&1; }; then
      as_pg "$bin/pg_ctl" -D "$rdir/data" -l "$rdir/server.log" -w -t 60 \
        -o "-p $rport -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c hot_standby=on" start >/dev/null \
        || die "the replica did not start, see $rdir/server.log"
      say "replica started on 127.0.0.1:$rport (data in $rdir/data)"
    fi
    echo "export CAKAP_DATABASE_READ_URL=postgres://postgres@127.0.0.1:$rport/$db"
    ;;
  replica-down)
    rdir="$dir-replica"
    if [ -f "$rdir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$rdir/data" -m fast -w stop >/dev/null; say "replica stopped"; else say "replica not running"; fi
    ;;
  status)
    if running; then say "running on 127.0.0.1:$port (data in $data)"; else say "not running"; exit 3; fi
    ;;
  destroy)
    if [ -f "$dir-replica/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir-replica/data" -m immediate -w stop >/dev/null || true; fi
    rm -rf "$dir-replica"
    if running; then as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    rm -rf "$dir"; say "deleted $dir"
    ;;
  *) die "usage: scripts/pg.sh up|down|restart [fast|immediate]|replica-up|replica-down|status|destroy" ;;
esac
