/**
 * The collector list against the folder and the wire contract: every collector file is
 * registered once under its file name, and what the real collectors read on THIS machine is a
 * valid metrics batch (and inventory message) using only catalogued metric names.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isKnownMetric, validateMessage } from '@patrol/shared'
import { CycleRunner } from '../runtime.js'
import { COLLECTORS } from './index.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const NOT_COLLECTORS = new Set(['collector.ts', 'index.ts', 'rates.ts'])

describe('collector registry', () => {
  const files = readdirSync(HERE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !NOT_COLLECTORS.has(f))

  it('registers every collector file exactly once, named after its file', () => {
    const names = COLLECTORS.map((c) => c.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names.toSorted()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).toSorted())
  })
})

describe('real collectors on this machine', () => {
  it('produce a valid metrics batch and inventory with catalogued metric names only', async () => {
    const runner = new CycleRunner('dev-contract', COLLECTORS, { watchedServices: ['cron', 'no-such-service-xyz'] })
    const first = await runner.run(Date.now(), { all: true })
    // Real cycles are seconds apart; /proc/stat counts in 10 ms ticks, so two reads in the same tick
    // have no CPU share to give (and the collector rightly leaves it out rather than report 0 %).
    await new Promise((resolve) => setTimeout(resolve, 250))
    // A second cycle, so the rate and per-process CPU readings (which need two samples) show up too.
    const second = await runner.run(Date.now() + 1000, { all: true })
    for (const result of [first, second]) {
      const batch = validateMessage('metrics', result.batch)
      const unknown = batch.points.filter((p) => !isKnownMetric(p.metric)).map((p) => p.metric)
      expect(unknown, 'metrics missing from shared/src/metrics-catalogue.ts').toEqual([])
      const outcomes = new Map(batch.collectors?.map((c) => [c.name, c]))
      expect([...outcomes.keys()].toSorted()).toEqual(COLLECTORS.map((c) => c.name).toSorted())
      // A failure is allowed only with a reason; it must never be a crash that loses the batch.
      for (const outcome of outcomes.values()) if (!outcome.ok) expect(outcome.error, outcome.name).toMatch(/\S/)
      for (const event of result.events) expect(event.code).toMatch(/^[a-z]/)
      validateMessage('event', { v: 1, kind: 'event', batchId: crypto.randomUUID(), deviceId: 'dev-contract', events: result.events.length ? result.events : [{ ts: Date.now(), severity: 'info', code: 'test.none', message: 'none' }] })
      expect(result.inventory).toBeDefined()
      validateMessage('inventory', { v: 1, kind: 'inventory', batchId: crypto.randomUUID(), deviceId: 'dev-contract', collectedAt: Date.now(), inventory: result.inventory })
    }
    const metrics = new Set(second.batch.points.map((p) => p.metric))
    for (const expected of ['cpu.load_percent', 'mem.used_percent', 'system.uptime_seconds', 'system.processes', 'process.memory_bytes', 'process.cpu_percent', 'service.running']) {
      expect(metrics, expected).toContain(expected)
    }
    const summary = second.batch.collectors?.map((c) => `${c.name}:${c.ok ? 'ok' : 'FAILED'} ${c.durationMs}ms${c.error ? ` (${c.error})` : ''}`)
    console.info(`collectors here: ${summary?.join('; ')}`)
  })
})
