/**
 * Keeping the database in shape: compression, retention and the refresh of the hourly aggregate.
 * How depends on what the database can do (`maintenanceMode`):
 * - `policies` (a TimescaleDB server): compression, retention and continuous-aggregate policies,
 *   run by TimescaleDB's own background workers.
 * - `policies-run-here` (an in-memory PGlite with TimescaleDB, in tests): the same policies, but
 *   PGlite has no background workers, so the collector runs the jobs when they are due.
 * - `drop-chunks` (the embedded PGlite in a data folder): PGlite cannot load TimescaleDB's TSL
 *   module again after the database is reopened: compression, aggregate refreshes, policies and
 *   the continuous aggregate's insert trigger then fail, and rows in compressed chunks are no
 *   longer returned (measured: 251 of 500). So this database uses only TimescaleDB's core
 *   (see migrations/migration.ts): hypertables, retention by dropping whole chunks (drop_chunks
 *   works without TSL), and the hourly rollup kept by the collector (hourly-rollup.ts).
 * - `delete` (plain PostgreSQL): the collector deletes what is past retention and keeps the hourly
 *   rollup (hourly-rollup.ts).
 * Housekeeping of our own tables (replay window, rejected messages) runs everywhere. With several
 * collectors on one database an advisory lock makes each round run once.
 */
import type { Logger } from 'pino'
import type { CollectorConfig } from '../config.js'
import { tryXactLock, type Db } from './db.js'
import { featuresOf } from './migrate.js'
import { deleteExpiredSessions } from '../auth/sessions.js'
import { keepsOwnRollup, rollUpHours, type RollupReport } from './hourly-rollup.js'

const LOCK_KEY = 7_201_927 // "patrol maintenance"
const RAW_TABLES = ['metric_sample', 'device_event', 'device_status_change'] as const

type Settings = Pick<CollectorConfig, 'rawRetentionDays' | 'hourlyRetentionDays' | 'compressAfterDays' | 'replayWindowDays' | 'maintenanceIntervalS'>

export type MaintenanceMode = 'policies' | 'policies-run-here' | 'drop-chunks' | 'delete'

export function maintenanceMode(db: Db): MaintenanceMode {
  switch (featuresOf(db)) {
    case 'plain':
      return 'delete'
    case 'timescale-core':
      return 'drop-chunks'
    case 'timescale':
      return db.engine === 'postgres' ? 'policies' : 'policies-run-here'
  }
}

export async function applyTimescalePolicies(db: Db, settings: Settings): Promise<void> {
  const mode = maintenanceMode(db)
  if (mode !== 'policies' && mode !== 'policies-run-here') return
  // Removed and added again so a changed setting takes effect at the next start.
  await db.query("select remove_compression_policy('metric_sample', if_exists => true)")
  await db.query("select add_compression_policy('metric_sample', compress_after => make_interval(days => $1::int))", [settings.compressAfterDays])
  for (const table of RAW_TABLES) {
    await db.query('select remove_retention_policy($1::regclass, if_exists => true)', [table])
    await db.query('select add_retention_policy($1::regclass, drop_after => make_interval(days => $2::int))', [table, settings.rawRetentionDays])
  }
  await db.query("select remove_continuous_aggregate_policy('metric_hourly', if_exists => true)")
  // A month back, not the usual few days: an agent that was offline replays its spool late, and
  // readings older than the refresh window would never reach the hourly aggregate. Refreshing
  // only costs where something changed (TimescaleDB tracks invalidated ranges).
  await db.query(
    "select add_continuous_aggregate_policy('metric_hourly', start_offset => interval '31 days', end_offset => interval '1 hour', schedule_interval => interval '30 minutes')",
  )
  await db.query("select remove_retention_policy('metric_hourly', if_exists => true)")
  await db.query("select add_retention_policy('metric_hourly', drop_after => make_interval(days => $1::int))", [settings.hourlyRetentionDays])
}

