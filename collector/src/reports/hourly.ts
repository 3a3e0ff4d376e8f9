/**
 * Where a report reads its hourly aggregates (trends, peaks, averages): never raw readings.
 * - On a TimescaleDB server metric_hourly is a continuous aggregate: materialised hourly rows, so
 *   reading it costs the same whether agents report every minute or every hour. Read as it is.
 * - Elsewhere (plain PostgreSQL, the embedded database in a folder) the collector keeps the
 *   hourly rollup itself (store/hourly-rollup.ts) and metric_hourly is a view over it and the raw
 *   tail. The report reads the same three parts with the period's bounds written into each, so
 *   the planner uses the rollup's key and the raw readings' time index for exactly the period:
 *   rolled hours from the rollup, the hours not rolled yet and the stale ones from the raw readings.
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

/**
 * A FROM item named metric_hourly holding the hours that start in [from, to), as a condition on
 * `bucket` selects them from the continuous aggregate. The bounds come from Dates, never from text
 * input.
 */
export async function hourlySource(db: Queryable, from: Date, to: Date): Promise<string> {
  const { rows: found } = await db.query<{ rollup: boolean }>("select to_regclass('metric_hourly_rollup') is not null as rollup")
  if (!found[0]?.rollup) return HOURLY
  const { rows } = await db.query<{ rolled_until: Date | null }>("select case when rolled_until = '-infinity' then null else rolled_until end as rolled_until from metric_hourly_progress")
  const lit = (d: Date) => `'${d.toISOString()}'::timestamptz`
  const ceilHour = (d: Date) => new Date(Math.ceil(d.getTime() / 3_600_000) * 3_600_000)
  from = ceilHour(from)
  to = ceilHour(to)
  const rolledUntil = rows[0]?.rolled_until ?? null
  // Rolled part [from, min(to, rolledUntil)) and raw tail [max(from, rolledUntil), to).
  const rolledEnd = rolledUntil && rolledUntil < to ? rolledUntil : rolledUntil ? to : from
  const rawStart = rolledUntil && rolledUntil > from ? rolledUntil : from
  const parts: string[] = []
  if (rolledEnd > from) {
    parts.push(`select r.bucket, r.device_id, r.metric, r.instance, r.avg, r.min, r.max, r.samples::bigint as samples
                  from metric_hourly_rollup r
                 where r.bucket >= ${lit(from)} and r.bucket < ${lit(rolledEnd)}
                   and not exists (select 1 from metric_hourly_stale s where s.bucket = r.bucket)`)
    // LATERAL, as in the view (migrations/007): driven by the stale hours, usually none.
    parts.push(`select s.bucket, g.device_id, g.metric, g.instance, g.avg, g.min, g.max, g.samples
                  from metric_hourly_stale s
                  cross join lateral (
                    select m.device_id, m.metric, m.instance, avg(m.value) as avg, min(m.value) as min, max(m.value) as max, count(*) as samples
                      from metric_sample m where m.time >= s.bucket and m.time < s.bucket + interval '1 hour'
                     group by 1, 2, 3) g
                 where s.bucket >= ${lit(from)} and s.bucket < ${lit(rolledEnd)}`)
  }
  if (rawStart < to) {
    parts.push(`select date_bin('1 hour', time, ${BUCKET_ORIGIN}) as bucket, device_id, metric, instance, avg(value) as avg, min(value) as min, max(value) as max, count(*) as samples
                  from metric_sample where time >= ${lit(rawStart)} and time < ${lit(to)}
                 group by device_id, metric, instance, 1`)
  }
  return `(${parts.join('\n union all\n')}) as metric_hourly`
}
