/**
 * The MQTT broker the collector runs itself when no MQTT_URL is given: aedes, in-process, so a
 * newcomer needs no server. It speaks MQTT 3.1.1 (clients step down from 5 automatically).
 *
 * Ingest happens inside the broker's publish path, in aedes's `authorizePublish` hook: for QoS 1
 * aedes sends the PUBACK right after that hook calls back (its `published` hook runs only after
 * the PUBACK, too late), and the hook calls back when the message is committed to the database.
 * So an agent's acknowledged reading is a stored reading, even across a collector crash, without a
 * persistent session in between. Last Wills pass through the same hook.
 *
 * With `access`, every CONNECT is checked against device credentials (broker/access.ts) and every
 * PUBLISH and SUBSCRIBE against the topic rules of enrollment/topic-rules.ts. A refused publish
 * is the hook's error: aedes then drops the connection without a PUBACK (MQTT 3.1.1 has no
 * negative PUBACK), so nothing of it is stored, and it is counted and logged with the username.
 */
import net from 'node:net'
import tls from 'node:tls'
import { Aedes, type AedesOptions, type Client } from 'aedes'
import type { Logger } from 'pino'
import { TOPIC_ROOT } from '@patrol/shared'
import { listenWithFallback } from '../net/listen.js'
import type { IngestSource } from '../ingest/mqtt-source.js'
import { mayPublish, maySubscribe, type Grant } from '../enrollment/topic-rules.js'
import type { BrokerAccess } from './access.js'

export interface EmbeddedBroker extends IngestSource {
  url: string
  port: number
  /** mqtts://host:port when the TLS listener runs. */
  tlsUrl?: string
  access?: BrokerAccess
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
  /** Credentials and topic rules; without it the broker lets everyone do everything (as before enrollment existed). */
  access?: BrokerAccess
  /** MQTT over TLS on this port too, with the API's certificate. */
  tls?: { port: number; cert: Buffer; key: Buffer }
}

type AuthenticateError = Parameters<Parameters<NonNullable<AedesOptions['authenticate']>>[3]>[0]
/** CONNACK return codes of MQTT 3.1.1: 3 server unavailable, 4 bad user name or password. */
const refusal = (message: string, returnCode: 3 | 4): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { logger } = options
  const root = `${options.topicPrefix ? `${options.topicPrefix.replace(/^\/+|\/+$/g, '')}/` : ''}${TOPIC_ROOT}/`
  let open = true
  const { access } = options
  const grants = new WeakMap<Client, Grant>()
  const aedes = await Aedes.createBroker({
    drainTimeout: 30_000,
    ...(access
      ? {
          authenticate(client: Client, username: Readonly<string | undefined>, password: Readonly<Buffer | undefined>, callback: (error: AuthenticateError | null, success: boolean | null) => void) {
            access.authenticate(username, password).then(
              (grant) => {
                if (!grant) return callback(refusal('bad user name or password', 4), false)
                grants.set(client, grant)
                access.attach(grant.username, client)
                callback(null, true)
              },
              (error: Error) => {
                logger.warn({ username, err: error.message }, 'MQTT login could not be checked (database?); refused for now')
                callback(refusal('server unavailable', 3), false)
              },
            )
          },
          authorizeSubscribe(...[client, subscription, callback]: Parameters<NonNullable<AedesOptions['authorizeSubscribe']>>) {
            const grant = client ? grants.get(client) : undefined
            if (grant && maySubscribe(grant, subscription.topic, options.topicPrefix)) return callback(null, subscription)
            access.refused.subscribes += 1
            logger.warn({ username: grant?.username, topic: subscription.topic.slice(0, 200) }, 'MQTT subscription refused: not this account\'s config topic')
            // null grants 0x80 in the SUBACK for this filter; the connection stays up.
            callback(null, null)
          },
        }
      : {}),
    authorizePublish(client, packet, callback) {
      // Wills restored without a client, and the collector's own downlink, come with no client.
      const grant = client && access ? grants.get(client) : undefined
      if (client && access && (!grant || !mayPublish(grant, packet.topic, options.topicPrefix))) {
        access.refused.publishes += 1
        logger.warn({ username: grant?.username, topic: packet.topic.slice(0, 200), qos: packet.qos }, 'MQTT publish refused: outside this account\'s own device topics; not stored')
        return callback(new Error(`not authorised to publish on ${packet.topic.slice(0, 200)}`))
      }
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
  if (access) {
    aedes.on('clientDisconnect', (client) => {
      const grant = grants.get(client)
      if (grant) access.detach(grant.username, client)
    })
  }
  const handle = (socket: net.Socket) => {
    // Without it every hop waits for Nagle's delayed ACK: ~30 ms p50 measured at 1,000 msg/s.
    socket.setNoDelay(true)
    aedes.handle(socket)
  }
  const server = net.createServer(handle)
  const { port, fellBack } = await listenWithFallback(server, options.host, options.port, options.explicitPort)
  if (fellBack) logger.warn({ wanted: options.port, port }, `MQTT port ${options.port} is taken; the embedded broker listens on ${port} instead`)
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  let tlsServer: tls.Server | undefined
  let tlsUrl: string | undefined
  if (options.tls) {
    tlsServer = tls.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, handle)
    tlsServer.on('tlsClientError', (error) => logger.debug({ err: error.message }, 'MQTT TLS handshake failed'))
    const listened = await listenWithFallback(tlsServer, options.host, options.tls.port, true)
    tlsUrl = `mqtts://${hostInUrl}:${listened.port}`
    logger.info({ url: tlsUrl }, 'embedded MQTT broker listening with TLS')
  }
  aedes.on('clientError', (client, error) => logger.debug({ client: client.id, err: error.message }, 'broker client error'))
  const url = `mqtt://${hostInUrl}:${port}`
  logger.info({ url, credentials: access ? (access.allowAnonymous ? 'device credentials; anonymous allowed' : 'device credentials required') : 'none' }, 'embedded MQTT broker listening')
  return {
    url,
    port,
    ...(tlsUrl ? { tlsUrl } : {}),
    ...(access ? { access } : {}),
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
      if (tlsServer) await new Promise<void>((resolve) => tlsServer.close(() => resolve()))
    },
  }
}
