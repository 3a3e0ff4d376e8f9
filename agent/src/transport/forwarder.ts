/**
 * Sends the spool to the broker, oldest first, one message at a time: the next message goes out
 * only after the broker acknowledged the previous one (PUBACK), so the collector receives a
 * device's messages in the order they were taken, whether live or replayed after an outage or a
 * restart. Live messages are appended to the spool like any other and never overtake older ones.
 *
 * A message whose acknowledgement is lost with the connection is sent again after reconnecting
 * (by MQTT.js within one run, from the spool after a restart) with the same batch id; the
 * collector stores a batch id once, so a reading is stored exactly once.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { encodeMessage, type DeviceEvent, type MessageOf, type UplinkKind } from '@patrol/shared'
import type { Spool, SpoolReport } from '../spool/spool.js'
import type { Publisher } from './publisher.js'

export interface Sent {
  /** Settles when the message is in the spool (on disk, or in memory when the disk failed). */
  stored: Promise<void>
  /** Settles when the broker acknowledged it; rejects only if the agent stops first. */
  delivered: Promise<void>
}

export interface ForwarderOptions {
  spool: Spool
  publisher: Pick<Publisher, 'publish' | 'waitUntilConnected'> & { connected: boolean }
  deviceId: string
  logger: Logger
  /** First retry delay after a refused publish; doubles up to a minute. */
  retryMs?: number
}

export class Forwarder {
  private readonly waiters = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  private wake: (() => void) | undefined
  private stopped = false
  private readonly loop: Promise<void>
  private readonly stopSignal = new AbortController()

  constructor(private readonly options: ForwarderOptions) {
    this.loop = this.run().catch((error: Error) => options.logger.error({ err: error.message }, 'forwarder stopped unexpectedly'))
  }

  /** Spools a message (after checking it against the contract) and has it forwarded in turn. */
  send<K extends UplinkKind>(kind: K, message: MessageOf<K>): Sent {
    // Refuse a message the collector would refuse, before it can sit at the head of the spool.
    encodeMessage(kind, message)
    let resolveDelivered!: () => void
    let rejectDelivered!: (error: Error) => void
    const delivered = new Promise<void>((resolve, reject) => {
      resolveDelivered = resolve
      rejectDelivered = reject
    })
    delivered.catch(() => undefined) // a caller that does not wait for delivery must not crash the agent
    const stored = this.options.spool.append(kind, message as Record<string, unknown>).then(({ seq }) => {
      this.waiters.set(seq, { resolve: resolveDelivered, reject: rejectDelivered })
      this.forgetDropped()
      this.wake?.()
    })
    stored.catch((error: Error) => rejectDelivered(error))
    return { stored, delivered }
  }

  /** Messages the full spool dropped will never be acknowledged: settle their waiters now. */
  private forgetDropped(): void {
    if (this.waiters.size <= this.options.spool.count) return
    for (const [seq, waiter] of this.waiters) {
      if (this.options.spool.holds(seq)) continue
      this.waiters.delete(seq)
      waiter.reject(new Error('dropped from the full offline queue before the broker acknowledged it'))
    }
  }

  get pending(): number {
    return this.options.spool.count
  }

  private async run(): Promise<void> {
    const { spool, publisher, logger } = this.options
    let retryMs = this.options.retryMs ?? 1000
    while (!this.stopped) {
      const head = await spool.head()
      const report = spool.pendingReport()
      if (!head && !report) {
        await new Promise<void>((resolve) => (this.wake = resolve))
        this.wake = undefined
        continue
      }
      await publisher.waitUntilConnected(this.stopSignal.signal)
      if (this.stopped) break
      try {
        if (report) await this.sendReport(report)
        if (head) {
          await publisher.publish(head.kind, head.message as MessageOf<typeof head.kind>)
          // Taken out before the removal, so forgetDropped() cannot mistake it for a dropped one.
          const waiter = this.waiters.get(head.seq)
          this.waiters.delete(head.seq)
          await spool.remove(head.seq)
          waiter?.resolve()
        }
        retryMs = this.options.retryMs ?? 1000
      } catch (error) {
        if (this.stopped) break
        if (head && (error as Error).name === 'ContractError') {
          // Spooled by an older agent version, or damaged: it can never be sent; do not block the rest.
          logger.error({ err: (error as Error).message, kind: head.kind }, 'dropping a spooled message the contract refuses')
          await spool.remove(head.seq, { countAsDropped: true })
          continue
        }
        logger.warn({ err: (error as Error).message, retryInMs: retryMs }, 'publish refused; will retry')
        await this.sleep(retryMs)
        retryMs = Math.min(60_000, retryMs * 2)
      }
    }
  }

  /** Tells the collector what the spool lost (oldest dropped when full, disk write failures). */
  private async sendReport(report: SpoolReport): Promise<void> {
    const now = Date.now()
    const events: DeviceEvent[] = []
    if (report.dropped) {
      events.push({
        ts: now,
        severity: 'warning',
        code: 'agent.spool_dropped',
        message: `${report.dropped} message(s) were dropped while the broker was unreachable: the offline queue was full or a queued message was unreadable`,
        source: 'agent',
        data: { dropped: report.dropped },
      })
    }
    if (report.storeError) {
      events.push({
        ts: now,
        severity: 'error',
        code: 'agent.spool_store_failed',
        message: `the offline queue could not write to disk (${report.storeError}); readings were kept in memory only and are lost if the agent restarts`,
        source: 'agent',
        data: { error: report.storeError },
      })
    }
    await this.options.publisher.publish('event', { v: 1, kind: 'event', batchId: randomUUID(), deviceId: this.options.deviceId, events })
    await this.options.spool.acknowledgeReport(report)
    this.options.logger.info(report, 'reported offline queue losses to the collector')
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.stopSignal.signal.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve()
      }, { once: true })
    })
  }

  /** Resolves when the spool is empty (everything acknowledged) or after `timeoutMs`. */
  async drained(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.options.spool.count > 0 && Date.now() < deadline && !this.stopped) await new Promise((r) => setTimeout(r, 50))
    return this.options.spool.count === 0
  }

  /** Stops forwarding; what is not acknowledged stays in the spool for the next start. */
  async stop(): Promise<void> {
    this.stopped = true
    this.stopSignal.abort()
    this.wake?.()
    for (const waiter of this.waiters.values()) waiter.reject(new Error('agent stopped before the broker acknowledged the message'))
    this.waiters.clear()
    // The loop may be waiting on a publish that only the closing client will settle.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 1000))])
  }
}
