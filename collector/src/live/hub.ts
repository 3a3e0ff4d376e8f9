/**
 * The collector's live-event hub: one database listener per collector, any number of subscribers
 * (SSE connections), each with the customers it may see. Events come only from the database's
 * NOTIFY, also for changes this collector made itself, so there is one path whether one collector
 * runs or ten behind a load balancer, and an event is only ever sent for a committed change.
 */
import type { Logger } from 'pino'
import type { Db } from '../store/db.js'
import { LIVE_CHANNEL, parseLiveNotification, type LiveEvent } from './events.js'
import { PgListener } from './pg-listener.js'

export interface LiveSubscriber {
  /** null: every customer; otherwise only these (possibly none). */
  customers: readonly string[] | null
  send(event: LiveEvent): void
  /** The listener was down for a while: events may have been missed; re-read. */
  resync(): void
}

export interface LiveStats {
  subscribers: number
  received: number
  delivered: number
  /** Subscribers disconnected because they did not read fast enough. */
  droppedSlow: number
  listening: boolean
}

export interface LiveHubOptions {
  logger: Logger
  /** Schema the collector works in (events of other schemas on the server are ignored). */
  schema: string
  /** The listener for this database: PostgreSQL server (its own connection) or the embedded PGlite. */
  listen: (onPayload: (payload: string | undefined) => void, onReconnect: () => void) => Promise<{ close(): Promise<void>; listening(): boolean }>
}

export class LiveHub {
  private readonly subscribers = new Set<LiveSubscriber>()
  private listener: { close(): Promise<void>; listening(): boolean } | undefined
  private counts = { received: 0, delivered: 0, droppedSlow: 0 }
  /** Seconds between SSE heartbeats (a comment line) so proxies keep the stream open; tests shorten it. */
  heartbeatMs = 15_000
  /** Bytes a subscriber may leave unread before it is disconnected. */
  maxBufferedBytes = 256 * 1024

  constructor(private readonly options: LiveHubOptions) {}

  async start(): Promise<this> {
    this.listener = await this.options.listen(
      (payload) => this.dispatch(payload),
      () => {
        for (const s of this.subscribers) s.resync()
      },
    )
    return this
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber)
    return () => void this.subscribers.delete(subscriber)
  }

  /** Called by a subscriber that had to be cut off for not reading. */
  noteDroppedSlow(): void {
    this.counts.droppedSlow++
  }

  private dispatch(payload: string | undefined): void {
    const event = parseLiveNotification(payload, this.options.schema)
    if (!event) return
    this.counts.received++
    for (const s of this.subscribers) {
      if (s.customers && !s.customers.includes(event.customer)) continue
      try {
        s.send(event)
        this.counts.delivered++
      } catch (error) {
        this.options.logger.warn({ err: (error as Error).message }, 'live events: a subscriber failed; dropping it')
        this.subscribers.delete(s)
      }
    }
  }

  stats(): LiveStats {
    return { subscribers: this.subscribers.size, ...this.counts, listening: this.listener?.listening() ?? false }
  }

  async close(): Promise<void> {
    this.subscribers.clear()
    await this.listener?.close()
  }
}

/** The hub for a database: a dedicated LISTEN connection on a server, PGlite's own listen in-process. */
export function liveHubFor(db: Db, options: { logger: Logger; connectionString?: string | undefined; schema?: string | undefined }): LiveHub {
  const schema = options.schema ?? 'public'
  return new LiveHub({
    logger: options.logger,
    schema,
    listen: async (onPayload, onReconnect) => {
      if (options.connectionString) {
        const listener = new PgListener({ connectionString: options.connectionString, channel: LIVE_CHANNEL, applicationName: `patrol-live ${schema}`.slice(0, 63), logger: options.logger, onPayload, onReconnect })
        await listener.start()
        return { close: () => listener.close(), listening: () => listener.listening }
      }
      if (!db.listen) throw new Error('live events: this database has no listener and no connection string was given')
      const unlisten = await db.listen(LIVE_CHANNEL, onPayload)
      return { close: unlisten, listening: () => true }
    },
  })
}
