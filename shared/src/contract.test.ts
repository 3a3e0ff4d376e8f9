import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildTopic, decodeMessage, encodeMessage, parseTopic, uplinkSubscription, MESSAGE_KINDS, type MessageKind } from './index.js'

const id = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/)
const kind = fc.constantFrom(...MESSAGE_KINDS)
const prefix = fc.constantFrom('', 'test/run-1', 'a')

describe('topics', () => {
  it('parses back every topic it builds, with or without a prefix', () => {
    fc.assert(
      fc.property(id, id, id, kind, prefix, (customer, site, device, k, p) => {
        const topic = buildTopic({ customer, site, device, kind: k }, p)
        expect(parseTopic(topic, p)).toEqual({ ok: true, address: { customer, site, device, kind: k } })
      }),
    )
  })

  it('refuses ids with wildcards, slashes or spaces instead of building a topic that means something else', () => {
    for (const bad of ['a/b', '+', '#', 'with space', '', 'x'.repeat(65)]) {
      expect(() => buildTopic({ customer: bad, site: 's', device: 'd', kind: 'metrics' })).toThrow(/invalid/)
    }
  })

  it('gives a reason for every topic that is not ours', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (topic) => {
        const result = parseTopic(topic)
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0)
      }),
    )
    expect(parseTopic('patrol/v2/c/s/d/metrics')).toMatchObject({ ok: false, reason: expect.stringMatching(/version "v2"/) })
  })

  it('subscribes to exactly the uplink topics', () => {
    expect(uplinkSubscription('t/x')).toBe('t/x/patrol/v1/+/+/+/+')
  })
})

describe('messages', () => {
  const metrics = { v: 1 as const, kind: 'metrics' as const, batchId: '8a3b9c1e-2f4d-4e5a-9b6c-7d8e9f0a1b2c', deviceId: 'pc-1', points: [{ ts: 1_795_000_000_000, metric: 'cpu.load_percent', value: 3.5 }] }
  const topic = (k: MessageKind = 'metrics', device = 'pc-1') => buildTopic({ customer: 'c', site: 's', device, kind: k })

  it('decodes what it encodes', () => {
    const decoded = decodeMessage(topic(), encodeMessage('metrics', metrics))
    expect(decoded).toMatchObject({ ok: true, message: metrics })
  })

  it('never throws on any bytes and always says why it refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), kind, (bytes, k) => {
        const result = decodeMessage(topic(k), bytes)
        if (!result.ok) expect(result.reason).toBeTruthy()
      }),
    )
  })

  it('names the problem: version, device, kind, size, NaN', () => {
    const check = (payload: unknown, t = topic()) => decodeMessage(t, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)))
    expect(check({ ...metrics, v: 2 })).toMatchObject({ ok: false, code: 'version' })
    expect(check(metrics, topic('metrics', 'pc-2'))).toMatchObject({ ok: false, code: 'device-mismatch' })
    expect(check({ ...metrics, kind: 'event' }, topic('event'))).toMatchObject({ ok: false, code: 'schema' })
    expect(check({ ...metrics, points: [{ ts: 1, metric: 'cpu.load_percent', value: 1 }] })).toMatchObject({ ok: false, code: 'schema', reason: expect.stringMatching(/points\/0\/ts/) })
    expect(check(JSON.stringify(metrics).replace('3.5', 'NaN'))).toMatchObject({ ok: false, code: 'not-json' })
    expect(decodeMessage(topic(), Buffer.alloc(2048, 32), { maxPayloadBytes: 1024 })).toMatchObject({ ok: false, code: 'too-large' })
  })

  it('refuses to send what the collector would refuse', () => {
    expect(() => encodeMessage('metrics', { ...metrics, points: [{ ts: 5, metric: 'Bad Name', value: 1 }] })).toThrow(/invalid metrics payload/)
  })
})
