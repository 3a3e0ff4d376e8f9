/**
 * The hourly rollup the collector keeps itself where the database has no continuous aggregates
 * (plain PostgreSQL, the embedded database in a folder): the same job TimescaleDB's refresh policy
 * does for its continuous aggregate. The tables and the exact `metric_hourly` view over them are in
 * migrations/007-hourly-rollup.ts.
 *
 * Two parts keep it right:
 * - `rollUpHours` (the maintenance round) stores each hour once it ended at least ROLL_LAG ago,
 *   advancing `rolled_until`, and recomputes the hours marked stale;
 * - `markStaleHours` (ingest, in the transaction that stores the readings) marks the hours of
 *   readings that arrive late (an agent replaying its spool after a week offline).
 * Ingest marks every hour that ended more than MARK_AFTER ago, whether rolled yet or not, so a
 * reading can only be missed if its transaction ran for longer than ROLL_LAG − MARK_AFTER (1 h 45)
 * or the collector's clock is that far behind the database's. Each step deletes the marks it
 * covers *before* it reads the raw readings: a mark committed in between survives and the hour is
 * recomputed in the next round, never the reverse.
 *
 * Writers that bypass ingest (a restore, a bulk import of old readings) call `markStaleHours` for
 * what they wrote.
 */
import { tryXactLock, type Db, type Queryable } from './db.js'
import { featuresOf } from './migrate.js'

const HOUR_MS = 3_600_000
/** Hours are rolled once they ended this long ago. */
export const ROLL_LAG = '2 hours'
/** Ingest marks the hours of readings that ended this long ago. */
export const MARK_AFTER_MS = 15 * 60_000
/**
 * Hours grouped per statement when rolling (500 devices at one-minute resolution write about
 * 125,000 readings an hour). The embedded database runs in this process and blocks its event loop
 * while a statement runs, so it rolls an hour at a time.
 */
const STEP_HOURS = { postgres: 6, pglite: 1 } as const
const STALE_PER_STEP = 48
const LOCK_KEY = 7_201_928 // "patrol hourly rollup"
const ORIGIN = "timestamptz '2000-01-03 00:00:00+00'"

/** True where metric_hourly is our rollup (not TimescaleDB's continuous aggregate). */
export function keepsOwnRollup(db: Db): boolean {
  return featuresOf(db) !== 'timescale'
}

/** Start of the UTC hour of each time older than the current hour minus MARK_AFTER_MS, each once. */
export function lateHours(times: ArrayLike<number>, now: number): number[] {
  const before = now - MARK_AFTER_MS
  const hours = new Set<number>()
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!
    const hour = Math.floor(t / HOUR_MS) * HOUR_MS
    if (hour + HOUR_MS <= before) hours.add(hour)
  }
  // In order: two flushes marking the same hours lock them in the same order, never a deadlock.
  return [...hours].sort((a, b) => a - b)
}

/** Marks the hours of these readings (epoch ms) stale where they ended long enough ago. */
export async function markStaleHours(tx: Queryable, times: ArrayLike<number>, now = Date.now()): Promise<number> {
  const hours = lateHours(times, now)
  if (!hours.length) return 0
  await tx.query(
    `insert into metric_hourly_stale (bucket)
     select to_timestamp(h / 1000.0) from unnest($1::float8[]) as u(h)
     on conflict (bucket) do nothing`,
    [hours],
  )
  return hours.length
}

export interface RollupOptions {
  /** Stop starting new steps after this long (the next round goes on); unbounded when absent. */
  budgetMs?: number
  /** Raw readings are kept this long: a stale hour older than that keeps its rollup (nothing left to recompute it from). */
  rawRetentionDays: number
  /** Rolled hours are kept this long. */
  hourlyRetentionDays: number
  /** Called after each step (progress of a long catch-up). */
  onStep?: (step: { from: Date; to: Date; rows: number }) => void
}

export interface RollupReport {
  rolledHours: number
  rolledRows: number
  recomputedHours: number
  deletedRows: number
  rolledUntil: Date | null
  /** Another collector holds the rollup. */
  skipped?: 'locked'
  /** The budget ran out before the rollup caught up. */
  behind?: boolean
}

const INSERT_HOURS = /* sql */ `
  insert into metric_hourly_rollup (bucket, device_id, metric, instance, avg, min, max, samples)
  select date_bin('1 hour', time, ${ORIGIN}), device_id, metric, instance, avg(value), min(value), max(value), count(*)
    from metric_sample where time >= $1 and time < $2
   group by 1, 2, 3, 4
  on conflict (device_id, metric, instance, bucket) do update
    set avg = excluded.avg, min = excluded.min, max = excluded.max, samples = excluded.samples`

