/**
 * The database goes away (stopped, then separately read-only) under a running collector fed by a
 * real Mosquitto through a persistent QoS 1 session. Both servers are private: the shared
 * PostgreSQL and broker are never stopped. Meanwhile /api/health answers 503 "degraded", nothing
 * is stored and nothing is acknowledged (the proof: a collector closed during the outage and
 * replaced by a fresh one still gets every message from the broker); when the database returns,
 * every batch the broker acknowledged to the publisher is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { PrivatePostgres, privatePostgresPeer } from '../support/private-postgres.js'
import { uniqueName } from '../support/targets.js'
import { collectorConfig, countStored, health, metricBatch, startCollectorOn, startPublisher, type Publisher } from './harness.js'

const pgPeer = privatePostgresPeer()
const mqPeer = mosquittoPeer()
const POINTS = 5

describe.skipIf(!pgPeer.available || !mqPeer.available)('database outage under a running collector (private PostgreSQL and Mosquitto)', () => {
  let db: PrivatePostgres
  let broker: PrivateMosquitto
  const collectors: RunningCollector[] = []
  const cleanups: (() => Promise<void>)[] = []
  let publisher: Publisher | undefined

  beforeAll(async () => {
    ;[db, broker] = await Promise.all([PrivatePostgres.start(), PrivateMosquitto.start({ persistence: true })])
  })
  afterAll(async () => {
    await publisher?.close()
    for (const c of collectors) await c.close().catch(() => undefined)
    for (const cleanup of cleanups) await cleanup()
    await broker?.close()
    await db?.close()
  })

  async function sendAll(deviceId: string, n: number, ids: string[]): Promise<void> {
    for (let i = 0; i < n; i++) {
      const message = metricBatch(deviceId, POINTS, Date.now() - 600_000 + ids.length * 1000)
      await publisher!.send(deviceId, message)
      ids.push(message.batchId)
    }
  }

  it('database stopped: degraded health, nothing stored meanwhile, all acknowledged batches stored once when it returns', async () => {
    const prefix = `res/${uniqueName('dbdown')}`
    const { config, cleanup } = await collectorConfig(db.url, broker.url, prefix)
    cleanups.push(cleanup)
    const collector = await startCollectorOn(config)
    collectors.push(collector)
    publisher = await startPublisher(broker.url, prefix)
    const device = 'dev-dbdown'
    const ids: string[] = []

    await sendAll(device, 20, ids)
    await waitFor(async () => (await countStored(db.url, undefined, ids, [device])).batches === 20, { what: '20 batches before the outage' })
    expect((await health(collector)).statusCode).toBe(200)

    await db.stop()
    await sendAll(device, 40, ids)
    const degraded = await waitFor(async () => {
      const h = await health(collector)
      return h.statusCode === 503 ? h : undefined
    }, { timeoutMs: 20_000, what: 'health 503 while the database is down' })
    expect(degraded.body.status).toBe('degraded')
    expect(degraded.body.problems.join(' ')).toMatch(/database/)
    expect(collector.stats.storedMessages).toBe(20)
    // The writer holds what it received, unacknowledged: nothing was counted stored, some wait.
    await waitFor(() => collector.stats.pending > 0 || collector.stats.databaseOk === false, { what: 'writer holding messages' })

    await db.start()
    await waitFor(async () => (await countStored(db.url, undefined, ids, [device])).batches === 60, {
      timeoutMs: 45_000,
      what: 'all 60 batches after the database returned',
      onTimeout: async () => JSON.stringify(await countStored(db.url, undefined, ids, [device]).catch((e: Error) => e.message)),
    })
    const counts = await countStored(db.url, undefined, ids, [device])
    expect(counts).toEqual({ batches: 60, samples: 60 * POINTS, distinctSamples: 60 * POINTS })
    await waitFor(async () => (await health(collector)).statusCode === 200, { timeoutMs: 20_000, what: 'health ok again' })
    await collector.close()
    collectors.splice(collectors.indexOf(collector), 1)
    await publisher.close()
    publisher = undefined
  })

  it('database read-only: degraded health, no acknowledgement (a replacement collector still gets everything), stored once when writable', async () => {
    const prefix = `res/${uniqueName('dbro')}`
    const { config, cleanup } = await collectorConfig(db.url, broker.url, prefix)
    cleanups.push(cleanup)
    const first = await startCollectorOn(config)
    collectors.push(first)
    publisher = await startPublisher(broker.url, prefix)
    const device = 'dev-dbro'
    const ids: string[] = []
    await sendAll(device, 10, ids)
    await waitFor(async () => (await countStored(db.url, undefined, ids, [device])).batches === 10, { what: '10 batches before read-only' })

    await db.setReadOnly(true)
    try {
      await sendAll(device, 30, ids)
      const degraded = await waitFor(async () => {
        const h = await health(first)
        return h.statusCode === 503 ? h : undefined
      }, { timeoutMs: 20_000, what: 'health 503 while the database is read-only' })
      expect(degraded.body.problems.join(' ')).toMatch(/read-only/)
      expect((await countStored(db.url, undefined, ids, [device])).batches).toBe(10)
      // The collector goes away mid-outage: whatever it had received was never acknowledged, so
      // the broker keeps it for the session and hands it to the next collector with that id.
      await first.close()
      collectors.splice(collectors.indexOf(first), 1)
    } finally {
      await db.setReadOnly(false)
    }
    const second = await startCollectorOn(config)
    collectors.push(second)
    await waitFor(async () => (await countStored(db.url, undefined, ids, [device])).batches === 40, {
      timeoutMs: 30_000,
      what: 'all 40 batches once writable',
      onTimeout: async () => JSON.stringify(await countStored(db.url, undefined, ids, [device])),
    })
    expect(await countStored(db.url, undefined, ids, [device])).toEqual({ batches: 40, samples: 40 * POINTS, distinctSamples: 40 * POINTS })
    expect((await health(second)).statusCode).toBe(200)
  })
})
