/**
 * The MQTT broker the collector runs itself when no MQTT_URL is given: aedes, in-process, so a
 * newcomer needs no server. It speaks MQTT 3.1.1 (clients step down from 5 automatically).
 *
 * Ingest happens inside the broker's publish path, in aedes's `authorizePublish` hook: for QoS 1
 * aedes sends the PUBACK right after that hook calls back (its `published` hook runs only after
 * the PUBACK, too late), and the hook calls back when the message is committed to the database.
 * So an agent's acknowledged reading is a stored reading, even across a collector crash, without a
 * persistent session in between. Last Wills pass through the same hook.
 */
import net from 'node:net'
import { Aedes } from 'aedes'
import type { Logger } from 'pino'
import { TOPIC_ROOT } from '@patrol/shared'
import { listenWithFallback } from '../net/listen.js'
import type { IngestSource } from '../ingest/mqtt-source.js'

export interface EmbeddedBroker extends IngestSource {
  url: string
  port: number
  close(): Promise<void>
}

export interface EmbeddedBrokerOptions {
  host: string
  port: number
  explicitPort: boolean
  topicPrefix: string
  logger: Logger
  /** Called for every message under our topic root; the sender is acknowledged when it resolves. */
  onPublish(topic: string, payload: Uint8Array): Promise<void>
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options
  const root = `${options.topicPrefix ? `${options.topicPrefix.replace(/^\/+|\/+$/g, '')}/` : ''}${TOPIC_ROOT}/`
  let open = true
  const aedes = await Aedes.createBroker({
    drainTimeout: 30_000,
    authorizePublish(_client, packet, callback) {
      if (!packet.topic.startsWith(root)) return callback(null)
      if (!open) return callback(new Error('collector stopping; message not stored'))
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload
      options.onPublish(packet.topic, payload).then(
        () => callback(null),
        (error: Error) => {
          // No PUBACK (aedes drops the connection): the sender keeps the message and sends it again.
          logger.warn({ topic: packet.topic, err: error.message }, 'message not stored; sender not acknowledged')
          callback(error)
        },
      )
    },
  })
  const server = net.createServer((socket) => {
    // Without it every hop waits for Nagle's delayed ACK: ~30 ms p50 measured at 1,000 msg/s.
    socket.setNoDelay(true)
    aedes.handle(socket)
  })
  const { port, fellBack } = await listenWithFallback(server, options.host, options.port, options.explicitPort)
  if (fellBack) logger.warn({ wanted: options.port, port }, `MQTT port ${options.port} is taken; the embedded broker listens on ${port} instead`)
  aedes.on('clientError', (client, error) => logger.debug({ client: client.id, err: error.message }, 'broker client error'))
  const url = `mqtt://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`
  logger.info({ url }, 'embedded MQTT broker listening')
  return {
    url,
    port,
    get connected() {
      return open
    },
    publish(topic: string, payload: Buffer, options: { retain: boolean }) {
      return new Promise<void>((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: options.retain, dup: false }, (error?: Error) => (error ? reject(error) : resolve())),
      )
    },
    async stop() {
      open = false
    },
    async close() {
      open = false
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
