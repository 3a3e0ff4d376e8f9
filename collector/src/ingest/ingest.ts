/**
 * The door every message comes through, whatever brought it (an MQTT subscription, or the
 * embedded broker's publish hook): decode against the contract, check the sender's clock, and
 * hand it to the writer, or record why it was refused. The returned promise settles when the
 * message's rows (or its rejection record) are committed: only then may it be acknowledged.
 */
import type { Logger } from 'pino'
import { decodeMessage, type RejectCode, type UplinkMessage } from '@patrol/shared'
import { checkClock, type ClockPolicy } from './accepted.js'
import type { IngestStats } from './stats.js'
import type { IngestWriter } from './writer.js'

export interface IngestOptions {
  topicPrefix: string
  maxPayloadBytes: number
  clock: ClockPolicy
  logger: Logger
  stats: IngestStats
}

export class Ingest {
  private readonly loggedCodes = new Map<string, number>()

  constructor(
    private readonly writer: IngestWriter,
    readonly options: IngestOptions,
  ) {}

  async handle(topic: string, payload: Uint8Array): Promise<void> {
    const { options } = this
    const receivedAt = Date.now()
    options.stats.received++
    const decoded = decodeMessage(topic, payload, { prefix: options.topicPrefix, maxPayloadBytes: options.maxPayloadBytes })
    if (!decoded.ok) {
      return this.rejectMessage(topic, payload, decoded.code, decoded.reason, decoded.address?.device ?? null)
    }
    if (decoded.message.kind === 'config') return // our own downlink, seen through a wide subscription
    const message = decoded.message as UplinkMessage
    const clock = checkClock(message, receivedAt, options.clock)
    if (!clock.ok) return this.rejectMessage(topic, payload, 'clock', clock.reason, decoded.address.device)
    await this.writer.submit({ topic, address: decoded.address, message, receivedAt, clockOffsetMs: clock.offsetMs, raw: payload })
  }

  private rejectMessage(topic: string, payload: Uint8Array, code: RejectCode, reason: string, deviceId: string | null): Promise<void> {
    this.options.stats.count(code)
    // One log line per kind of rejection and sender per minute: a misbehaving agent must not flood the log.
    const key = `${code}:${deviceId ?? topic}`
    const last = this.loggedCodes.get(key) ?? 0
    if (Date.now() - last > 60_000) {
      this.loggedCodes.set(key, Date.now())
      this.options.logger.warn({ topic: topic.slice(0, 200), code, reason: reason.slice(0, 300) }, 'rejected message (stored in rejected_message)')
    }
    return this.writer.reject({ topic, code, reason, deviceId, bytes: payload.byteLength, payload })
  }
}
