/**
 * Agents whose clock is wrong by hours, through a real Mosquitto into a real PostgreSQL (private
 * ones). A message stamped with the agent's own `sentAt` is moved by the measured offset: its
 * readings are stored at the true time and the offset is recorded on the device (and the batch).
 * A reading in the future with no `sentAt` to correct it by is refused, with the reason, in
 * rejected_message, and nothing of it is stored; never silently at a wrong time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { PrivatePostgres, privatePostgresPeer } from '../support/private-postgres.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { uniqueName } from '../support/targets.js'
import { collectorConfig, metricBatch, startCollectorOn, startPublisher, type Publisher } from './harness.js'

const pgPeer = privatePostgresPeer()
const mqPeer = mosquittoPeer()
const HOUR = 3_600_000
/** Transit and test slack: the corrected time must land this close to the moment of sending. */
const SLACK_MS = 15_000

describe.skipIf(!pgPeer.available || !mqPeer.available)('agent clocks wrong by hours (private PostgreSQL and Mosquitto)', () => {
  let db: PrivatePostgres
  let broker: PrivateMosquitto
  let collector: RunningCollector
  let auth: ApiAuth
  let publisher: Publisher
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    ;[db, broker] = await Promise.all([PrivatePostgres.start(), PrivateMosquitto.start({ persistence: true })])
    const prefix = `res/${uniqueName('clock')}`
    const made = await collectorConfig(db.url, broker.url, prefix, { clockToleranceS: 120 })
    cleanup = made.cleanup
    collector = await startCollectorOn(made.config)
    auth = await apiAuth(collector.db, { role: 'manager' })
    publisher = await startPublisher(broker.url, prefix)
  })
  afterAll(async () => {
    await publisher?.close()
    await collector?.close()
    await cleanup?.()
    await broker?.close()
    await db?.close()
  })

  for (const [label, skewMs] of [
    ['3 h slow', -3 * HOUR],
    ['5 h fast', 5 * HOUR],
  ] as const) {
    it(`agent clock ${label}: readings stored at the corrected time, offset recorded on the device`, async () => {
      const device = `dev-clock-${skewMs > 0 ? 'fast' : 'slow'}`
      const trueNow = Date.now()
      const message = metricBatch(device, 3, trueNow + skewMs, trueNow + skewMs)
      await publisher.send(device, message)
      const rows = await waitFor(async () => {
        const r = await db.sql<{ t: string }>('select (extract(epoch from time) * 1000)::float8 as t from metric_sample where device_id = $1', [device])
        return r.length === 3 ? r : undefined
      }, { what: `the ${label} agent's readings` })
      for (const row of rows) {
        // Stored at the true time (the moment it was sent), not hours off.
        expect(Math.abs(Number(row.t) - trueNow)).toBeLessThan(SLACK_MS)
      }
      const [dev] = await db.sql<{ clock_offset_ms: string }>('select clock_offset_ms from device where id = $1', [device])
      expect(Math.abs(Number(dev!.clock_offset_ms) + skewMs)).toBeLessThan(SLACK_MS)
      const [batch] = await db.sql<{ clock_offset_ms: string }>('select clock_offset_ms from ingested_batch where batch_id = $1', [message.batchId])
      expect(Math.abs(Number(batch!.clock_offset_ms) + skewMs)).toBeLessThan(SLACK_MS)
      const api = (await collector.app.inject({ url: `/api/devices/${device}`, headers: auth.headers })).json()
      expect(Math.abs(Number(api.clockOffsetMs) + skewMs)).toBeLessThan(SLACK_MS)
    })
  }

  it('a reading in the future without sentAt is rejected with the reason, and nothing of it is stored', async () => {
    const device = 'dev-clock-future'
    const rejectedBefore = collector.stats.rejected.clock ?? 0
    const message = metricBatch(device, 3, Date.now() + 4 * HOUR, null)
    // A good batch right after it, from the same device: must be stored, not lost alongside.
    const good = metricBatch(device, 2, Date.now())
    await publisher.send(device, message)
    await publisher.send(device, good)
    const [rejected] = await waitFor(async () => {
      const r = await db.sql<{ code: string; reason: string; payload_bytes: number }>('select code, reason, payload_bytes from rejected_message where device_id = $1', [device])
      return r.length ? r : undefined
    }, { timeoutMs: 10_000, what: 'the rejection record', onTimeout: async () => JSON.stringify({ rejected: await db.sql('select code, reason, device_id from rejected_message'), stats: collector.stats.toJSON() }) })
    expect(rejected!.code).toBe('clock')
    expect(rejected!.reason).toMatch(/in the future/)
    expect(rejected!.reason).toMatch(/no sentAt/)
    expect(rejected!.payload_bytes).toBeGreaterThan(0)
    expect(collector.stats.rejected.clock).toBe(rejectedBefore + 1)
    await waitFor(async () => (await db.sql('select 1 from ingested_batch where batch_id = $1', [good.batchId])).length === 1, { what: 'the good batch after it' })
    expect(await db.sql('select 1 from ingested_batch where batch_id = $1', [message.batchId])).toHaveLength(0)
    const samples = await db.sql<{ n: number }>('select count(*)::int as n from metric_sample where device_id = $1', [device])
    expect(samples[0]!.n).toBe(2)
  })
})
