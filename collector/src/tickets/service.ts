/**
 * The ticketing side of a running collector: the engine fed by ingest, and a periodic sweep that
 * evaluates every device (silence raises no ingest, so "offline" is found here), escalates
 * tickets whose deadlines approach or passed, and sends the notification outbox.
 */
import type { Logger } from 'pino'
import { Dispatcher } from '../notify/dispatcher.js'
import type { Db } from '../store/db.js'
import { TicketEngine } from './engine.js'
import { escalateDue } from './escalation.js'

export interface TicketingOptions {
  logger: Logger
  /** Seconds between sweeps; 0 disables the timer (tests drive `sweep`). */
  sweepIntervalS?: number
  notifyBackoffMs?: number
  clock?: () => number
}

export class Ticketing {
  readonly engine: TicketEngine
  readonly dispatcher: Dispatcher
  private timer: NodeJS.Timeout | undefined
  private sweeping: Promise<void> | undefined
  private readonly clock: () => number

  constructor(
    private readonly db: Db,
    private readonly options: TicketingOptions,
  ) {
    this.clock = options.clock ?? Date.now
    this.engine = new TicketEngine(db, { logger: options.logger, clock: this.clock })
    this.dispatcher = new Dispatcher(db, options.logger, options.notifyBackoffMs)
  }

  /** Hook for ingest: after a flush commits. Never waits. */
  readonly onFlushed = (deviceIds: readonly string[], latest: Record<string, Record<string, [number, number]>> = {}): void => {
    this.engine.schedule(deviceIds, latest)
  }

  start(): void {
    const every = this.options.sweepIntervalS ?? 30
    if (every <= 0) return
    this.timer = setInterval(() => void this.sweep(), every * 1000)
    this.timer.unref()
  }

  /** One sweep; overlapping calls share the running one. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, 'ticket sweep failed'))
      .finally(() => {
        this.sweeping = undefined
      })
    return this.sweeping
  }

  private async sweepOnce(): Promise<void> {
    const now = this.clock()
    const { rows } = await this.db.query<{ id: string }>('select id from device order by id')
    for (let i = 0; i < rows.length; i += 500) await this.engine.evaluate(rows.slice(i, i + 500).map((r) => r.id), now)
    await escalateDue(this.db, now)
    await this.dispatcher.round(now)
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.sweeping
    await this.engine.idle()
  }
}