export interface MaintenanceReport {
  ranJobs: number[]
  deleted: Record<string, number>
  skipped?: 'locked'
  /** Where the collector keeps the hourly rollup itself (no continuous aggregates). */
  rollup?: RollupReport
}

export class Maintenance {
  private timer: NodeJS.Timeout | undefined
  private readonly jobLastRun = new Map<number, number>()
  private running: Promise<MaintenanceReport> | undefined

  constructor(
    private readonly db: Db,
    private readonly settings: Settings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick().catch((error: Error) => this.logger.warn({ err: error.message }, 'maintenance round failed')), this.settings.maintenanceIntervalS * 1000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.running?.catch(() => undefined)
  }

  tick(now = Date.now()): Promise<MaintenanceReport> {
    this.running ??= this.round(now).finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async round(now: number): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { ranJobs: [], deleted: {} }
    const locked = await this.db.transaction(async (tx) => {
      if (this.db.engine === 'postgres') {
        if (!(await tryXactLock(tx, LOCK_KEY))) return true
      }
      const deleteOlder = async (table: string, column: string, days: number) => {
        const { rowCount } = await tx.query(`delete from ${table} where ${column} < now() - make_interval(days => $1::int)`, [days])
        report.deleted[table] = (report.deleted[table] ?? 0) + rowCount
      }
      await deleteOlder('ingested_batch', 'received_at', this.settings.replayWindowDays)
      await deleteOlder('rejected_message', 'received_at', 90)
      // Expired sign-ins are refused anyway; deleting them keeps the table the size of the active users.
      report.deleted.user_session = await deleteExpiredSessions(tx)
      const mode = maintenanceMode(this.db)
      if (mode === 'delete') {
        for (const table of RAW_TABLES) await deleteOlder(table, 'time', this.settings.rawRetentionDays)
      }
      if (mode === 'drop-chunks') {
        for (const table of RAW_TABLES) {
          const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from drop_chunks($1::regclass, older_than => make_interval(days => $2::int)) as c', [table, this.settings.rawRetentionDays])
          report.deleted[`${table} chunks`] = rows[0]?.n ?? 0
        }
      }
      return false
    })
    if (locked) return { ...report, skipped: 'locked' }
    if (maintenanceMode(this.db) === 'policies-run-here') report.ranJobs = await this.runDueJobs(now)
    if (keepsOwnRollup(this.db)) {
      // Each step is its own short transaction; a long catch-up (a first start on a large
      // database) goes on in the next rounds rather than holding this one.
      report.rollup = await rollUpHours(this.db, {
        budgetMs: Math.min(120_000, this.settings.maintenanceIntervalS * 500),
        rawRetentionDays: this.settings.rawRetentionDays,
        hourlyRetentionDays: this.settings.hourlyRetentionDays,
      })
      if (report.rollup.behind) this.logger.info({ rolledUntil: report.rollup.rolledUntil, rolledHours: report.rollup.rolledHours }, 'hourly rollup catching up')
    }
    return report
  }

  /** PGlite has no background workers: run each policy job when its schedule says it is due. */
  private async runDueJobs(now: number): Promise<number[]> {
    const { rows } = await this.db.query<{ job_id: number; every_s: number }>(
      'select job_id, extract(epoch from schedule_interval)::float8 as every_s from timescaledb_information.jobs where job_id >= 1000 order by job_id',
    )
    const ran: number[] = []
    for (const job of rows) {
      const last = this.jobLastRun.get(job.job_id)
      if (last !== undefined && now - last < job.every_s * 1000) continue
      try {
        await this.db.query(`call run_job(${Number(job.job_id)})`)
        ran.push(job.job_id)
      } catch (error) {
        this.logger.warn({ job: job.job_id, err: (error as Error).message }, 'TimescaleDB job failed')
      }
      this.jobLastRun.set(job.job_id, now)
    }
    return ran
  }
}
