/**
 * Scale-out: two and three collector processes share the ingest through an MQTT 5 shared
 * subscription on a real Mosquitto (a private one, so its sessions are ours) and write to one
 * real PostgreSQL schema. One collector is killed with SIGKILL in the middle of the stream and
 * started again: every reading the broker acknowledged to the publisher is stored exactly once
 * (batch ids and the readings' unique index make a redelivered batch a no-op; counts prove
 * nothing was lost), the work was spread over the collectors, and the rule engine running in
 * every collector opened exactly one ticket per faulty device.
 */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { IN_CI, requirePeer, tcpReachable, waitFor } from '../support/peers.js'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { uniqueName } from '../support/targets.js'
import { Cluster, connectPublisher, makeBatches, publishAll } from './cluster.js'

const DATABASE_URL = process.env.DATABASE_URL
const BATCHES = 1500
const POINTS = 20
const DEVICES = 50
/** Every batch reports "/" 95 % full: rule fs-nearly-full opens a ticket per device, once. */
const FAULT_PERCENT = 95
const READINGS = POINTS + 1

if (!DATABASE_URL && IN_CI) requirePeer('DATABASE_URL', false, '.ci/run sets it to the local PostgreSQL')
const pgOk = Boolean(DATABASE_URL) && (await tcpReachable(new URL(DATABASE_URL!).hostname, Number(new URL(DATABASE_URL!).port || 5432)))
const pgPeer = requirePeer(`PostgreSQL at ${DATABASE_URL ?? '(DATABASE_URL unset)'}`, pgOk, 'set DATABASE_URL to a PostgreSQL server (.ci/run does)')
const mosquitto = mosquittoPeer()

describe.skipIf(!pgPeer.available || !mosquitto.available)('collectors sharing ingest (MQTT 5 shared subscription, real Mosquitto and PostgreSQL)', () => {
  let broker: PrivateMosquitto
  let admin: pg.Client
  let cluster: Cluster | undefined
  const schemas: string[] = []

  beforeAll(async () => {
    broker = await PrivateMosquitto.start({ persistence: true })
    admin = new pg.Client({ connectionString: DATABASE_URL })
    await admin.connect()
  })
  afterEach(async () => {
    await cluster?.close()
    cluster = undefined
  })
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`)
    await admin?.end()
    await broker?.close()
  })

  const counts = async (schema: string) => {
    const r = await admin.query<{ batches: number; samples: number; distinct_samples: number }>(
      `select (select count(*)::int from ${schema}.ingested_batch) as batches,
              (select count(*)::int from ${schema}.metric_sample) as samples,
              (select count(*)::int from (select distinct device_id, metric, instance, time from ${schema}.metric_sample) s) as distinct_samples`,
    )
    return r.rows[0]!
  }

  for (const collectors of [2, 3]) {
    it(`${collectors} collectors, one killed with SIGKILL mid-stream and restarted: every acknowledged reading stored once`, async () => {
      const schema = uniqueName('scale')
      schemas.push(schema)
      const topicPrefix = `scale/${schema}`
      cluster = new Cluster({ databaseUrl: DATABASE_URL!, schema, mqttUrl: broker.url, topicPrefix, shareGroup: `patrol-${schema}`.slice(0, 60) })
      await cluster.start(collectors)
      const victim = cluster.collectors[0]!
      const publisher = await connectPublisher(broker.url)
      try {
        const batches = makeBatches(BATCHES, POINTS, topicPrefix, DEVICES, FAULT_PERCENT)
        // The first half, then a kill once a third of all is stored (the victim has messages in
        // flight and queued), then the second half while it is dead: the stream goes on.
        await publishAll(publisher, batches.slice(0, BATCHES / 2))
        await waitFor(async () => (await counts(schema)).batches >= BATCHES / 3, { timeoutMs: 60_000, intervalMs: 20, what: 'a third of the batches stored' })
        await victim.kill()
        expect(victim.running).toBe(false)
        await publishAll(publisher, batches.slice(BATCHES / 2))
        // The survivors store their share; the victim's share waits in the broker for it.
        const survivors = cluster.collectors.slice(1)
        await waitFor(async () => (await Promise.all(survivors.map(async (c) => (await c.health()).ingest.storedMessages))).reduce((a, b) => a + b, 0) >= BATCHES / 3, {
          what: 'the survivors storing part of the second half',
        })
        expect((await counts(schema)).batches).toBeLessThan(BATCHES)
        await victim.start()
        await waitFor(async () => (await counts(schema)).batches === BATCHES, {
          timeoutMs: 60_000,
          what: `all ${BATCHES} batches stored`,
          onTimeout: async () => `stored ${(await counts(schema)).batches}`,
        })
        const after = await counts(schema)
        expect(after).toEqual({ batches: BATCHES, samples: BATCHES * READINGS, distinct_samples: BATCHES * READINGS })
        // The shared subscription spread the work: every survivor stored some of it.
        const stored = await Promise.all(cluster.collectors.slice(1).map(async (c) => (await c.health()).ingest.storedMessages))
        for (const n of stored) expect(n).toBeGreaterThan(0)
        // And nothing more arrives later (a late duplicate would show up as a duplicate count, never as a row).
        expect((await counts(schema)).samples).toBe(BATCHES * READINGS)
        // One ticket per fault: every collector evaluated the same devices, concurrently, and one
        // was killed mid-stream; still exactly one fs-nearly-full ticket per device.
        const tickets = async () =>
          (
            await admin.query<{ tickets: number; devices: number }>(
              `select count(*)::int as tickets, count(distinct device_id)::int as devices from ${schema}.ticket where rule_id = 'fs-nearly-full'`,
            )
          ).rows[0]!
        await waitFor(async () => (await tickets()).devices === DEVICES, { timeoutMs: 30_000, what: `a ticket for each of ${DEVICES} devices`, onTimeout: async () => JSON.stringify(await tickets()) })
        expect(await tickets()).toEqual({ tickets: DEVICES, devices: DEVICES })
      } finally {
        await publisher.endAsync()
      }
      // Process starts and a full drain: generous for a loaded two-core CI machine.
    }, 150_000)
  }
})
