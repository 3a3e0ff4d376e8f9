import { describe, expect, it } from 'vitest'
import type { UplinkMessage } from '@patrol/shared'
import { checkClock } from './accepted.js'
import { buildRows } from './rows.js'
import { copyText } from './sql.js'
import { isTransient } from './writer.js'

const policy = { toleranceMs: 120_000, maxAgeMs: 400 * 86_400_000 }
const now = Date.UTC(2026, 10, 23, 12)
const metrics = (sentAt: number | undefined, ts: number[]): UplinkMessage => ({
  v: 1,
  kind: 'metrics',
  batchId: '00000000-0000-4000-8000-000000000001',
  deviceId: 'pc-1',
  ...(sentAt !== undefined ? { sentAt } : {}),
  points: ts.map((t) => ({ ts: t, metric: 'cpu.load_percent', value: 1 })),
})

describe('clock check', () => {
  it('leaves a clock within tolerance alone', () => {
    expect(checkClock(metrics(now - 60_000, [now - 70_000]), now, policy)).toEqual({ ok: true, offsetMs: 0 })
  })
  it('corrects a clock that is hours off by the measured offset', () => {
    const off = 5 * 3_600_000
    expect(checkClock(metrics(now + off, [now + off - 1000]), now, policy)).toEqual({ ok: true, offsetMs: -off })
  })
  it('refuses a future reading without sentAt, and one older than retention, saying which', () => {
    expect(checkClock(metrics(undefined, [now + 3_600_000]), now, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/60 min in the future/) })
    expect(checkClock(metrics(now, [now - 500 * 86_400_000]), now, policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/older than the 400-day retention/) })
  })
})

describe('rows of a flush', () => {
  const address = { customer: 'acme', site: 'hq', device: 'pc-1', kind: 'metrics' as const }
  it('keeps the newest value per metric and instance, applies the clock offset, and marks the sender alive', () => {
    const message = metrics(now, [now - 2000, now - 1000])
    const rows = buildRows([{ topic: 't', address, message, receivedAt: now, clockOffsetMs: 500, raw: new Uint8Array() }])
    expect(rows.points.time).toEqual([now - 1500, now - 500])
    expect(rows.latest['pc-1']).toEqual({ 'cpu.load_percent|': [now - 500, 1] })
    expect(rows.alive).toEqual([{ device_id: 'pc-1', ts: now }])
    expect(rows.devices[0]).toMatchObject({ id: 'pc-1', customer: 'acme', site: 'hq', kind: 'agent' })
  })
  it('dates a Last Will at its arrival, not at the connect time written in it', () => {
    const will: UplinkMessage = { v: 1, kind: 'status', batchId: '00000000-0000-4000-8000-000000000002', deviceId: 'pc-1', state: 'offline', reason: 'lost', at: now - 86_400_000 }
    const rows = buildRows([{ topic: 't', address: { ...address, kind: 'status' }, message: will, receivedAt: now, clockOffsetMs: 0, raw: new Uint8Array() }])
    expect(rows.statuses).toEqual([{ device_id: 'pc-1', ts: now, state: 'offline', reason: 'lost' }])
    expect(rows.alive).toEqual([])
  })
  it('files poller results under the polled devices', () => {
    const ping: UplinkMessage = { v: 1, kind: 'ping', batchId: '00000000-0000-4000-8000-000000000003', deviceId: 'poller-1', results: [{ target: 'sw-1', host: '127.0.0.2', ts: now, alive: false, sent: 3, received: 0, lossPercent: 100 }] }
    const rows = buildRows([{ topic: 't', address: { ...address, device: 'poller-1', kind: 'ping' }, message: ping, receivedAt: now, clockOffsetMs: 0, raw: new Uint8Array() }])
    expect(rows.devices.map((d) => [d.id, d.kind, d.lastSeen])).toEqual([['poller-1', 'agent', now], ['sw-1', 'ping', null]])
    expect(rows.points.device).toEqual(['sw-1', 'sw-1'])
    expect(rows.points.metric).toEqual(['ping.up', 'ping.loss_percent'])
  })
})

describe('writer helpers', () => {
  it('escapes COPY text so a tab or newline in an instance cannot shift columns', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re')
  })
  it('tells a database outage from data the database refuses', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true)
    expect(isTransient(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true)
    expect(isTransient(new Error('cannot execute INSERT in a read-only transaction'))).toBe(true)
    expect(isTransient(Object.assign(new Error('invalid input syntax'), { code: '22P02' }))).toBe(false)
  })
})
