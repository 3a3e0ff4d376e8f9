/**
 * A versioned schema change. `sql` runs everywhere; `timescale` runs only where the TimescaleDB
 * extension is present (hypertables, compression, continuous aggregates) and `plain` only where it
 * is not (plain tables stay plain, a time_bucket shim, views in place of continuous aggregates).
 * Only DDL is gated: every query the collector, the API and Grafana run is the same on both.
 */
export interface Migration {
  id: number
  name: string
  sql: string
  timescale?: string
  plain?: string
}
