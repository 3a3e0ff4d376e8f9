/**
 * LISTEN on a PostgreSQL server, on a connection of its own (a pooled one would be handed to
 * other queries and lose the subscription), reconnecting with backoff and jitter when the server
 * goes away. NOTIFY is not stored: what is sent while the connection is down is lost, so after a
 * reconnect `onReconnect` tells the hub, which tells the consoles to re-read (`event: resync`).
 */
import pg from 'pg'
import type { Logger } from 'pino'

export interface PgListenerOptions {
  connectionString: string
  channel: string
  /** How the connection shows in pg_stat_activity. */
  applicationName?: string
  logger: Logger
  onPayload: (payload: string | undefined) => void
  onReconnect: () => void
  /** First and longest wait between attempts. */
  minBackoffMs?: number
  maxBackoffMs?: number
}

export class PgListener {
  private client: pg.Client | undefined
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private attempt = 0
  private everConnected = false
  /** True while LISTEN is in effect. */
  listening = false

  constructor(private readonly options: PgListenerOptions) {}

  /** Resolves once listening, or after the first failure (then it keeps trying in the background). */
  async start(): Promise<void> {
    await this.connect()
  }

  private async connect(): Promise<void> {
    if (this.closed) return
    const client = new pg.Client({ connectionString: this.options.connectionString, application_name: this.options.applicationName ?? 'patrol-live', connectionTimeoutMillis: 10_000 })
    this.client = client
    let lost = false
    const onLost = (error?: Error) => {
      if (lost) return
      lost = true
      this.listening = false
      client.removeAllListeners('notification')
      void client.end().catch(() => undefined)
      if (this.closed) return
      this.options.logger.warn({ err: error?.message }, 'live events: lost the database listener; reconnecting')
      this.schedule()
    }
    client.on('error', onLost)
    client.on('end', () => onLost())
    client.on('notification', (message) => {
      if (message.channel === this.options.channel) this.options.onPayload(message.payload)
    })
    try {
      await client.connect()
      // The channel name is a constant of ours, not input; identifiers cannot be bound.
      await client.query(`listen ${this.options.channel}`)
    } catch (error) {
      onLost(error as Error)
      return
    }
    if (this.closed) return void client.end().catch(() => undefined)
    this.listening = true
    this.attempt = 0
    if (this.everConnected) this.options.onReconnect()
    this.everConnected = true
  }

  private schedule(): void {
    const min = this.options.minBackoffMs ?? 500
    const max = this.options.maxBackoffMs ?? 30_000
    const base = Math.min(max, min * 2 ** this.attempt++)
    const wait = base * (0.5 + Math.random()) // ±50 %: several collectors do not reconnect in step
    this.timer = setTimeout(() => void this.connect(), wait)
    this.timer.unref()
  }

  async close(): Promise<void> {
    this.closed = true
    this.listening = false
    if (this.timer) clearTimeout(this.timer)
    await this.client?.end().catch(() => undefined)
  }
}
