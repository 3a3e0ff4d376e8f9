/**
 * A versioned schema change, with the DDL gated on what the database can do (`Features`):
 * - `sql` runs everywhere;
 * - `hypertables` where TimescaleDB is present (its Apache-licensed core: hypertables,
 *   time_bucket, drop_chunks);
 * - `tsl` where TimescaleDB's TSL module is there for good: a TimescaleDB server (compression,
 *   continuous aggregates);
 * - `withoutTsl` everywhere else: the plain views that stand in for continuous aggregates;
 * - `plain` only without TimescaleDB: the time_bucket shim.
 * Only DDL is gated: every query the collector, the API and Grafana run is the same on all three.
 */
export interface Migration {
  id: number
  name: string
  sql: string
  plain?: string
  hypertables?: string
  tsl?: string
  withoutTsl?: string
}

/**
 * - `timescale`: a TimescaleDB server (or a fresh in-memory PGlite, in tests);
 * - `timescale-core`: the embedded PGlite in a data folder, which cannot load the TSL module again
 *   once reopened (continuous-aggregate triggers and compressed chunks then break inserts and reads);
 * - `plain`: PostgreSQL without TimescaleDB.
 */
export type Features = 'timescale' | 'timescale-core' | 'plain'

export function gatedSql(migration: Migration, features: Features): string[] {
  switch (features) {
    case 'timescale':
      return [migration.sql, migration.hypertables, migration.tsl].filter((s): s is string => Boolean(s))
    case 'timescale-core':
      return [migration.sql, migration.hypertables, migration.withoutTsl].filter((s): s is string => Boolean(s))
    case 'plain':
      return [migration.sql, migration.plain, migration.withoutTsl].filter((s): s is string => Boolean(s))
  }
}
