#!/usr/bin/env bash
# Restores a backup made by backup.sh into an EMPTY database (create it first), then the reports.
#
#   DATABASE_URL=postgres://patrol:…@db:5432/patrol PATROL_DATA_DIR=/var/lib/patrol \
#     deploy/backup/restore.sh /var/backups/patrol/patrol-20260101T020000Z
#
# Stop the collectors first (they would write while the restore runs). On TimescaleDB the server
# must have the same TimescaleDB version as the backup (timescaledb-version in the folder); the
# restore runs between timescaledb_pre_restore() and timescaledb_post_restore(), as TimescaleDB
# requires. Start the collectors afterwards: they apply any newer migrations.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the (empty) database to restore into}"
source="${1:?usage: restore.sh <backup-folder>}"
data_dir="${PATROL_DATA_DIR:-/var/lib/patrol}"
(cd "$source" && sha256sum --check --quiet SHA256SUMS)

tables="$(psql "$DATABASE_URL" -XAtc "select count(*) from pg_tables where schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "refusing: the target database already has $tables tables; restore into an empty database" >&2
  exit 1
fi

wanted="$(cat "$source/timescaledb-version")"
if [ "$wanted" != "none" ]; then
  psql "$DATABASE_URL" -Xv ON_ERROR_STOP=1 -c "create extension if not exists timescaledb version '$wanted'"
  psql "$DATABASE_URL" -Xv ON_ERROR_STOP=1 -c "select timescaledb_pre_restore()"
fi
status=0
pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$source/patrol.dump" || status=$?
if [ "$wanted" != "none" ]; then
  psql "$DATABASE_URL" -Xv ON_ERROR_STOP=1 -c "select timescaledb_post_restore()"
fi
[ "$status" = 0 ] || { echo "pg_restore failed with $status" >&2; exit "$status"; }

if [ -f "$source/reports.tar.gz" ]; then
  mkdir -p "$data_dir"
  tar -C "$data_dir" -xzf "$source/reports.tar.gz"
  echo "reports restored into $data_dir/reports"
fi
echo "restored schema version $(cat "$source/schema-version") from $source"
