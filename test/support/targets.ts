/**
 * The two places the collector runs, as test targets:
 * - `embedded`: PGlite with TimescaleDB in-process and the embedded aedes broker; runs anywhere;
 * - `servers`: the real PostgreSQL at DATABASE_URL and the real Mosquitto at MQTT_URL, each test in
 *   its own schema and topic prefix, removed afterwards. `.ci/run` sets both; under CI=true a
 *   missing or unreachable server fails the suite instead of skipping it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { loadCollectorConfig, startCollector, type LoadedCollectorConfig, type RunningCollector } from '@patrol/collector'
import { freePort, IN_CI, requirePeer, tcpReachable } from './peers.js'

export type TargetName = 'embedded' | 'servers'

export interface Target {
  name: TargetName
  /** Collector settings for this target: a fresh schema/prefix/data folder each call. */
  config(overrides?: Partial<LoadedCollectorConfig>): Promise<LoadedCollectorConfig>
  /** Removes what `config` created (schemas, folders). */
  cleanup(): Promise<void>
}

export const DATABASE_URL = process.env.DATABASE_URL
export const MQTT_URL = process.env.MQTT_URL

async function serversReachable(): Promise<boolean> {
  if (!DATABASE_URL || !MQTT_URL) return false
  const db = new URL(DATABASE_URL)
  const mq = new URL(MQTT_URL)
  return (await tcpReachable(db.hostname, Number(db.port || 5432))) && (await tcpReachable(mq.hostname, Number(mq.port || 1883)))
}

/** The targets this run covers: always embedded; servers when DATABASE_URL and MQTT_URL are set. */
export async function targets(): Promise<TargetName[]> {
  const wanted = Boolean(DATABASE_URL && MQTT_URL)
  if (!wanted && IN_CI) requirePeer('DATABASE_URL and MQTT_URL', false, '.ci/run sets them to the local PostgreSQL and Mosquitto')
  if (!wanted) return ['embedded']
  const ok = await serversReachable()
  requirePeer(`PostgreSQL at ${DATABASE_URL} and Mosquitto at ${MQTT_URL}`, ok, 'start them (see DEVELOPERS.md / .ci/run)')
  return ok ? ['embedded', 'servers'] : ['embedded']
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
}

export function makeTarget(name: TargetName): Target {
  const folders: string[] = []
  const schemas: string[] = []
  return {
    name,
    async config(overrides = {}) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-test-'))
      folders.push(dataDir)
      const base: Partial<LoadedCollectorConfig> = { dataDir, port: 0, logLevel: 'warn', maintenanceIntervalS: 3600 }
      if (name === 'servers') {
        const schema = uniqueName('t')
        schemas.push(schema)
        Object.assign(base, { databaseUrl: DATABASE_URL, databaseSchema: schema, mqttUrl: MQTT_URL, topicPrefix: `test/${schema}`, ingestClientId: `patrol-test-${schema}` })
      } else {
        base.embeddedMqttPort = await freePort()
      }
      const config = loadCollectorConfig({ env: {}, overrides: { ...base, ...overrides } })
      // Tests pick their ports; a port chosen here must be used or fail loudly.
      return { ...config, explicit: { port: false, mqttPort: true } }
    },
    async cleanup() {
      for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true })
      if (schemas.length && DATABASE_URL) {
        const client = new pg.Client({ connectionString: DATABASE_URL })
        await client.connect()
        for (const schema of schemas.splice(0)) await client.query(`drop schema if exists ${schema} cascade`)
        await client.end()
      }
    },
  }
}

export const quietLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })

/**
 * The embedded broker admits only credentials (mqttAllowAnonymous is false by default), so the
 * collector a test gets comes with an in-memory service account of that broker, in its `mqttUrl`
 * (`mqtt://user:password@host:port`; MQTT.js and the agent take the login from the URL). Tests
 * publish for many made-up devices, which only a service account may; tests of the topic rules
 * themselves enroll real device credentials (test/e2e/enrollment.e2e.test.ts,
 * test/security/mqtt-acl.test.ts). `plainMqttUrl` is the address without the login.
 */
const testLogins = new Map<string, { username: string; password: string }>()

export async function startTestCollector(config: LoadedCollectorConfig): Promise<RunningCollector & { plainMqttUrl: string }> {
  const collector = await startCollector(config, quietLogger())
  if (!collector.brokerAccess) return Object.assign(collector, { plainMqttUrl: collector.mqttUrl })
  // The same login for the same data folder: a publisher outlives a collector restart in some tests.
  const login = collector.brokerAccess.issueInternal('test', { role: 'service' }, testLogins.get(config.dataDir))
  testLogins.set(config.dataDir, login)
  return Object.assign(collector, { plainMqttUrl: collector.mqttUrl, mqttUrl: withLogin(collector.mqttUrl, login) })
}

export function withLogin(url: string, login: { username: string; password: string }): string {
  const u = new URL(url)
  u.username = encodeURIComponent(login.username)
  u.password = encodeURIComponent(login.password)
  return u.toString().replace(/\/$/, '')
}
