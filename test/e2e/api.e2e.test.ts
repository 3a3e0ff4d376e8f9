/**
 * The API over seeded readings, on each target: series buckets checked against a calculation
 * done here in JavaScript, the hourly path (long ranges) against the raw one, filters and
 * pagination, and the error body for every kind of bad request.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic, connectMqtt, decodeMessage, waitForConnect } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()
const HOUR = 3_600_000

describe.each(names)('API on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let auth: ApiAuth
  const device = `api-${randomUUID().slice(0, 8)}`
  const start = Math.floor((Date.now() - 5 * 24 * HOUR) / HOUR) * HOUR
  // One reading a minute for 5 days, two instances; values with a known pattern.
  const readings = Array.from({ length: 5 * 24 * 60 }, (_, i) => ({ ts: start + i * 60_000, a: (i % 97) + 0.5, b: ((i * 7) % 13) * 2 }))

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    auth = await apiAuth(collector.db, { role: 'engineer', customers: ['apitest'] })
    const topic = (kind: 'metrics' | 'inventory') => buildTopic({ customer: 'apitest', site: 'main', device, kind }, collector.ingest.options.topicPrefix)
    for (let i = 0; i < readings.length; i += 500) {
      const points = readings.slice(i, i + 500).flatMap((r) => [
        { ts: r.ts, metric: 'fs.used_percent', instance: 'C:', value: r.a },
        { ts: r.ts, metric: 'fs.used_percent', instance: 'D:', value: r.b },
      ])
      await collector.ingest.handle(topic('metrics'), Buffer.from(JSON.stringify({ v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, points })))
    }
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  const get = async (url: string) => collector.app.inject({ url, headers: auth.headers })

  function expected(from: number, to: number, bucketMs: number, pick: (r: (typeof readings)[number]) => number) {
    const buckets = new Map<number, number[]>()
    for (const r of readings) {
      if (r.ts < from || r.ts >= to) continue
      const b = Math.floor(r.ts / bucketMs) * bucketMs
      buckets.set(b, [...(buckets.get(b) ?? []), pick(r)])
    }
    return [...buckets.entries()].sort(([x], [y]) => x - y).map(([t, xs]) => ({ t: new Date(t).toISOString(), avg: xs.reduce((s, x) => s + x, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs), n: xs.length }))
  }
  const close = (actual: { avg: number }[], wanted: { avg: number }[]) => {
    expect(actual.map((p) => ({ ...p, avg: Math.round(p.avg * 1e6) / 1e6 }))).toEqual(wanted.map((p) => ({ ...p, avg: Math.round(p.avg * 1e6) / 1e6 })))
  }

  it('averages raw readings per bucket, per instance, as computed independently', async () => {
    const from = start + 90 * 60_000
    const to = start + 6 * HOUR + 17 * 60_000
    const body = (await get(`/api/devices/${device}/series?metric=fs.used_percent&from=${new Date(from).toISOString()}&to=${to}&bucket=15m`)).json()
    expect(body.source).toBe('raw')
    const byInstance = Object.fromEntries(body.series.map((s: { instance: string; points: unknown[] }) => [s.instance, s.points]))
    close(byInstance['C:'], expected(from, to, 15 * 60_000, (r) => r.a))
    close(byInstance['D:'], expected(from, to, 15 * 60_000, (r) => r.b))
  })

  it('reads the hourly aggregate for long ranges and gets the same numbers', async () => {
    const from = start
    const to = start + 5 * 24 * HOUR
    const body = (await get(`/api/devices/${device}/series?metric=fs.used_percent&instance=C:&from=${from}&to=${to}&bucket=6h`)).json()
    expect(body.source).toBe('hourly')
    close(body.series[0].points, expected(from, to, 6 * HOUR, (r) => r.a))
  })

  it('lists devices with filters and pagination, and shows the newest value per instance', async () => {
    const list = (await get('/api/devices?customer=apitest&limit=1')).json()
    expect(list).toMatchObject({ total: 1, limit: 1, offset: 0 })
    expect(list.items[0].id).toBe(device)
    expect((await get('/api/devices?customer=apitest&offset=1')).json().items).toEqual([])
    const one = await (async () => {
      for (let i = 0; i < 50; i++) {
        const body = (await get(`/api/devices/${device}`)).json()
        if (body.latest['fs.used_percent']) return body
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error('latest values never appeared')
    })()
    const last = readings.at(-1)!
    expect(one.latest['fs.used_percent']['C:']).toEqual({ value: last.a, at: new Date(last.ts).toISOString() })
    expect(one.latest['fs.used_percent']['D:'].value).toBe(last.b)
    expect((await get(`/api/devices/${device}/metrics`)).json().metrics).toEqual({ 'fs.used_percent': ['C:', 'D:'] })
  })

  it('pushes configuration to an agent as a retained config message, and refuses a bad one', async () => {
    const body = { intervalS: 30, watchedServices: ['nginx'], poller: { targets: [{ host: '127.0.0.1', port: 1161, community: 'public' }], intervalS: 120 } }
    const put = await collector.app.inject({ headers: auth.headers, method: 'PUT', url: `/api/devices/${device}/config`, payload: body })
    expect(put.statusCode).toBe(200)
    expect((await get(`/api/devices/${device}/config`)).json().config).toMatchObject({ v: 1, kind: 'config', ...body })
    // An agent connecting afterwards still receives it (retained), and it passes the contract.
    const topic = buildTopic({ customer: 'apitest', site: 'main', device, kind: 'config' }, collector.ingest.options.topicPrefix)
    const agent = connectMqtt(collector.mqttUrl, { clientId: `cfg-${device}` })
    try {
      await waitForConnect(agent)
      const received = new Promise<Buffer>((resolve) => agent.on('message', (t, payload) => t === topic && resolve(payload)))
      await agent.subscribeAsync(topic, { qos: 1 })
      const decoded = decodeMessage(topic, await received, { prefix: collector.ingest.options.topicPrefix })
      expect(decoded).toMatchObject({ ok: true, message: { kind: 'config', intervalS: 30, poller: body.poller } })
    } finally {
      await agent.endAsync(true)
    }
    for (const bad of [{ intervalS: 1 }, { poller: { targets: [{ port: 161 }] } }, { surprise: true }]) {
      const response = await collector.app.inject({ headers: auth.headers, method: 'PUT', url: `/api/devices/${device}/config`, payload: bad })
      expect(response.statusCode).toBe(400)
      expect(response.json().error.code).toBe('BAD_REQUEST')
    }
    expect((await collector.app.inject({ headers: auth.headers, method: 'PUT', url: '/api/devices/nobody/config', payload: {} })).statusCode).toBe(404)
  })

  it('answers every bad request with a 4xx and one error body shape', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/devices/nope-never', 404, /not found/],
      ['/api/devices/nope-never/series?metric=cpu.load_percent', 404, /not found/],
      [`/api/devices/${device}/series?metric=DROP%20TABLE`, 400, /metric/],
      [`/api/devices/${device}/series?metric=cpu.load_percent&bucket=1w`, 400, /bucket/],
      [`/api/devices/${device}/series?metric=cpu.load_percent&from=yesterday`, 400, /not a time/],
      [`/api/devices/${device}/series?metric=cpu.load_percent&from=now&to=-1h`, 400, /before/],
      [`/api/devices/${device}/series?metric=cpu.load_percent&from=-365d&bucket=1s`, 400, /buckets/],
      ["/api/devices?customer=x'%20or%201=1--", 400, /customer/],
      ['/api/devices?limit=100000', 400, /limit/],
      ['/api/devices?surprise=1', 400, /additional/],
      ['/api/devices/..%2F..%2Fetc%2Fpasswd', 400, /id/],
      ['/api/nothing-here', 404, /no route/],
    ]
    for (const [url, status, message] of cases) {
      const response = await get(url)
      expect({ url, status: response.statusCode }).toEqual({ url, status })
      const body = response.json()
      expect(Object.keys(body)).toEqual(['error'])
      expect(body.error.code).toMatch(/^[A-Z_]+$/)
      expect(body.error.message).toMatch(message)
    }
  })
})
