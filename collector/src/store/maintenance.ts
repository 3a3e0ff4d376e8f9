/**
 * Keeping the database in shape: compression, retention and the refresh of the hourly aggregate.
 * - TimescaleDB server: policies, run by TimescaleDB's own background workers.
 * - Embedded PGlite with TimescaleDB: the same policies, but PGlite has no background workers,
 *   so the collector runs the jobs itself when they are due (CALL run_job).
 * - Plain PostgreSQL: the collector deletes what is past retention; the hourly view needs nothing.
 * Housekeeping of our own tables (replay window, rejected messages) runs everywhere. With several
 * collectors on one database an advisory lock makes each round run once.
 */
import type { Logger } from 'pino'
import type { CollectorConfig } from '../config.js'
import type { Db } from './db.js'

const LOCK_KEY = 7_201_927 // "patrol maintenance"
const RAW_TABLES = ['metric_sample', 'device_event', 'device_status_change'] as const

type Settings = Pick<CollectorConfig, 'rawRetentionDays' | 'hourlyRetentionDays' | 'compressAfterDays' | 'replayWindowDays' | 'maintenanceIntervalS'>

export async function applyTimescalePolicies(db: Db, settings: Settings): Promise<void> {
  if (!db.timescale) return
  // Removed and added again so a changed setting takes effect at the next start.
  await db.query("select remove_compression_policy('metric_sample', if_exists => true)")
  await db.query("select add_compression_policy('metric_sample', compress_after => make_interval(days => $1::int))", [settings.compressAfterDays])
  for (const table of RAW_TABLES) {
    await db.query('select remove_retention_policy($1::regclass, if_exists => true)', [table])
    await db.query('select add_retention_policy($1::regclass, drop_after => make_interval(days => $2::int))', [table, settings.rawRetentionDays])
  }
  await db.query("select remove_continuous_aggregate_policy('metric_hourly', if_exists => true)")
  await db.query(
    "select add_continuous_aggregate_policy('metric_hourly', start_offset => interval '3 days', end_offset => interval '1 hour', schedule_interval => interval '30 minutes')",
  )
  await db.query("select remove_retention_policy('metric_hourly', if_exists => true)")
  await db.query("select add_retention_policy('metric_hourly', drop_after => make_interval(days => $1::int))", [settings.hourlyRetentionDays])
}

export interface MaintenanceReport {
  ranJobs: number[]
  deleted: Record<string, number>
  skipped?: 'locked'
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
        const { rows } = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [LOCK_KEY])
        if (!rows[0]?.ok) return true
      }
      const deleteOlder = async (table: string, column: string, days: number) => {
        const { rowCount } = await tx.query(`delete from ${table} where ${column} < now() - make_interval(days => $1::int)`, [days])
        report.deleted[table] = (report.deleted[table] ?? 0) + rowCount
      }
      await deleteOlder('ingested_batch', 'received_at', this.settings.replayWindowDays)
      await deleteOlder('rejected_message', 'received_at', 90)
      if (!this.db.timescale) {
        for (const table of RAW_TABLES) await deleteOlder(table, 'time', this.settings.rawRetentionDays)
      }
      return false
    })
    if (locked) return { ...report, skipped: 'locked' }
    if (this.db.timescale && this.db.engine === 'pglite') report.ranJobs = await this.runDueJobs(now)
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