export async function rollUpHours(db: Db, options: RollupOptions): Promise<RollupReport> {
  const report: RollupReport = { rolledHours: 0, rolledRows: 0, recomputedHours: 0, deletedRows: 0, rolledUntil: null }
  const started = Date.now()
  const inBudget = () => options.budgetMs === undefined || Date.now() - started < options.budgetMs

  // Retention first: a rolled hour lives hourlyRetentionDays, its raw readings rawRetentionDays.
  report.deletedRows = (await db.query('delete from metric_hourly_rollup where bucket < now() - make_interval(days => $1::int)', [options.hourlyRetentionDays])).rowCount

  for (;;) {
    if (!inBudget()) {
      report.behind = true
      break
    }
    const step = await db.transaction(async (tx) => {
      if (db.engine === 'postgres') {
        if (!(await tryXactLock(tx, LOCK_KEY))) return 'locked' as const
      }
      const { rows: bounds } = await tx.query<{ rolled_until: Date | null; target: Date; first: Date | null }>(
        `select case when p.rolled_until = '-infinity' then null else p.rolled_until end as rolled_until,
                date_bin('1 hour', now() - interval '${ROLL_LAG}', ${ORIGIN}) as target,
                (select date_bin('1 hour', min(time), ${ORIGIN}) from metric_sample
                  where time >= p.rolled_until and time < date_bin('1 hour', now() - interval '${ROLL_LAG}', ${ORIGIN})) as first
           from metric_hourly_progress p for update`,
      )
      const { rolled_until: rolledUntil, target, first } = bounds[0]!
      report.rolledUntil = rolledUntil
      // Stale hours first: they are what a reader sees computed from raw readings until now.
      if (rolledUntil) {
        const { rows: stale } = await tx.query<{ bucket: Date; kept: boolean }>(
          `delete from metric_hourly_stale where bucket in (
             select bucket from metric_hourly_stale where bucket < $1 order by bucket limit ${STALE_PER_STEP})
           returning bucket, bucket >= now() - make_interval(days => $2::int) as kept`,
          [rolledUntil, options.rawRetentionDays],
        )
        const hours = stale.filter((s) => s.kept).map((s) => s.bucket)
        if (hours.length) {
          await tx.query(`delete from metric_hourly_rollup where bucket = any($1::timestamptz[])`, [hours])
          for (const hour of hours) await tx.query(INSERT_HOURS, [hour, new Date(hour.getTime() + HOUR_MS)])
          report.recomputedHours += hours.length
        }
        if (stale.length) return 'stale' as const
      }
      // Then the next hours that ended ROLL_LAG ago, skipping any stretch without readings.
      if (!first || (rolledUntil && rolledUntil >= target)) {
        if (!rolledUntil || rolledUntil < target) {
          await tx.query('update metric_hourly_progress set rolled_until = $1, updated_at = now()', [target])
          report.rolledUntil = target
        }
        return 'done' as const
      }
      const from = rolledUntil && rolledUntil > first ? rolledUntil : first
      const to = new Date(Math.min(from.getTime() + STEP_HOURS[db.engine] * HOUR_MS, target.getTime()))
      await tx.query('delete from metric_hourly_stale where bucket >= $1 and bucket < $2', [from, to])
      const { rowCount } = await tx.query(INSERT_HOURS, [from, to])
      await tx.query('update metric_hourly_progress set rolled_until = $1, updated_at = now()', [to])
      report.rolledHours += Math.round((to.getTime() - from.getTime()) / HOUR_MS)
      report.rolledRows += rowCount
      report.rolledUntil = to
      options.onStep?.({ from, to, rows: rowCount })
      return 'rolled' as const
    })
    if (step === 'locked') return { ...report, skipped: 'locked' }
    if (step === 'done') break
  }
  // A large catch-up leaves the planner's picture of the rollup far behind (autovacuum analyzes
  // later): a report right after would be planned as if the table were nearly empty.
  if (report.rolledRows >= 50_000) await db.query('analyze metric_hourly_rollup')
  return report
}

export interface RollupStatus {
  keptBy: 'timescaledb' | 'collector'
  /** Hours before this are stored (null: nothing rolled yet). */
  rolledUntil: string | null
  /** How far behind the two-hour lag the rollup is: above 0 while it catches up. */
  behindHours: number | null
  staleHours: number | null
}

/** For /api/health: whether the hourly rollup keeps up. */
export async function rollupStatus(db: Db): Promise<RollupStatus> {
  if (!keepsOwnRollup(db)) return { keptBy: 'timescaledb', rolledUntil: null, behindHours: null, staleHours: null }
  const { rows } = await db.query<{ rolled_until: Date | null; behind: number | null; stale: number }>(
    `select case when rolled_until = '-infinity' then null else rolled_until end as rolled_until,
            case when rolled_until = '-infinity' then null
                 else greatest(0, extract(epoch from date_bin('1 hour', now() - interval '${ROLL_LAG}', ${ORIGIN}) - rolled_until) / 3600)::float8 end as behind,
            (select count(*)::int from metric_hourly_stale) as stale
       from metric_hourly_progress`,
  )
  const row = rows[0]
  return { keptBy: 'collector', rolledUntil: row?.rolled_until?.toISOString() ?? null, behindHours: row?.behind ?? null, staleHours: row?.stale ?? null }
}
