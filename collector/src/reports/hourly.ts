/**
 * Where a report reads its hourly aggregates (trends, peaks, averages): never raw readings.
 * - On a TimescaleDB server metric_hourly is a continuous aggregate: materialised hourly rows, so
 *   reading it costs the same whether agents report every minute or every hour. Read as it is.
 * - Elsewhere (plain PostgreSQL, the embedded database in a folder) metric_hourly is a view that
 *   groups the raw readings when it is read, and a condition on its `bucket` cannot use the time
 *   index, so a quarter's report would group every reading still kept (400 days by default). There
 *   the same view is read with the period's time bounds on the raw `time` column, so only the
 *   period's readings (and, on hypertables, only its chunks) are grouped.
 */
import type { Queryable } from '../store/db.js'

export const HOURLY = 'metric_hourly'

/**
 * date_bin with TimescaleDB's origin (2000-01-03) buckets exactly like time_bucket for fixed
 * widths, and is a built-in C function everywhere (PostgreSQL 14+): on plain PostgreSQL the
 * time_bucket shim is an SQL function that is not inlined (extract() is only stable) and costs a
 * function call per row, measured at about 4× the scan itself for a quarter of switch ports.
 */
export const BUCKET_ORIGIN = "timestamptz '2000-01-03 00:00:00+00'"

/** A FROM item named metric_hourly for [from, to). The bounds come from Dates, never from text input. */
export async function hourlySource(db: Queryable, from: Date, to: Date): Promise<string> {
  const { rows } = await db.query<{ def: string | null }>("select pg_get_viewdef(to_regclass('metric_hourly')) as def")
  if ((rows[0]?.def ?? '').includes('_materialized_hypertable_')) return HOURLY
  return `(select date_bin('1 hour', time, ${BUCKET_ORIGIN}) as bucket, device_id, metric, instance, avg(value) as avg, min(value) as min, max(value) as max, count(*) as samples
             from metric_sample where time >= '${from.toISOString()}'::timestamptz and time < '${to.toISOString()}'::timestamptz
            group by device_id, metric, instance, 1) as metric_hourly`
}
