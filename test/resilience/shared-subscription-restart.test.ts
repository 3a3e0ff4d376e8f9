/**
 * A collector ingesting through an MQTT 5 shared subscription (PATROL_INGEST_SHARE_GROUP, as every
 * deploy/ configuration sets) keeps receiving after the broker restarts. Mosquitto 2.0 restores
 * the session but does not deliver to a shared subscription read back from its persistence file;
 * the collector must really send its SUBSCRIBE again on the resumed session (MQTT.js's own
 * `resubscribe` used to swallow it as "already subscribed", and nothing arrived any more while
 * /api/health said ok; found by pnpm bench:soak).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { PrivatePostgres, privatePostgresPeer } from '../support/private-postgres.js'
import { uniqueName } from '../support/targets.js'
import { collectorConfig, countStored, metricBatch, startCollectorOn, startPublisher, type Publisher } from './harness.js'

const pgPeer = privatePostgresPeer()
const mqPeer = mosquittoPeer()

describe.skipIf(!pgPeer.available || !mqPeer.available)('shared-subscription ingest across a broker restart (private Mosquitto and PostgreSQL)', () => {
  let db: PrivatePostgres
  let broker: PrivateMosquitto
  let collector: RunningCollector | undefined
  let publisher: Publisher | undefined
  let cleanup: (() => Promise<void>) | undefined

  beforeAll(async () => {
    ;[db, broker] = await Promise.all([PrivatePostgres.start(), PrivateMosquitto.start({ persistence: true })])
  })
  afterAll(async () => {
    await publisher?.close()
    await collector?.close()
    await cleanup?.()
    await broker?.close()
    await db?.close()
  })

  it('stores what is published after the broker came back, every batch once', async () => {
    const prefix = `res/${uniqueName('share')}`
    const made = await collectorConfig(db.url, broker.url, prefix, { ingestShareGroup: 'patrol-collectors', ingestConnections: 2, mqttProtocolVersion: 5 })
    cleanup = made.cleanup
    collector = await startCollectorOn(made.config)
    publisher = await startPublisher(broker.url, prefix)
    const device = 'dev-share'
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      const m = metricBatch(device, 3, Date.now() - 300_000 + i * 1000)
      await publisher.send(device, m)
      ids.push(m.batchId)
    }
    await waitFor(async () => (await countStored(db.url, undefined, ids, [device])).batches === 10, { what: '10 batches before the restart' })

    await broker.stop()
    await broker.start()
    await waitFor(() => collector!.source.connected && publisher!.client.connected, { timeoutMs: 20_000, what: 'collector and publisher reconnected' })
    // Probes until one is stored: the collector's subscription works again (never, before the fix).
    let probeIndex = 0
    await waitFor(
      async () => {
        const m = metricBatch(device, 3, Date.now() - 200_000 + probeIndex++ * 1000)
        await publisher!.send(device, m)
        ids.push(m.batchId)
        const stored = async () => (await countStored(db.url, undefined, [m.batchId], [device])).batches === 1
        return waitFor(stored, { timeoutMs: 1000, intervalMs: 50 }).then(
          () => true,
          () => false,
        )
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'ingest receiving again after the broker restart' },
    )
    const after: string[] = []
    for (let i = 0; i < 30; i++) {
      const m = metricBatch(device, 3, Date.now() - 100_000 + i * 1000)
      await publisher.send(device, m)
      after.push(m.batchId)
    }
    await waitFor(async () => (await countStored(db.url, undefined, after, [device])).batches === 30, {
      timeoutMs: 20_000,
      what: 'all 30 batches published after the restart',
      onTimeout: async () => JSON.stringify(await countStored(db.url, undefined, after, [device])),
    })
    const all = await countStored(db.url, undefined, [...ids, ...after], [device])
    expect(all.batches).toBe(all.samples / 3)
    expect(all.samples).toBe(all.distinctSamples)
    expect(all.batches).toBeGreaterThanOrEqual(41)
  })
})
