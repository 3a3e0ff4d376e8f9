/**
 * Writes accepted messages to the database with group commit: while one flush runs, the next
 * messages gather, and go together in the next one, so batches grow with the load and a lone
 * message is written at once. `submit` resolves only after the message's rows are committed:
 * the MQTT consumer acknowledges then, and not before.
 *
 * Failures:
 * - the database is away or read-only: the flush is retried with backoff, forever; nothing is
 *   acknowledged meanwhile, so the broker keeps the messages (health says "degraded");
 * - the database refuses the data of some message: the flush is split to find it, and that one
 *   message goes to rejected_message with the database's reason; the others are stored.
 */
import type { Logger } from 'pino'
import type { RejectCode } from '@patrol/shared'
import type { Db } from '../store/db.js'
import { keepsOwnRollup, markStaleHours } from '../store/hourly-rollup.js'
import type { AcceptedMessage } from './accepted.js'
import type { IngestStats } from './stats.js'
import { LatestCache } from './latest-cache.js'
import { buildRows, type FlushRows } from './rows.js'
import { applyInventories, applyStates, applyStatuses, claimBatches, insertEvents, insertPoints, insertRejected, upsertDevices } from './sql.js'

export interface RejectedMessage {
  topic: string
  code: RejectCode
  reason: string
  deviceId: string | null
  bytes: number
  payload: Uint8Array
}

interface Pending<T> {
  item: T
  resolve: () => void
  reject: (error: Error) => void
}

export interface WriterOptions {
  /** Most points one flush takes before it closes. */
  maxPointsPerFlush: number
  /** COPY for flushes with at least this many points (PostgreSQL only). */
  copyFromPoints: number
  /**
   * Flushes in flight at once. Two on a PostgreSQL server, so the next flush is built while the
   * database commits the last (each flush locks its device rows in id order: no deadlocks); one
   * on PGlite, which runs one transaction at a time anyway.
   */
  concurrency?: number
  logger: Logger
  stats: IngestStats
  /**
   * Called after a flush commits, with the devices it wrote and their newest values (which reach
   * device.latest a little later): the rule engine's trigger. Must not block; errors are logged.
   */
  onFlushed?: (deviceIds: string[], latest: FlushRows['latest']) => void
}

const TRANSIENT_CODES = /^(08|53|57P0|40001|40P01|25006|55P03)/
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'])

/** Whether an error means "try again later" rather than "this data cannot be stored". */
export function isTransient(error: unknown): boolean {
  const e = error as { code?: string; message?: string }
  if (typeof e?.code === 'string' && (TRANSIENT_CODES.test(e.code) || TRANSIENT_ERRNO.has(e.code))) return true
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|database system is (shutting down|starting up)|read-only transaction/i.test(e?.message ?? '')
}

export class IngestWriter {
  private queue: Pending<AcceptedMessage>[] = []
  private rejectQueue: Pending<RejectedMessage>[] = []
  private flushing = 0
  private closed = false
  private backoffMs = 0
  private readonly latest: LatestCache

  constructor(
    private readonly db: Db,
    private readonly options: WriterOptions,
  ) {
    this.latest = new LatestCache(db, options.logger)
  }

  /** Known once the database is migrated (what it can do decides who keeps the hourly aggregate). */
  private get ownRollup(): boolean {
    return keepsOwnRollup(this.db)
  }

