/**
 * The agent's side of MQTT: connects with a Last Will (status offline/lost, retained), announces
 * itself online (retained), publishes contract messages at QoS 1 and resolves each publish only
 * when the broker acknowledged it, and receives the collector's config pushes.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { MqttClient } from 'mqtt'
import type { Logger } from 'pino'
import {
  buildTopic,
  connectMqtt,
  decodeMessage,
  encodeMessage,
  type MessageKind,
  type MessageOf,
  type StatusMessage,
  type UplinkKind,
} from '@patrol/shared'

export interface PublisherOptions {
  url: string
  username?: string | undefined
  password?: string | undefined
  caFile?: string | undefined
  protocolVersion: 'auto' | 4 | 5
  topicPrefix: string
  customer: string
  site: string
  deviceId: string
  hostname: string
  intervalS: number
  producer: { name: string; version: string }
  role: StatusMessage['role']
  logger: Logger
}

export type Publish = <K extends UplinkKind>(kind: K, message: MessageOf<K>) => Promise<void>

export class Publisher {
  readonly client: MqttClient
  private configHandler: ((message: MessageOf<'config'>) => void) | undefined
  private connectedBefore = false

  constructor(private readonly options: PublisherOptions) {
    const { logger } = options
    this.client = connectMqtt(options.url, {
      protocolVersion: options.protocolVersion,
      clientId: `patrol-agent-${options.deviceId}`,
      clean: true,
      keepalive: 30,
      username: options.username,
      password: options.password,
      ca: options.caFile ? readFileSync(options.caFile) : undefined,
      will: this.willMessage(),
      // mqtt-packet would otherwise pre-build a Buffer for each of the 65 536 packet ids on the first
      // publish: 6 MB of heap for an agent that sends a few messages a minute.
      writeCache: false,
    })
    this.client.prependListener('close', () => {
      // A fresh batch id per connection: the collector ignores a batch id it has stored before.
      this.client.options.will = this.willMessage()
    })
    this.client.on('connect', () => {
      logger.info({ broker: redactUrl(options.url), protocol: this.client.options.protocolVersion }, 'connected to broker')
      const reason = this.connectedBefore ? 'reconnect' : 'startup'
      this.connectedBefore = true
      void this.publish('status', this.statusMessage('online', reason)).catch((error: Error) =>
        logger.warn({ err: error.message }, 'could not announce online status'),
      )
      this.client.subscribe(this.topic('config'), { qos: 1 }, (error) => {
        if (error) logger.warn({ err: error.message }, 'could not subscribe to config topic')
      })
    })
    this.client.on('offline', () => logger.warn('broker unreachable; readings wait in the offline queue'))
    this.client.on('error', (error) => logger.warn({ err: error.message }, 'MQTT error'))
    this.client.on('message', (topic, payload) => {
      const decoded = decodeMessage(topic, payload, { prefix: options.topicPrefix })
      if (!decoded.ok || decoded.message.kind !== 'config') {
        logger.warn({ topic, reason: decoded.ok ? 'not a config message' : decoded.reason }, 'ignored message from collector')
        return
      }
      this.configHandler?.(decoded.message)
    })
  }

  get connected(): boolean {
    return this.client.connected
  }

  /** Resolves once connected (at once if already), or when `signal` aborts. */
  waitUntilConnected(signal?: AbortSignal): Promise<void> {
    if (this.client.connected || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.client.off('connect', done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      this.client.on('connect', done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  /** The interval announced in status messages (and the Last Will) follows remote configuration. */
  setIntervalS(intervalS: number): void {
    this.options.intervalS = intervalS
    this.client.options.will = this.willMessage()
  }

  onConfig(handler: (message: MessageOf<'config'>) => void): void {
    this.configHandler = handler
  }

  topic(kind: MessageKind): string {
    const { customer, site, deviceId } = this.options
    return buildTopic({ customer, site, device: deviceId, kind }, this.options.topicPrefix)
  }

  /** Resolves when the broker has acknowledged the message (PUBACK). */
  readonly publish: Publish = (kind, message) => {
    const stamped = { ...message, sentAt: Date.now() }
    const payload = encodeMessage(kind, stamped as MessageOf<typeof kind>)
    return new Promise<void>((resolve, reject) => {
      this.client.publish(this.topic(kind), payload, { qos: 1, retain: kind === 'status' }, (error) => (error ? reject(error) : resolve()))
    })
  }

  statusMessage(state: 'online' | 'offline', reason: StatusMessage['reason']): StatusMessage {
    return {
      v: 1,
      kind: 'status',
      batchId: randomUUID(),
      deviceId: this.options.deviceId,
      state,
      reason,
      at: Date.now(),
      hostname: this.options.hostname,
      intervalS: this.options.intervalS,
      role: this.options.role,
      producer: this.options.producer,
    }
  }

  private willMessage() {
    return {
      topic: this.topic('status'),
      payload: encodeMessage('status', this.statusMessage('offline', 'lost')),
      qos: 1 as const,
      retain: true,
    }
  }

  /** Announces a clean shutdown (so no "lost" alarm is raised) and disconnects. */
  async stop(timeoutMs = 3000): Promise<void> {
    if (this.client.connected) {
      await Promise.race([
        this.publish('status', this.statusMessage('offline', 'shutdown')).catch(() => undefined),
        new Promise((r) => setTimeout(r, timeoutMs)),
      ])
    }
    await this.client.endAsync(true)
  }
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@')
}
