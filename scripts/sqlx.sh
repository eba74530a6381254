#!/usr/bin/env bash
# The checked queries' cache (.sqlx/): every `sqlx::query!`, `query_as!` and `query_scalar!` is
# described by PostgreSQL at build time, and the description is committed so that a build needs
# no database (.cargo/config.toml sets SQLX_OFFLINE=true).
#
#   scripts/sqlx.sh prepare   rebuild .sqlx/ after adding or changing a query or a migration
#   scripts/sqlx.sh check     fail when .sqlx/ differs from what the schema gives now (scripts/test)
#
# Both build a fresh schema database (CAKAP_SCHEMA_DB, default cakap_schema) on the server of
# DATABASE_URL (without it, the test server of scripts/test), apply migrations/ and db/rules/ in
# the order the app applies them, and check the crate with the macros online against it.
# This needs no sqlx-cli: the macros themselves write what they describe (SQLX_OFFLINE_DIR).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode="${1:-check}"
case "$mode" in prepare|check) ;; *) echo "usage: scripts/sqlx.sh prepare|check" >&2; exit 2 ;; esac
if [ -z "${DATABASE_URL:-}" ]; then
  eval "$(CAKAP_PGDIR=.pgdata-test CAKAP_PGPORT="${CAKAP_TEST_PGPORT:-54339}" CAKAP_PGDB=cakap_test scripts/pg.sh up)"
fi
server="${DATABASE_URL%/*}"
export PGOPTIONS="-c client_min_messages=warning"
schema_db="${CAKAP_SCHEMA_DB:-cakap_schema}"
schema_url="$server/$schema_db"
psql "$server/postgres" -qAt -v ON_ERROR_STOP=1 -c "drop database if exists $schema_db" -c "create database $schema_db" >/dev/null
for f in migrations/*.sql; do
  psql "$schema_url" -qAt -v ON_ERROR_STOP=1 -1 -f "$f" >/dev/null
done
# The rules in the order src/app/rules.rs applies them (later rules read earlier ones).
for name in $(grep -oP '^\s*\("\K[a-z_]+(?=", include_str!)' src/app/rules.rs); do
  psql "$schema_url" -qAt -v ON_ERROR_STOP=1 -1 -f "db/rules/$name.sql" >/dev/null
done
fresh="$PWD/target/sqlx-fresh"
rm -rf "$fresh" && mkdir -p "$fresh"
# The macros run only when their crate is compiled: touch the roots so every query is described.
touch src/lib.rs src/main.rs
SQLX_OFFLINE=false DATABASE_URL="$schema_url" SQLX_OFFLINE_DIR="$fresh" cargo check --lib --bins --quiet
if [ "$mode" = prepare ]; then
  rm -rf .sqlx && mkdir -p .sqlx
  cp "$fresh"/*.json .sqlx/ 2>/dev/null || true
  echo "scripts/sqlx.sh: .sqlx/ holds $(ls .sqlx | wc -l) described queries; commit it" >&2
else
  mkdir -p .sqlx
  if ! diff -r -q .sqlx "$fresh" >&2; then
    echo "scripts/sqlx.sh: .sqlx/ is stale (above: what differs). Run scripts/sqlx.sh prepare and commit .sqlx/" >&2
    exit 1
  fi
  echo "scripts/sqlx.sh: .sqlx/ matches the schema ($(ls .sqlx | wc -l) queries)" >&2
fi
