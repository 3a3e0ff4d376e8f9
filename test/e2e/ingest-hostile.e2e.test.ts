/**
 * Bad input at the door: random and hostile payloads (wrong types, huge arrays, NaN, timestamps
 * far in the future and past, wrong versions, unknown devices, a device speaking for another,
 * oversized and deeply nested JSON, garbage bytes) thrown at the collector's real ingest path
 * (the same `Ingest.handle` both the embedded broker and the MQTT subscription call) on each
 * target. Nothing may throw; every valid message must land in full; every invalid one must be in
 * rejected_message with its reason. A smaller round goes through the real broker too.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic, connectMqtt, waitForConnect } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()
const MAX_PAYLOAD = 64 * 1024

interface Case {
  topic: string
  payload: Buffer
  valid: boolean
  batchId?: string
  points: number
  label: string
}

const deviceIds = fc.constantFrom('pc-001', 'pc-002', 'srv.db-01', 'never-seen-before', 'PRN_3F')

function validBatch(prefix: string) {
  return fc
    .record({
      device: deviceIds,
      points: fc.array(
        fc.record({
          ageS: fc.integer({ min: 0, max: 3600 }),
          metric: fc.constantFrom('cpu.load_percent', 'fs.used_percent', 'net.rx_bytes_per_second', 'x.y_z'),
          instance: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
          value: fc.double({ noNaN: true, noDefaultInfinity: true }),
        }),
        { maxLength: 40 },
      ),
      skewS: fc.constantFrom(0, 0, 3 * 3600, -5 * 3600),
    })
    .map(({ device, points, skewS }): Case => {
      const now = Date.now()
      // The sender's clock is off by skewS: both its readings and its sentAt carry the error.
      const agentNow = now + skewS * 1000
      const unique = new Map<string, { ts: number; metric: string; instance?: string; value: number }>()
      for (const p of points) {
        const point = { ts: agentNow - p.ageS * 1000, metric: p.metric, ...(p.instance !== undefined ? { instance: p.instance.replaceAll('\u0000', '') } : {}), value: p.value }
        unique.set(`${point.metric}|${point.instance ?? ''}|${point.ts}`, point)
      }
      const batchId = randomUUID()
      const message = { v: 1, kind: 'metrics', batchId, deviceId: device, sentAt: agentNow, points: [...unique.values()] }
      return { topic: buildTopic({ customer: 'fuzz', site: 'lab', device, kind: 'metrics' }, prefix), payload: Buffer.from(JSON.stringify(message)), valid: true, batchId, points: unique.size, label: 'valid' }
    })
}

function hostile(prefix: string) {
  const topic = (device = 'pc-001', kind = 'metrics') => buildTopic({ customer: 'fuzz', site: 'lab', device, kind: kind as 'metrics' }, prefix)
  const base = () => ({ v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: 'pc-001', sentAt: Date.now() })
  const bad = (label: string, payload: string | Buffer, t = topic()): Case => ({ topic: t, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload), valid: false, points: 0, label })
  return fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => bad('garbage bytes', Buffer.concat([Buffer.from([0xff]), Buffer.from(bytes)]))),
    fc.anything().map((value) => bad('random JSON value', JSON.stringify({ value }) ?? 'null')),
    fc.constantFrom('string', true, null, [], {}).map((value) => bad('wrong value type', JSON.stringify({ ...base(), points: [{ ts: Date.now(), metric: 'cpu.load_percent', value }] }))),
    fc.constant(0).map(() => bad('NaN literal', `{"v":1,"kind":"metrics","batchId":"${randomUUID()}","deviceId":"pc-001","points":[{"ts":${Date.now()},"metric":"cpu.load_percent","value":NaN}]}`)),
    fc.integer({ min: 20_001, max: 25_000 }).map((n) => bad('too many points', JSON.stringify({ ...base(), points: Array.from({ length: n }, () => ({ ts: 1e12, metric: 'a.b', value: 1 })) }))),
    fc.integer({ min: 1, max: 3650 }).map((days) => bad('future reading', JSON.stringify({ ...base(), points: [{ ts: Date.now() + days * 86_400_000, metric: 'cpu.load_percent', value: 1 }] }))),
    fc.constant(0).map(() => bad('ancient reading', JSON.stringify({ ...base(), points: [{ ts: Date.UTC(2001, 0, 1), metric: 'cpu.load_percent', value: 1 }] }))),
    fc.integer({ min: 2, max: 99 }).map((v) => bad('wrong version', JSON.stringify({ ...base(), v, points: [] }))),
    fc.constant(0).map(() => bad('device speaking for another', JSON.stringify({ ...base(), deviceId: 'pc-002', points: [] }))),
    fc.constant(0).map(() => bad('payload kind differs from topic', JSON.stringify({ ...base(), kind: 'inventory', collectedAt: Date.now(), inventory: {} }))),
    fc.constant(0).map(() => bad('oversized', JSON.stringify({ ...base(), points: [], pad: 'x'.repeat(MAX_PAYLOAD) }))),
    fc.integer({ min: 1000, max: 20_000 }).map((depth) => bad('deep JSON', '['.repeat(depth) + ']'.repeat(depth))),
    fc.constantFrom('patrol/v1/fuzz/lab', 'patrol/v9/fuzz/lab/pc-001/metrics', 'patrol/v1/fuzz/lab/pc-001/bogus', 'patrol/v1/fu zz/lab/pc-001/metrics').map((t) =>
      bad('bad topic', JSON.stringify(base()), `${prefix ? `${prefix}/` : ''}${t}`),
    ),
    fc.constant(0).map(() => bad('NUL in a string', JSON.stringify({ ...base(), points: [{ ts: Date.now(), metric: 'cpu.load_percent', instance: 'a\u0000b', value: 1 }] }))),
  )
}

describe.each(names)('hostile input on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let prefix: string
  beforeAll(async () => {
    const config = await target.config({ maxPayloadBytes: MAX_PAYLOAD })
    prefix = config.topicPrefix
    collector = await startTestCollector(config)
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  const count = async (sql: string, params: unknown[] = []) => Number((await collector.db.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0)

  it('stores every valid message in full and every invalid one as rejected, and never throws', async () => {
    let expectedRejected = await count('select count(*)::int as n from rejected_message')
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ arbitrary: validBatch(prefix), weight: 2 }, { arbitrary: hostile(prefix), weight: 1 }), { minLength: 1, maxLength: 12 }), async (cases) => {
        // All at once, as from many agents: the writer batches them into shared flushes.
        const outcomes = await Promise.allSettled(cases.map((c) => collector.ingest.handle(c.topic, c.payload)))
        for (const [i, outcome] of outcomes.entries()) {
          if (outcome.status === 'rejected') throw new Error(`${cases[i]!.label} threw: ${String(outcome.reason)}`)
        }
        for (const c of cases.filter((x) => x.valid)) {
          expect(await count('select rows as n from ingested_batch where batch_id = $1', [c.batchId])).toBe(c.points)
        }
        expectedRejected += cases.filter((c) => !c.valid).length
        expect(await count('select count(*)::int as n from rejected_message')).toBe(expectedRejected)
      }),
      { numRuns: 25 },
    )
    // Every rejection kept its reason and the payload's size.
    expect(await count("select count(*)::int as n from rejected_message where reason = '' or payload_bytes is null")).toBe(0)
    expect(collector.stats.rejectedTotal).toBe(expectedRejected)
  })

  it('stores points of a valid batch with corrected times when the sender clock is hours off', async () => {
    const device = `skew-${randomUUID().slice(0, 8)}`
    const now = Date.now()
    const offset = 3 * 3_600_000
    const batch = { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, sentAt: now + offset, points: [{ ts: now + offset - 60_000, metric: 'cpu.load_percent', value: 42 }] }
    await collector.ingest.handle(buildTopic({ customer: 'fuzz', site: 'lab', device, kind: 'metrics' }, prefix), Buffer.from(JSON.stringify(batch)))
    const { rows } = await collector.db.query<{ t: Date }>('select time as t from metric_sample where device_id = $1', [device])
    expect(rows).toHaveLength(1)
    // Within the transit time of the truth, not three hours ahead.
    expect(Math.abs(rows[0]!.t.getTime() - (now - 60_000))).toBeLessThan(5_000)
    // The correction applied (collector clock − sender clock) is recorded on the device.
    expect(Math.abs((await count('select clock_offset_ms::int as n from device where id = $1', [device])) + offset)).toBeLessThan(5_000)
  })

  it('keeps ingesting valid messages sent through the broker between garbage', async () => {
    const client = connectMqtt(collector.mqttUrl, { clientId: `fuzz-${randomUUID().slice(0, 8)}` })
    await waitForConnect(client)
    const before = await count('select count(*)::int as n from rejected_message')
    const valid: string[] = []
    try {
      for (let i = 0; i < 20; i++) {
        const c = fc.sample(i % 2 ? validBatch(prefix) : hostile(prefix).filter((h) => h.label !== 'bad topic' && h.label !== 'oversized'), 1)[0]!
        if (c.valid) valid.push(c.batchId!)
        await client.publishAsync(c.topic, c.payload, { qos: 1 })
      }
      await waitFor(async () => (await count('select count(*)::int as n from ingested_batch where batch_id = any($1::uuid[])', [valid])) === valid.length, { what: 'valid batches stored' })
      await waitFor(async () => (await count('select count(*)::int as n from rejected_message')) === before + 10, { what: '10 rejections stored' })
    } finally {
      await client.endAsync(true)
    }
  })
})