  submit(item: AcceptedMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      this.options.stats.pending = this.queue.length
      this.kick()
    })
  }

  reject(item: RejectedMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.rejectQueue.push({ item, resolve, reject })
      this.kick()
    })
  }

  get pending(): number {
    return this.queue.length + this.rejectQueue.length
  }

  /** Stops taking new flushes; resolves when the current one is done. */
  async close(): Promise<void> {
    this.closed = true
    while (this.flushing > 0) await new Promise((r) => setTimeout(r, 20))
    await this.latest.close()
    for (const p of [...this.queue, ...this.rejectQueue]) p.reject(new Error('ingest writer closed before the message was stored'))
    this.queue = []
    this.rejectQueue = []
  }

  private kick(): void {
    const limit = this.options.concurrency ?? (this.db.engine === 'postgres' ? 2 : 1)
    while (!this.closed && this.flushing < limit && (this.queue.length || this.rejectQueue.length)) {
      this.flushing++
      void this.flushLoop()
    }
  }

  private take(): { messages: Pending<AcceptedMessage>[]; rejects: Pending<RejectedMessage>[] } {
    let points = 0
    let count = 0
    for (const p of this.queue) {
      const n = p.item.message.kind === 'metrics' ? p.item.message.points.length : 1
      if (count > 0 && points + n > this.options.maxPointsPerFlush) break
      points += n
      count++
    }
    const messages = this.queue.splice(0, count)
    const rejects = this.rejectQueue.splice(0, 500)
    this.options.stats.pending = this.queue.length
    return { messages, rejects }
  }

  private async flushLoop(): Promise<void> {
    const { logger, stats } = this.options
    try {
      while (!this.closed && (this.queue.length || this.rejectQueue.length)) {
        const { messages, rejects } = this.take()
        for (;;) {
          try {
            await this.flush(messages, rejects)
            if (this.backoffMs) logger.info('database reachable again; ingestion resumed')
            this.backoffMs = 0
            stats.databaseOk = true
            break
          } catch (error) {
            if (isTransient(error)) {
              stats.databaseOk = false
              stats.databaseError = (error as Error).message
              this.backoffMs = Math.min(30_000, Math.max(250, this.backoffMs * 2))
              logger.warn({ err: (error as Error).message, retryInMs: this.backoffMs, waiting: messages.length + this.queue.length }, 'database unavailable; holding acknowledgements and retrying')
              await new Promise((r) => setTimeout(r, this.backoffMs))
              if (this.closed) {
                for (const p of [...messages, ...rejects]) p.reject(new Error('collector stopping; message not stored'))
                return
              }
              continue
            }
            // Data the database will not take: find which message, store the others.
            await this.isolate(messages, rejects, error as Error)
            break
          }
        }
      }
    } finally {
      this.flushing--
      this.kick()
    }
  }

  private async flush(messages: Pending<AcceptedMessage>[], rejects: Pending<RejectedMessage>[], useCopy = true): Promise<void> {
    const started = performance.now()
    const { stats } = this.options
    let storedPoints = 0
    let duplicates = 0
    let latest: FlushRows['latest'] = {}
    let flushedDevices: string[] = []
    try {
      await this.db.transaction(async (tx) => {
        await insertRejected(tx, rejects.map((r) => r.item))
        if (!messages.length) return
        // Within one flush a batch id is claimed once (the broker may redeliver while we write).
        const unique = new Map<string, AcceptedMessage>()
        for (const { item } of messages) unique.set(item.message.batchId.toLowerCase(), item)
        const prebuilt = buildRows([...unique.values()])
        const claimed = await claimBatches(
          tx,
          [...unique.values()].map((m) => ({
            batchId: m.message.batchId,
            deviceId: m.message.deviceId,
            kind: m.message.kind,
            rows: prebuilt.rowsPerBatch.get(m.message.batchId) ?? 0,
            clockOffsetMs: m.clockOffsetMs || null,
          })),
        )
        const fresh = [...unique.entries()].filter(([id]) => claimed.has(id)).map(([, m]) => m)
        duplicates = messages.length - fresh.length
        const rows = fresh.length === unique.size ? prebuilt : buildRows(fresh)
        await upsertDevices(tx, rows.devices)
        await applyStatuses(tx, rows.statuses, rows.alive)
        await insertPoints(tx, rows.points, useCopy && rows.points.time.length >= this.options.copyFromPoints)
        // Late readings (a replayed spool) in hours the hourly rollup may already hold.
        if (this.ownRollup) await markStaleHours(tx, rows.points.time)
        await insertEvents(tx, rows.events)
        await applyInventories(tx, rows.inventories)
        await applyStates(tx, rows.states)
        storedPoints = rows.points.time.length
        latest = rows.latest
        flushedDevices = rows.devices.map((d) => d.id)
      })
    } catch (error) {
      // COPY met a reading that is already stored (a replay older than the batch window): redo
      // the flush with INSERT … ON CONFLICT DO NOTHING.
      if (useCopy && (error as { code?: string }).code === '23505') return this.flush(messages, rejects, false)
      throw error
    }
    this.latest.add(latest)
    if (flushedDevices.length && this.options.onFlushed) {
      try {
        this.options.onFlushed(flushedDevices, latest)
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'after-flush hook failed')
      }
    }
    stats.flushes++
    stats.lastFlushMs = performance.now() - started
    stats.lastFlushAt = Date.now()
    stats.storedMessages += messages.length - duplicates
    stats.storedPoints += storedPoints
    stats.duplicates += duplicates
    stats.rejectedStored += rejects.length
    for (const p of messages) p.resolve()
    for (const p of rejects) p.resolve()
  }

  private async isolate(messages: Pending<AcceptedMessage>[], rejects: Pending<RejectedMessage>[], error: Error): Promise<void> {
    const { logger, stats } = this.options
    if (rejects.length && !messages.length) {
      // Even the rejected-message record failed: nothing more can be done than to say so.
      logger.error({ err: error.message, count: rejects.length }, 'could not store rejected messages')
      for (const p of rejects) p.reject(error)
      return
    }
    if (messages.length === 1 && !rejects.length) {
      const [only] = messages as [Pending<AcceptedMessage>]
      const { item } = only
      stats.count('database')
      logger.warn({ topic: item.topic, err: error.message }, 'database refused a message; stored in rejected_message')
      // Resolve the original only once the rejection record is committed (or failed for good).
      this.reject({ topic: item.topic, code: 'database', reason: `database refused it: ${error.message}`, deviceId: item.message.deviceId, bytes: item.raw.byteLength, payload: item.raw }).then(only.resolve, only.reject)
      return
    }
    // Split: rejects alone, then each message alone.
    if (rejects.length) await this.retryAlone([], rejects)
    for (const message of messages) await this.retryAlone([message], [])
  }

  private async retryAlone(messages: Pending<AcceptedMessage>[], rejects: Pending<RejectedMessage>[]): Promise<void> {
    try {
      await this.flush(messages, rejects)
    } catch (error) {
      if (isTransient(error)) {
        // Back to the front of the queue: the main loop retries it when the database is back.
        this.queue.unshift(...messages)
        this.rejectQueue.unshift(...rejects)
        return
      }
      await this.isolate(messages, rejects, error as Error)
    }
  }
}
