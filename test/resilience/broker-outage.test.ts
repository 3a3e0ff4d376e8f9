/**
 * A fleet of real agents (the real runtime, offline queue and publisher; a numbering collector
 * instead of reading this machine) reports through a private Mosquitto into a collector on a
 * private PostgreSQL. The broker is stopped while the agents keep collecting, then started again:
 * the agents come back with backoff and jitter, spread out rather than on one beat, and replay
 * their queues; the collector's persistent session resumes; every batch is stored exactly once,
 * none lost, none doubled. (A collector killed with SIGKILL mid-stream is covered by
 * test/scale/shared-ingest.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAgentConfig, startAgent, type RunningAgent } from '@patrol/agent'
import type { RunningCollector } from '@patrol/collector'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { PrivatePostgres, privatePostgresPeer } from '../support/private-postgres.js'
import { uniqueName } from '../support/targets.js'
import { collectorConfig, startCollectorOn } from './harness.js'

const pgPeer = privatePostgresPeer()
const mqPeer = mosquittoPeer()
const AGENTS = 8
const silent = pino({ level: 'silent' })

describe.skipIf(!pgPeer.available || !mqPeer.available)('broker outage under a fleet of agents (private Mosquitto and PostgreSQL)', () => {
  let db: PrivatePostgres
  let broker: PrivateMosquitto
  let collector: RunningCollector | undefined
  let cleanup: (() => Promise<void>) | undefined
  const agents: RunningAgent[] = []
  const dirs: string[] = []

  beforeAll(async () => {
    ;[db, broker] = await Promise.all([PrivatePostgres.start(), PrivateMosquitto.start({ persistence: true })])
  })
  afterAll(async () => {
    for (const agent of agents) await agent.stop().catch(() => undefined)
    await collector?.close()
    await cleanup?.()
    await broker?.close()
    await db?.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it(`${AGENTS} agents keep collecting through a broker outage, reconnect spread out, and every batch is stored once`, async () => {
    const prefix = `res/${uniqueName('broker')}`
    const made = await collectorConfig(db.url, broker.url, prefix)
    cleanup = made.cleanup
    collector = await startCollectorOn(made.config)

    const counters = new Map<string, number>()
    const reconnects: number[] = []
    // Set before the broker stops: an agent may be back before `broker.start()` has returned.
    let outage = false
    for (let a = 0; a < AGENTS; a++) {
      const deviceId = `dev-outage-${a}`
      counters.set(deviceId, 0)
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patrol-res-agent-'))
      dirs.push(dataDir)
      const numbered = {
        name: 'numbered',
        every: 'cycle' as const,
        collect: async ({ now }: { now: number }) => {
          const value = counters.get(deviceId)! + 1
          counters.set(deviceId, value)
          return { points: [{ ts: now, metric: 'system.uptime_seconds', value }] }
        },
      }
      const agent = await startAgent(
        loadAgentConfig({ env: {}, overrides: { mqttUrl: broker.url, dataDir, deviceId, topicPrefix: prefix, logLevel: 'silent' } }),
        { logger: silent, collectors: [numbered], firstCycleDelayMs: 0, intervalMsOverride: 200 },
      )
      agents.push(agent)
      agent.publisher.client.on('connect', () => {
        if (outage) reconnects.push(Date.now())
      })
    }
    const storedValues = async () =>
      db.sql<{ device_id: string; n: number; distinct_values: number; max: number; batches: number }>(
        `select s.device_id, count(*)::int as n, count(distinct value)::int as distinct_values, max(value)::int as max,
                (select count(*)::int from ingested_batch b where b.device_id = s.device_id and b.kind = 'metrics') as batches
         from metric_sample s where metric = 'system.uptime_seconds' group by s.device_id`,
      )
    await waitFor(async () => (await storedValues()).filter((r) => r.n >= 3).length === AGENTS, { what: 'every agent stored a few batches before the outage' })

    outage = true
    await broker.stop()
    // The outage lasts until every agent has queued several batches on disk.
    await waitFor(() => agents.every((a) => a.forwarder.pending >= 5), { timeoutMs: 20_000, what: 'each agent queueing during the outage' })
    const queuedDuringOutage = Math.min(...agents.map((a) => a.forwarder.pending))
    expect(queuedDuringOutage).toBeGreaterThanOrEqual(5)
    await broker.start()

    await waitFor(() => agents.every((a) => a.publisher.connected && a.forwarder.pending === 0), { timeoutMs: 40_000, what: 'every agent reconnected and its queue drained' })
    const target = new Map(counters)
    await waitFor(
      async () => {
        const rows = await storedValues()
        return rows.length === AGENTS && rows.every((r) => r.max >= target.get(r.device_id)!)
      },
      { timeoutMs: 30_000, what: 'every batch taken before the drain stored', onTimeout: async () => JSON.stringify(await storedValues()) },
    )
    for (const agent of agents.splice(0)) await agent.stop()

    // Nothing lost: the values are 1..max with no gap. Nothing doubled: one reading and one batch each.
    for (const row of await storedValues()) {
      expect(row.distinct_values, row.device_id).toBe(row.max)
      expect(row.n, row.device_id).toBe(row.max)
      expect(row.batches, row.device_id).toBe(row.max)
    }
    // Backoff with jitter: the fleet did not come back within one 100 ms window.
    expect(reconnects.length).toBeGreaterThanOrEqual(AGENTS)
    const spread = Math.max(...reconnects) - Math.min(...reconnects)
    expect(spread).toBeGreaterThan(100)
    const first = Math.min(...reconnects)
    const buckets = new Set(reconnects.map((t) => Math.floor((t - first) / 100)))
    expect(buckets.size).toBeGreaterThan(1)
  })
})
