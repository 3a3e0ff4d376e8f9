/**
 * The ticketing side of a running collector: the engine fed by ingest, and a periodic sweep that
 * evaluates every device (silence raises no ingest, so "offline" is found here), escalates
 * tickets whose deadlines approach or passed, and sends the notification outbox.
 */
import type { Logger } from 'pino'
import { Dispatcher } from '../notify/dispatcher.js'
import { tryXactLock, type Db } from '../store/db.js'
import { TicketEngine } from './engine.js'
import { escalateDue } from './escalation.js'

const SWEEP_LOCK = 7_201_928 // "patrol ticket sweep"; next to the migration and maintenance locks

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
    this.engine = new TicketEngine(db, {
      logger: options.logger,
      clock: this.clock,
      // A ticket that opened or recovered is announced now, not at the next sweep.
      afterRound: (report) => {
        if (report.opened.length || report.recovered.length) this.dispatchSoon()
      },
    })
    this.dispatcher = new Dispatcher(db, options.logger, options.notifyBackoffMs)
  }

  private dispatching: Promise<void> | undefined
  private dispatchAgain = false
  private stopped = false

  /** One dispatcher round at a time; a request during a round runs one more after it. */
  dispatchSoon(): void {
    if (this.stopped) return
    if (this.dispatching) {
      this.dispatchAgain = true
      return
    }
    this.dispatching = this.dispatcher
      .round(this.clock())
      .then(() => undefined)
      .catch((error: Error) => this.options.logger.warn({ err: error.message }, 'notification round failed'))
      .finally(() => {
        this.dispatching = undefined
        if (this.dispatchAgain) {
          this.dispatchAgain = false
          this.dispatchSoon()
        }
      })
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
    const work = async () => {
      const now = this.clock()
      const { rows } = await this.db.query<{ id: string }>('select id from device order by id')
      for (let i = 0; i < rows.length; i += 500) await this.engine.evaluate(rows.slice(i, i + 500).map((r) => r.id), now)
      await escalateDue(this.db, now)
      await this.dispatcher.round(now)
    }
    if (this.db.engine !== 'postgres') return work()
    // Several collectors on one server: one sweeps at a time (results would be the same, the work
    // would not), under a transaction-scoped advisory lock held while the sweep runs.
    await this.db.transaction(async (tx) => {
      if (await tryXactLock(tx, SWEEP_LOCK)) await work()
    })
  }

  /** Stops the timer and outgoing notifications; the engine still evaluates what it is given (tests drive it). */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.sweeping
    await this.engine.idle()
    await this.dispatching
  }
}
