#!/usr/bin/env bash
# Backs up Patrol: the database (pg_dump, custom format: compressed, restorable table by table)
# and the collector's data folder (the report archive), into one dated folder with checksums.
#
#   DATABASE_URL=postgres://patrol:…@db:5432/patrol PATROL_DATA_DIR=/var/lib/patrol \
#     deploy/backup/backup.sh /var/backups/patrol [keep-days]
#
# With docker compose:  docker compose -f deploy/docker-compose.yml exec -T timescaledb \
#   pg_dump -U patrol -Fc patrol > patrol.dump   (and copy the collector-data volume).
# Run it from cron or a systemd timer; copy the result off the machine.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
target_root="${1:?usage: backup.sh <backup-folder> [keep-days]}"
keep_days="${2:-30}"
data_dir="${PATROL_DATA_DIR:-/var/lib/patrol}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$target_root/patrol-$stamp"
mkdir -p "$target"

echo "database → $target/patrol.dump"
# TimescaleDB prints warnings about circular foreign keys of its catalog: harmless, documented.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file "$target/patrol.dump" "$DATABASE_URL"
psql "$DATABASE_URL" -XAtc "select coalesce((select extversion from pg_extension where extname = 'timescaledb'), 'none')" > "$target/timescaledb-version"
psql "$DATABASE_URL" -XAtc "select coalesce(max(id), 0) from schema_migration" > "$target/schema-version"

if [ -d "$data_dir/reports" ]; then
  echo "reports  → $target/reports.tar.gz"
  tar -C "$data_dir" -czf "$target/reports.tar.gz" reports
else
  echo "no report archive at $data_dir/reports (nothing to archive)"
fi

(cd "$target" && sha256sum -- * > SHA256SUMS)
echo "backup complete: $target (TimescaleDB $(cat "$target/timescaledb-version"), schema $(cat "$target/schema-version"))"

# Old backups go; the newest one always stays, whatever its age.
find "$target_root" -maxdepth 1 -type d -name 'patrol-*' -mtime "+$keep_days" ! -path "$target" -exec rm -rf {} +
