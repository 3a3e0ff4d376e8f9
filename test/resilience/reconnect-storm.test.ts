/**
 * A thousand MQTT clients (the shared `connectMqtt`, as agents use: backoff with jitter) are
 * connected to a private Mosquitto when it restarts; all of them come back and each publishes one
 * QoS 1 batch the moment it reconnects. Every batch is stored exactly once by the collector, whose
 * own persistent session also survived the restart, within a bounded time.
 */
import { randomUUID } from 'node:crypto'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic, connectMqtt, encodeMessage } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { PrivatePostgres, privatePostgresPeer } from '../support/private-postgres.js'
import { uniqueName } from '../support/targets.js'
import { collectorConfig, countStored, metricBatch, startCollectorOn } from './harness.js'

const pgPeer = privatePostgresPeer()
const mqPeer = mosquittoPeer()
const CLIENTS = 1000
/** From the broker's restart to the last batch stored. */
const BOUND_MS = 25_000

describe.skipIf(!pgPeer.available || !mqPeer.available)('a thousand clients reconnecting at once (private Mosquitto and PostgreSQL)', () => {
  let db: PrivatePostgres
  let broker: PrivateMosquitto
  let collector: RunningCollector | undefined
  let cleanup: (() => Promise<void>) | undefined
  const clients: MqttClient[] = []

  beforeAll(async () => {
    ;[db, broker] = await Promise.all([PrivatePostgres.start(), PrivateMosquitto.start({ persistence: true })])
  })
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
    await collector?.close()
    await cleanup?.()
    await broker?.close()
    await db?.close()
  })

  it(`${CLIENTS} clients back after a broker restart, one batch each: all stored once, in bounded time`, async () => {
    const prefix = `res/${uniqueName('storm')}`
    const made = await collectorConfig(db.url, broker.url, prefix)
    cleanup = made.cleanup
    collector = await startCollectorOn(made.config)

    const ids: string[] = []
    const devices: string[] = []
    let restarted = false
    let acked = 0
    const reconnectedAt: number[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const deviceId = `storm-${i}`
      devices.push(deviceId)
      const message = metricBatch(deviceId, 2, Date.now() - 60_000)
      ids.push(message.batchId)
      const client = connectMqtt(broker.url, { clientId: `storm-${i}-${randomUUID().slice(0, 6)}`, clean: true, keepalive: 30, protocolVersion: 4, minReconnectMs: 250, maxReconnectMs: 4000, writeCache: false })
      let sent = false
      client.on('connect', () => {
        if (!restarted || sent) return
        sent = true
        reconnectedAt.push(Date.now())
        const topic = buildTopic({ customer: 'acme', site: 'storm', device: deviceId, kind: 'metrics' }, prefix)
        client.publish(topic, encodeMessage('metrics', message), { qos: 1 }, (error) => {
          if (!error) acked++
        })
      })
      client.on('error', () => undefined)
      clients.push(client)
    }
    await waitFor(() => clients.every((c) => c.connected), { timeoutMs: 30_000, what: `${CLIENTS} clients connected`, onTimeout: () => `${clients.filter((c) => c.connected).length} connected` })

    await broker.stop()
    await waitFor(() => clients.every((c) => !c.connected), { timeoutMs: 10_000, what: 'every client noticed the outage' })
    restarted = true
    await broker.start()
    const backAt = Date.now()

    await waitFor(() => acked === CLIENTS, { timeoutMs: BOUND_MS, intervalMs: 200, what: 'every client reconnected and its batch acknowledged by the broker', onTimeout: () => `${acked} acknowledged, ${clients.filter((c) => c.connected).length} connected` })
    await waitFor(async () => (await countStored(db.url, undefined, ids, devices)).batches === CLIENTS, {
      timeoutMs: Math.max(1000, BOUND_MS - (Date.now() - backAt)),
      intervalMs: 200,
      what: 'every batch stored',
      onTimeout: async () => JSON.stringify(await countStored(db.url, undefined, ids, devices)),
    })
    const elapsed = Date.now() - backAt
    expect(elapsed).toBeLessThan(BOUND_MS)
    expect(await countStored(db.url, undefined, ids, devices)).toEqual({ batches: CLIENTS, samples: CLIENTS * 2, distinctSamples: CLIENTS * 2 })
    expect(collector.stats.duplicates).toBe(0)
    // The jittered backoff spread the fleet out instead of one thundering instant.
    const spread = Math.max(...reconnectedAt) - Math.min(...reconnectedAt)
    expect(spread).toBeGreaterThan(100)
    console.info(`reconnect storm: ${CLIENTS} clients back and stored in ${elapsed} ms, reconnects spread over ${spread} ms`)
  })
})
