#!/usr/bin/env bash
# Runs once, when the TimescaleDB container initialises an empty data folder: a read-only role
# for Grafana, so a dashboard (or someone with Grafana access) can never change the data.
# On an existing database run the same SQL by hand: deploy/sql/grafana-reader.sql.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$PATROL_GRAFANA_DB_PASSWORD" -f - <<'SQL'
create role grafana_reader login password :'reader_password';
grant connect on database patrol to grafana_reader;
grant usage on schema public to grafana_reader;
alter default privileges for role patrol in schema public grant select on tables to grafana_reader;
alter role grafana_reader set statement_timeout = '30s';
SQL
