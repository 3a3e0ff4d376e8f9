/**
 * Ingest from an external broker (Mosquitto, EMQX): a persistent session (clean start off, a long
 * session expiry) at QoS 1, so messages wait in the broker while the collector is down or the
 * database is away. Each message is acknowledged only after its rows (or its rejection record)
 * are committed: MQTT.js sends the PUBACK when `handleMessage` calls back, and handles one message
 * at a time per connection, which is what makes the acknowledgement trustworthy. Throughput comes
 * from the writer's group commit across `connections` parallel subscribers (an MQTT 5 shared
 * subscription), not from acknowledging early.
 */
import type { MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import { connectMqtt, uplinkSubscription } from '@patrol/shared'
import type { Downlink } from './downlink.js'
import type { Ingest } from './ingest.js'

export interface MqttSourceOptions {
  url: string
  username?: string | undefined
  password?: string | undefined
  ca?: Buffer | undefined
  topicPrefix: string
  /** Stable per collector installation, so its persistent session survives restarts. */
  clientId: string
  /** Parallel subscriber connections; more than one needs `shareGroup`. */
  connections: number
  /** MQTT 5 shared-subscription group, for one collector's connections and for several collectors. */
  shareGroup?: string | undefined
  protocolVersion: 'auto' | 4 | 5
  sessionExpiryS: number
  logger: Logger
}

export interface IngestSource extends Downlink {
  readonly connected: boolean
  stop(): Promise<void>
}

export class MqttSource implements IngestSource {
  readonly clients: MqttClient[] = []

  constructor(
    private readonly ingest: Ingest,
    private readonly options: MqttSourceOptions,
  ) {}

  get connected(): boolean {
    return this.clients.length > 0 && this.clients.every((c) => c.connected)
  }

  start(): this {
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
        // We subscribe on every connect ourselves (below). With MQTT.js's own `resubscribe` on,
        // that SUBSCRIBE is silently skipped on a resumed session (the filter is "already
        // subscribed"), and Mosquitto 2.0 does not deliver to a shared subscription restored from
        // its persistence file: after a broker restart nothing arrived (found by pnpm bench:soak).
        resubscribe: false,
      })
      client.handleMessage = (packet, callback) => {
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
        this.ingest.handle(packet.topic, payload).then(
          () => callback(),
          (error: Error) => {
            // Not acknowledged: the broker sends it again in the next session.
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
    return this
  }

  async publish(topic: string, payload: Buffer, options: { retain: boolean }): Promise<void> {
    const client = this.clients.find((c) => c.connected) ?? this.clients[0]
    if (!client) throw new Error('ingest is not started')
    await client.publishAsync(topic, payload, { qos: 1, retain: options.retain })
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)))
  }
}
