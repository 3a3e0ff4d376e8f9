/**
 * The whole pipe, end to end: agent → MQTT → collector → database → API, on each target
 * (embedded PGlite+TimescaleDB with the embedded broker; the real PostgreSQL and Mosquitto when
 * DATABASE_URL and MQTT_URL are set).
 *
 * Actors: the *agent* is the real agent with its real collectors reading this machine; the
 * *publisher* is a bare MQTT client sending hand-made contract messages (for replays and counts);
 * the *collector* is started and stopped in-process; the *API* is reached with fastify's inject.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildTopic, connectMqtt, encodeMessage, waitForConnect, type MetricBatch } from '@patrol/shared'
import { loadAgentConfig, startAgent } from '@patrol/agent'
import type { RunningCollector } from '@patrol/collector'
import { waitFor } from '../support/peers.js'
import { apiAuth } from '../support/auth.js'
import { makeTarget, quietLogger, startTestCollector, targets, uniqueName } from '../support/targets.js'

const names = await targets()

async function count(collector: RunningCollector, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await collector.db.query<{ n: number }>(sql, params)
  return Number(rows[0]?.n ?? 0)
}

function batch(deviceId: string, points = 10, at = Date.now()): MetricBatch {
  return {
    v: 1,
    kind: 'metrics',
    batchId: randomUUID(),
    deviceId,
    sentAt: at,
    points: Array.from({ length: points }, (_, i) => ({ ts: at, metric: 'test.value_count', instance: `i${i}`, value: i })),
  }
}

describe.each(names)('pipeline on %s', (name) => {
  const target = makeTarget(name)
  const folders: string[] = []
  afterAll(async () => {
    await target.cleanup()
    for (const folder of folders) await rm(folder, { recursive: true, force: true })
  })

  it('lists this machine with CPU, memory, filesystems, network and inventory, and serves its series', async () => {
    const config = await target.config()
    const collector = await startTestCollector(config)
    const { headers } = await apiAuth(collector.db, { role: 'manager' })
    const agentDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-agent-'))
    folders.push(agentDir)
    const deviceId = uniqueName('pc').replace(/_/g, '-')
    const agent = await startAgent(
      loadAgentConfig({ env: {}, overrides: { mqttUrl: collector.mqttUrl, dataDir: agentDir, topicPrefix: config.topicPrefix, intervalS: 5, deviceId, logLevel: 'silent' } }),
      { logger: quietLogger(), firstCycleDelayMs: 0 },
    )
    try {
      const device = await waitFor(
        async () => {
          const response = await collector.app.inject({ url: `/api/devices/${deviceId}`, headers })
          if (response.statusCode !== 200) return undefined
          const body = response.json()
          return body.inventory && body.summary.filesystems.length ? body : undefined
        },
        { timeoutMs: 60_000, what: 'the agent\'s device with inventory and filesystems' },
      )
      expect(device.status).toBe('online')
      expect(device.summary.cpu.loadPercent).toBeGreaterThanOrEqual(0)
      expect(device.summary.memory.totalBytes).toBe(os.totalmem())
      const root = device.summary.filesystems.find((f: { mount: string }) => f.mount === '/')
      expect(root?.usedPercent).toBeGreaterThan(0)
      expect(root?.usedPercent).toBeLessThanOrEqual(100)
      expect(device.inventory.os.hostname).toBe(os.hostname())
      expect(device.inventory.os.arch).toBeTruthy()
      expect(device.summary.identity.os.name).toBeTruthy()

      const list = (await collector.app.inject({ url: '/api/devices?limit=1000', headers })).json()
      expect(list.items.map((d: { id: string }) => d.id)).toContain(deviceId)

      // A second cycle gives network rates; then the series has data in the right bucket.
      await waitFor(async () => (await collector.app.inject({ url: `/api/devices/${deviceId}`, headers })).json().summary.network.some((n: { rxBytesPerSecond?: number }) => n.rxBytesPerSecond !== undefined), {
        timeoutMs: 30_000,
        what: 'network rates after the second cycle',
      })
      const series = (await collector.app.inject({ url: `/api/devices/${deviceId}/series?metric=mem.used_percent&from=-1h&bucket=1m`, headers })).json()
      const points = series.series[0].points as { avg: number; n: number }[]
      expect(points.reduce((a, p) => a + p.n, 0)).toBeGreaterThanOrEqual(2)
      for (const p of points) expect(p.avg).toBeGreaterThan(0)
    } finally {
      await agent.stop()
      await collector.close()
    }
  })

  it('stores a replayed batch once, keeps data across a restart, and loses no acknowledged message when restarted mid-stream', async () => {
    const config = await target.config()
    let collector = await startTestCollector(config)
    // The customer's own viewer reads the device, with a token that must survive the restart too.
    const { headers } = await apiAuth(collector.db, { role: 'viewer', customers: ['acme'] })
    const deviceId = uniqueName('replay').replace(/_/g, '-')
    const topic = buildTopic({ customer: 'acme', site: 'hq', device: deviceId, kind: 'metrics' }, config.topicPrefix)
    const publisher = connectMqtt(collector.mqttUrl, { clientId: `pub-${deviceId}`, clean: true, minReconnectMs: 100, maxReconnectMs: 500 })
    const send = (message: MetricBatch) =>
      new Promise<void>((resolve, reject) => publisher.publish(topic, encodeMessage('metrics', message), { qos: 1 }, (e) => (e ? reject(e) : resolve())))
    try {
      await waitForConnect(publisher)
      const first = batch(deviceId, 10)
      await send(first)
      await send(first)
      await send({ ...first, sentAt: Date.now() })
      await waitFor(async () => (await count(collector, 'select count(*)::int as n from metric_sample where device_id = $1', [deviceId])) === 10, { what: '10 points' })
      expect(await count(collector, 'select count(*)::int as n from ingested_batch where batch_id = $1', [first.batchId])).toBe(1)

      // Mid-stream restart: a burst goes out while the collector stops and starts again.
      const burst = Array.from({ length: 60 }, (_, i) => batch(deviceId, 5, Date.now() - 60_000 + i))
      const acknowledged: string[] = []
      const sending = (async () => {
        for (const message of burst) {
          await send(message)
          acknowledged.push(message.batchId)
        }
      })()
      await waitFor(() => acknowledged.length >= 10, { what: 'some of the burst acknowledged' })
      await collector.close()
      collector = await startTestCollector(config)
      await sending
      expect(acknowledged).toHaveLength(60)
      const ids = [first.batchId, ...burst.map((b) => b.batchId)]
      await waitFor(async () => (await count(collector, 'select count(*)::int as n from ingested_batch where batch_id = any($1::uuid[])', [ids])) === 61, {
        timeoutMs: 30_000,
        what: 'every acknowledged batch stored', onTimeout: async () => `stored ${await count(collector, 'select count(*)::int as n from ingested_batch where batch_id = any($1::uuid[])', [ids])} of 61; health ${JSON.stringify((await collector.app.inject({ url: '/api/health' })).json().ingest)}`,
      })
      // Once each: 10 + 60 × 5 points, no doubles.
      expect(await count(collector, 'select count(*)::int as n from metric_sample where device_id = $1', [deviceId])).toBe(310)
      // Neither target has continuous aggregates (plain PostgreSQL, PGlite in a folder): the
      // collector keeps the hourly rollup, and health says how far it is (nothing rolled yet).
      expect((await collector.app.inject({ url: '/api/health' })).json().hourly).toEqual({ keptBy: 'collector', rolledUntil: null, behindHours: null, staleHours: 0 })
      const device = (await collector.app.inject({ url: `/api/devices/${deviceId}`, headers })).json()
      expect(device.customer).toBe('acme')
      expect(device.site).toBe('hq')
    } finally {
      await publisher.endAsync(true)
      await collector.close()
    }
  })
})

describe('start-up settings', () => {
  it('moves a default port that is taken, and refuses a port that was asked for', async () => {
    const target = makeTarget('embedded')
    const blocker = await startTestCollector(await target.config())
    try {
      const busyPort = Number(new URL(blocker.url).port)
      const busyMqtt = Number(new URL(blocker.mqttUrl).port)
      const config = await target.config({ port: busyPort, embeddedMqttPort: busyMqtt })
      const moved = await startTestCollector({ ...config, explicit: { port: false, mqttPort: false } })
      expect(Number(new URL(moved.url).port)).not.toBe(busyPort)
      expect(Number(new URL(moved.mqttUrl).port)).not.toBe(busyMqtt)
      expect((await moved.app.inject({ url: '/api/health' })).json().mqtt.connected).toBe(true)
      await moved.close()
      await expect(startTestCollector({ ...(await target.config({ port: busyPort })), explicit: { port: true, mqttPort: true } })).rejects.toThrow(/EADDRINUSE|address already in use/)
    } finally {
      await blocker.close()
      await target.cleanup()
    }
  })
})

void quietLogger
