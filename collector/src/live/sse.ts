/**
 * One server-sent-events stream to one browser: events as `event: ticket|device` with a JSON data
 * line, a comment every `heartbeatMs` so proxies and load balancers keep an idle stream open, and
 * a cap on what may wait unread in the socket: a client that stops reading is disconnected (its
 * EventSource reconnects and re-reads) rather than allowed to grow the collector's memory.
 */
import type { ServerResponse } from 'node:http'
import type { LiveEvent } from './events.js'
import type { LiveSubscriber } from './hub.js'

export interface SseOptions {
  customers: readonly string[] | null
  heartbeatMs: number
  maxBufferedBytes: number
  /** After this long the stream is closed and the browser reconnects, which signs it in again: a
   * revoked token or ended session does not keep a stream alive for good. */
  maxAgeMs: number
  onSlow: () => void
  onClose: () => void
}

export class SseConnection implements LiveSubscriber {
  readonly customers: readonly string[] | null
  private readonly heartbeat: NodeJS.Timeout
  private readonly maxAge: NodeJS.Timeout
  private closed = false

  get isClosed(): boolean {
    return this.closed
  }

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseOptions,
  ) {
    this.customers = options.customers
    // `retry`: how long the browser waits before reconnecting a dropped stream.
    this.write(': patrol live events\nretry: 3000\n\n')
    this.heartbeat = setInterval(() => this.write(`: heartbeat ${new Date().toISOString()}\n\n`), options.heartbeatMs)
    this.maxAge = setTimeout(() => this.close(), options.maxAgeMs)
    this.heartbeat.unref()
    this.maxAge.unref()
    res.on('close', () => this.close())
    res.on('error', () => this.close())
  }

  send(event: LiveEvent): void {
    this.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  }

  resync(): void {
    this.write(`event: resync\ndata: {"reason":"the collector lost its database listener for a while; events may have been missed"}\n\n`)
  }

  private write(chunk: string): void {
    if (this.closed) return
    if (this.res.writableLength + chunk.length > this.options.maxBufferedBytes) {
      this.options.onSlow()
      this.res.destroy()
      this.close()
      return
    }
    this.res.write(chunk)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.heartbeat)
    clearTimeout(this.maxAge)
    if (!this.res.destroyed) this.res.end()
    this.options.onClose()
  }
}
