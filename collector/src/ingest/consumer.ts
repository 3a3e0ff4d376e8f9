/**
 * The collector's MQTT subscriber: a persistent session (clean start off, a long session expiry)
 * at QoS 1, so messages wait in the broker while the collector is down or the database is away.
 * Each message is acknowledged only after its rows (or its rejection record) are committed:
 * MQTT.js sends the PUBACK when `handleMessage` calls back, and handles one message at a time
 * per connection, which is what makes the acknowledgement trustworthy. Throughput comes from
 * the writer's group commit across `connections` parallel subscribers (an MQTT 5 shared
 * subscription on brokers that have them), not from acknowledging early.
 */
import { randomBytes } from 'node:crypto'
import type { MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { connectMqtt, decodeMessage, uplinkSubscription, type UplinkMessage } from '@patrol/shared'
import { checkClock, type ClockPolicy } from './accepted.js'
import type { IngestStats } from './stats.js'
import type { IngestWriter } from './writer.js'

export interface ConsumerOptions {
  url: string
  username?: string | undefined
  password?: string | undefined
  ca?: Buffer | undefined
  topicPrefix: string
  /** Stable per collector instance, so its persistent session survives restarts. */
  clientId: string
  /** Parallel subscriber connections; >1 needs `shareGroup` (else each gets every message). */
  connections: number
  /** MQTT 5 shared-subscription group; set when several consumers split one stream. */
  shareGroup?: string | undefined
  protocolVersion: 'auto' | 4 | 5
  maxPayloadBytes: number
  clock: ClockPolicy
  sessionExpiryS: number
  logger: Logger
  stats: IngestStats
}

export class IngestConsumer {
  readonly clients: MqttClient[] = []
  private readonly loggedCodes = new Map<string, number>()

  constructor(
    private readonly writer: IngestWriter,
    private readonly options: ConsumerOptions,
  ) {}

  get connected(): boolean {
    return this.clients.length > 0 && this.clients.every((c) => c.connected)
  }

  start(): void {
    const { options } = this
    const count = options.shareGroup ? Math.max(1, options.connections) : 1
    const filter = options.shareGroup ? `$share/${options.shareGroup}/${uplinkSubscription(options.topicPrefix)}` : uplinkSubscription(options.topicPrefix)
    for (let i = 0; i < count; i++) {
      const client = connectMqtt(options.url, {
        protocolVersion: options.protocolVersion,
        clientId: count > 1 ? `${options.clientId}-${i}` : options.clientId,
        clean: false,
        keepalive: 30,
        username: options.username,
        password: options.password,
        ca: options.ca,
        properties: { sessionExpiryInterval: options.sessionExpiryS },
        minReconnectMs: 500,
        maxReconnectMs: 15_000,
      })
      client.handleMessage = (packet, callback) => {
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
        this.handle(packet.topic, payload).then(
          () => callback(),
          (error: Error) => {
            // Not acknowledged: the broker redelivers it on the next session.
            options.logger.error({ topic: packet.topic, err: error.message }, 'message not stored; left unacknowledged')
            callback(error)
          },
        )
      }
      client.on('connect', (connack) => {
        options.logger.info({ broker: options.url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@'), sessionPresent: connack.sessionPresent, protocol: client.options.protocolVersion }, 'ingest connected')
        // Subscribing again on a resumed session is harmless and covers a session the broker dropped.
        client.subscribe(filter, { qos: 1 }, (error) => {
          if (error) options.logger.error({ err: error.message, filter }, 'ingest subscription failed')
        })
      })
      client.on('error', (error) => options.logger.warn({ err: error.message }, 'ingest MQTT error'))
      client.on('offline', () => options.logger.warn('ingest lost the broker; reconnecting'))
      this.clients.push(client)
    }
  }

  /** Decode, check, and store (or record the rejection of) one message. */
  async handle(topic: string, payload: Uint8Array): Promise<void> {
    const { options } = this
    const receivedAt = Date.now()
    options.stats.received++
    const decoded = decodeMessage(topic, payload, { prefix: options.topicPrefix, maxPayloadBytes: options.maxPayloadBytes })
    if (!decoded.ok) {
      return this.rejectMessage(topic, payload, decoded.code, decoded.reason, decoded.address?.device ?? null)
    }
    if (decoded.message.kind === 'config') return // our own downlink, seen through a wide test subscription
    const message = decoded.message as UplinkMessage
    const clock = checkClock(message, receivedAt, options.clock)
    if (!clock.ok) return this.rejectMessage(topic, payload, 'clock', clock.reason, decoded.address.device)
    await this.writer.submit({ topic, address: decoded.address, message, receivedAt, clockOffsetMs: clock.offsetMs, raw: payload })
  }

  private rejectMessage(topic: string, payload: Uint8Array, code: Parameters<IngestStats['count']>[0], reason: string, deviceId: string | null): Promise<void> {
    this.options.stats.count(code)
    // One log line per kind of rejection per minute: a misbehaving agent must not flood the log.
    const key = `${code}:${deviceId ?? topic}`
    const last = this.loggedCodes.get(key) ?? 0
    if (Date.now() - last > 60_000) {
      this.loggedCodes.set(key, Date.now())
      this.options.logger.warn({ topic: topic.slice(0, 200), code, reason: reason.slice(0, 300) }, 'rejected message (stored in rejected_message)')
    }
    return this.writer.reject({ topic, code, reason, deviceId, bytes: payload.byteLength, payload })
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(false).catch(() => undefined)))
  }
}

export function defaultClientId(): string {
  return `patrol-collector-${randomBytes(4).toString('hex')}`
}
