/**
 * Faults become tickets, on each target (embedded PGlite; real PostgreSQL + Mosquitto): through
 * the real ingest path with diagnostics; one ticket when engines race (two collectors on the real
 * PostgreSQL); hysteresis, recovery and flapping on a controlled clock; dependencies behind a
 * poller; maintenance windows; repeat faults; SLA deadlines from the contract's calendar,
 * pause and escalation.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import pino from 'pino'
import { TicketEngine } from '../../collector/src/tickets/engine.js'
import { escalateDue } from '../../collector/src/tickets/escalation.js'
import { applyAction } from '../../collector/src/tickets/lifecycle.js'
import { waitFor } from '../support/peers.js'
import { apiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()
const logger = pino({ level: 'silent' })
const S = 1000
const H = 3_600_000

interface Ticket {
  id: number
  device_id: string
  problem_key: string
  status: string
  level: string
  title: string
  flapping: boolean
  repeat_count: number
  dependents: string[]
  diagnostics: Record<string, unknown>
  condition_cleared_at: Date | null
  response_due: Date | null
  onsite_due: Date | null
  resolve_due: Date | null
  outside_contract: boolean
  outside_warranty: boolean
  escalation_stage: number
  occurrences: number
}

describe.each(names)('tickets on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let config: Awaited<ReturnType<typeof target.config>>
  let engine: TicketEngine
  const customer = `c${randomUUID().slice(0, 8)}`
  const uid = () => `d-${randomUUID().slice(0, 8)}`

  beforeAll(async () => {
    config = await target.config()
    collector = await startTestCollector(config)
    // The periodic sweep runs on the wall clock; these tests drive the clock themselves.
    await collector.tickets.stop()
    engine = new TicketEngine(collector.db, { logger })
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  const db = () => collector.db
  const tickets = async (device: string) => (await db().query<Ticket>('select * from ticket where device_id = $1 order by id', [device])).rows
  async function device(id: string, fields: Record<string, unknown> = {}, site = 'hq') {
    await db().query("insert into device (id, customer, site, kind, status, last_seen) values ($1, $2, $3, 'agent', 'online', now())", [id, customer, site])
    for (const [column, value] of Object.entries(fields)) await db().query(`update device set ${column} = $2 where id = $1`, [id, value])
  }
  const setLatest = (id: string, values: Record<string, number>, at: number) =>
    db().query('update device set latest = $2::jsonb where id = $1', [id, JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [at, v]])))])
  /** Long simulated gaps make a device look silent; tests about other rules switch these off for it. */
  const only = async (id: string, ...off: string[]) => {
    for (const rule of off) await override('device', id, rule, { enabled: false })
  }
  const override = (scope: string, scopeId: string, rule: string, params: Record<string, unknown>) =>
    db().query('insert into rule_override (scope, scope_id, rule_id, params) values ($1, $2, $3, $4::jsonb) on conflict (scope, scope_id, rule_id) do update set params = excluded.params', [scope, scopeId, rule, JSON.stringify(params)])

  it('a full disk reported through ingest opens one ticket with the diagnostics an engineer asks for', async () => {
    const id = uid()
    const topic = (kind: 'metrics' | 'inventory' | 'event') => buildTopic({ customer, site: 'hq', device: id, kind }, collector.ingest.options.topicPrefix)
    const send = (kind: 'metrics' | 'inventory' | 'event', body: Record<string, unknown>) =>
      collector.ingest.handle(topic(kind), Buffer.from(JSON.stringify({ v: 1, batchId: randomUUID(), deviceId: id, kind, ...body })))
    const now = Date.now()
    await send('inventory', {
      collectedAt: now,
      inventory: { system: { manufacturer: 'Dell Inc.', model: 'OptiPlex 7090', serial: 'CN0ABC123' }, bios: { vendor: 'Dell Inc.', version: '1.14.0' }, os: { distro: 'Windows 11 Pro', build: '22631' } },
    })
    await send('event', { events: [{ ts: now - 60 * S, severity: 'error', code: 'disk.ntfs_error', message: 'The file system structure on volume C: is corrupt' }] })
    await send('metrics', { points: [-3, -2, -1, 0].map((m) => ({ ts: now + m * 60 * S, metric: 'fs.used_percent', instance: 'C:', value: 98 + m * 0.1 })) })
    const [ticket] = await waitFor(async () => ((await tickets(id)).length ? tickets(id) : null), { what: 'a ticket from ingest', timeoutMs: 20_000 })
    expect(ticket).toMatchObject({ problem_key: 'fs-nearly-full:C:', status: 'open', level: 'L2', outside_contract: true })
    expect(ticket!.diagnostics).toMatchObject({ model: 'OptiPlex 7090', serial: 'CN0ABC123', bios: { version: '1.14.0' }, os: { build: '22631' }, trigger: { usedPercent: 98 } })
    expect((ticket!.diagnostics.errorLog as { code: string }[])[0]!.code).toBe('disk.ntfs_error')
    // More readings of the same fault update nothing and open nothing.
    await send('metrics', { points: [{ ts: now + 60 * S, metric: 'fs.used_percent', instance: 'C:', value: 99 }] })
    await collector.tickets.engine.idle()
    expect(await tickets(id)).toHaveLength(1)
    const { headers } = await apiAuth(collector.db, { role: 'manager' })
    const api = (await collector.app.inject({ url: `/api/tickets?device=${id}`, headers })).json()
    expect(api.total).toBe(1)
    expect(api.items[0]).toMatchObject({ deviceId: id, level: 'L2', outsideContract: true, sla: { response: null } })
  })

  it('the database allows one unresolved ticket per device and problem', async () => {
    const id = uid()
    await device(id)
    const insert = () =>
      db().query("insert into ticket (device_id, customer, site, rule_id, problem_key, level, initial_level, title, opened_at, last_occurrence_at) values ($1, $2, 'hq', 'x', 'x', 'L3', 'L3', 't', now(), now())", [id, customer])
    await insert()
    await expect(insert()).rejects.toMatchObject({ code: '23505' })
  })

  it('engines racing on the same faults open one ticket each', async () => {
    const ids = Array.from({ length: 12 }, uid)
    const now = Date.now()
    for (const id of ids) {
      await device(id)
      await setLatest(id, { 'fs.used_percent|/': 99, 'battery.wear_percent|BAT0': 60 }, now)
    }
    const other = new TicketEngine(collector.db, { logger })
    const reports = await Promise.all([engine.evaluate(ids, now), other.evaluate(ids, now), engine.evaluate(ids, now)])
    expect(reports.flatMap((r) => r.opened)).toHaveLength(ids.length * 2)
    for (const id of ids) expect((await tickets(id)).map((t) => t.problem_key).sort()).toEqual(['battery-wear:BAT0', 'fs-nearly-full:/'])
  })

  it.runIf(name === 'servers')('two collector processes on one PostgreSQL, ingesting and sweeping the same faults, open one ticket per fault', async () => {
    const second = await startTestCollector({ ...config, ingestClientId: `${config.ingestClientId}-b` })
    try {
      const ids = Array.from({ length: 20 }, uid)
      const now = Date.now()
      // Each device reports through both collectors' ingest (a redelivery, or two subscribers).
      await Promise.all(
        ids.flatMap((id) =>
          [collector, second].map((c) =>
            c.ingest.handle(
              buildTopic({ customer, site: 'hq', device: id, kind: 'metrics' }, c.ingest.options.topicPrefix),
              Buffer.from(JSON.stringify({ v: 1, batchId: randomUUID(), deviceId: id, kind: 'metrics', points: [{ ts: now, metric: 'fs.used_percent', instance: '/', value: 99.5 }] })),
            ),
          ),
        ),
      )
      await Promise.all([collector.tickets.sweep(), second.tickets.sweep(), collector.tickets.engine.evaluate(ids, now), second.tickets.engine.evaluate(ids, now)])
      await Promise.all([collector.tickets.engine.idle(), second.tickets.engine.idle()])
      const { rows } = await db().query<{ device_id: string; n: number }>(
        "select device_id, count(*)::int as n from ticket where device_id = any($1::text[]) and problem_key = 'fs-nearly-full:/' group by 1",
        [ids],
      )
      expect(rows.map((r) => r.n)).toEqual(ids.map(() => 1))
    } finally {
      await second.close()
    }
  })

  it('an override the rule refuses (written past the API) skips that rule for that device only', async () => {
    const [broken, fine] = [uid(), uid()]
    const now = Date.now()
    for (const id of [broken, fine]) {
      await device(id)
      await setLatest(id, { 'fs.used_percent|/': 99, 'battery.wear_percent|BAT0': 70 }, now)
    }
    // cpu-high reads history: its broken window must not stop the round that loads history for all.
    await override('device', broken, 'cpu-high', { windowS: 'long' })
    await override('device', broken, 'fs-nearly-full', { warningPercent: 'lots' })
    await engine.evaluate([broken, fine], now)
    expect((await tickets(broken)).map((t) => t.problem_key)).toEqual(['battery-wear:BAT0'])
    expect((await tickets(fine)).map((t) => t.problem_key).sort()).toEqual(['battery-wear:BAT0', 'fs-nearly-full:/'])
  })

  it('hysteresis: held for forS to open, clear for clearS to recover and auto-resolve', async () => {
    const id = uid()
    await device(id)
    await override('device', id, 'fs-nearly-full', { forS: 60, clearS: 120 })
    const t0 = Date.now()
    const at = async (s: number, value: number) => {
      await setLatest(id, { 'fs.used_percent|D:': value }, t0 + s * S)
      return engine.evaluate([id], t0 + s * S)
    }
    await at(0, 95)
    await at(59, 95)
    expect(await tickets(id)).toEqual([])
    expect((await at(61, 95)).opened).toHaveLength(1)
    await at(100, 50)
    await at(219, 50)
    expect((await tickets(id))[0]).toMatchObject({ status: 'open', condition_cleared_at: null })
    await at(221, 50)
    const [t] = await tickets(id)
    expect(t).toMatchObject({ status: 'resolved' })
    expect(t!.condition_cleared_at).not.toBeNull()
  })

  it('recovery waits for an engineer when the rule says so', async () => {
    const id = uid()
    await device(id)
    const t0 = Date.now()
    await setLatest(id, { 'battery.wear_percent|BAT1': 55 }, t0)
    await engine.evaluate([id], t0)
    await setLatest(id, { 'battery.wear_percent|BAT1': 5 }, t0 + 1000 * S)
    await engine.evaluate([id], t0 + 1000 * S)
    expect((await tickets(id))[0]!.condition_cleared_at).toBeNull()
    await engine.evaluate([id], t0 + 1301 * S)
    const [t] = await tickets(id)
    expect(t).toMatchObject({ status: 'open' })
    expect(t!.condition_cleared_at).not.toBeNull()
  })

  it('flapping: a condition that comes and goes is one ticket marked flapping, not a loop', async () => {
    const id = uid()
    await device(id)
    await override('device', id, 'fs-nearly-full', { forS: 60, clearS: 30 })
    const t0 = Date.now()
    for (let i = 0; i < 10; i++) {
      await setLatest(id, { 'fs.used_percent|E:': i % 2 ? 40 : 96 }, t0 + i * 20 * S)
      await engine.evaluate([id], t0 + i * 20 * S)
    }
    const list = await tickets(id)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ flapping: true, status: 'open' })
  })

  it('dependencies: with the site poller down, the devices behind it open no tickets; its ticket lists them', async () => {
    const poller = uid()
    const children = [uid(), uid()]
    const now = Date.now()
    await device(poller, { status: 'offline', status_reason: 'lost' })
    for (const c of children) await device(c, { status: 'offline', kind: 'snmp', state: JSON.stringify({ poller, status: 'timeout' }) })
    await engine.evaluate([poller, ...children], now)
    // Offline is held 90 s before it is a ticket (a reboot is not a fault).
    expect(await tickets(poller)).toEqual([])
    const report = await engine.evaluate([poller, ...children], now + 91 * S)
    expect((await tickets(poller)).map((t) => t.problem_key)).toEqual(['device-offline'])
    expect((await tickets(poller))[0]!.dependents.sort()).toEqual([...children].sort())
    for (const c of children) expect(await tickets(c)).toEqual([])
    expect(report.suppressed.map((s) => [s.deviceId, s.why]).sort()).toEqual(children.map((c) => [c, `parent ${poller} is down`]).sort())
    // Poller back (and its ticket resolved once clear long enough): a child still down is its own fault now.
    await db().query("update device set status = 'online', last_seen = $2 where id = $1", [poller, new Date(now + 100 * S)])
    await engine.evaluate([poller], now + 110 * S)
    await engine.evaluate([poller], now + 200 * S)
    expect((await tickets(poller))[0]!.status).toBe('resolved')
    await engine.evaluate(children, now + 200 * S)
    await engine.evaluate(children, now + 300 * S)
    expect((await tickets(children[0]!)).map((t) => t.problem_key)).toEqual(['device-offline'])
  })

  it('maintenance windows suppress new tickets, and only while they last', async () => {
    const id = uid()
    await device(id, {}, 'branch')
    await only(id, 'device-offline')
    const now = Date.now()
    await db().query("insert into maintenance_window (customer, site, starts_at, ends_at, reason) values ($1, 'branch', $2, $3, 'quarterly inspection')", [customer, new Date(now - H), new Date(now + H)])
    await setLatest(id, { 'fs.used_percent|C:': 99 }, now)
    const report = await engine.evaluate([id], now)
    expect(report.suppressed).toEqual([{ deviceId: id, problemKey: 'fs-nearly-full:C:', why: 'maintenance window' }])
    expect(await tickets(id)).toEqual([])
    expect((await engine.evaluate([id], now + 2 * H)).opened).toHaveLength(1)
  })

  it('repeat faults: the third time the same problem comes back it says "consider replacement"', async () => {
    const id = uid()
    await device(id)
    await only(id, 'device-offline')
    const t0 = Date.now()
    for (let round = 0; round < 3; round++) {
      const at = t0 + round * 10_000 * S
      await setLatest(id, { 'fs.used_percent|C:': 99 }, at)
      await engine.evaluate([id], at)
      if (round < 2) {
        const [open] = (await tickets(id)).filter((t) => t.status === 'open')
        await applyAction(db(), open!.id, { kind: 'resolve', actor: 'eng', problemType: 'disk', cause: 'logs', method: 'cleanup', loss: 'none' }, at + S)
      }
    }
    const list = await tickets(id)
    expect(list.map((t) => t.repeat_count)).toEqual([0, 1, 2])
    expect(list[2]!.title).toMatch(/repeat fault \(3×\), consider replacement/)
    expect(list[1]!.title).not.toMatch(/repeat fault/)
  })

  it('SLA: a weekday contract puts a Friday 17:50 fault on Monday; criticality raises the level; warranty is checked', async () => {
    const c = `${customer}s`
    await db().query("insert into customer (id, name, class) values ($1, 'Shanghai Office', 'group')", [c])
    await db().query("insert into site (customer_id, id, name, distance_km) values ($1, 'hq', 'HQ', 30)", [c])
    await db().query(
      `insert into contract (id, customer_id, name, valid_from, valid_to, calendar, targets, escalation_contacts) values ($1, $2, 'weekday', '2026-01-01', '2026-12-31', $3::jsonb, $4::jsonb, '["boss@example.com"]'::jsonb)`,
      [
        `k-${c}`,
        c,
        JSON.stringify({ kind: 'business', timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], periods: [{ start: '08:30', end: '17:30' }] }),
        JSON.stringify({ L2: { responseMin: 30, onsiteMin: 60, resolveMin: 240 }, L3: { responseMin: 120, onsiteMin: 240, resolveMin: 480 } }),
      ],
    )
    const id = uid()
    await db().query("insert into device (id, customer, site, kind, status, criticality, warranty_end) values ($1, $2, 'hq', 'agent', 'online', 'high', '2026-06-30')", [id, c])
    await only(id, 'warranty-expiring')
    const friday = Date.parse('2026-11-20T17:50:00+08:00')
    await setLatest(id, { 'fs.used_percent|C:': 92 }, friday)
    await engine.evaluate([id], friday)
    const [t] = await tickets(id)
    // L3 rule level, raised to L2 by high criticality.
    expect(t).toMatchObject({ level: 'L2', outside_contract: false, outside_warranty: true })
    expect(t!.response_due!.toISOString()).toBe(new Date(Date.parse('2026-11-23T09:00:00+08:00')).toISOString())
    expect(t!.onsite_due!.toISOString()).toBe(new Date(Date.parse('2026-11-23T10:30:00+08:00')).toISOString())
    expect(t!.resolve_due!.toISOString()).toBe(new Date(Date.parse('2026-11-23T12:30:00+08:00')).toISOString())

    // Waiting on the customer from Monday 08:40 to 10:40 moves every deadline two service hours.
    await applyAction(db(), t!.id, { kind: 'wait', actor: 'eng' }, Date.parse('2026-11-23T08:40:00+08:00'))
    expect(await escalateDue(db(), Date.parse('2026-11-23T10:00:00+08:00'))).toEqual([])
    const resumed = await applyAction(db(), t!.id, { kind: 'resume', actor: 'eng' }, Date.parse('2026-11-23T10:40:00+08:00'))
    expect(resumed.response_due!.toISOString()).toBe(new Date(Date.parse('2026-11-23T11:00:00+08:00')).toISOString())
    expect(resumed.resolve_due!.toISOString()).toBe(new Date(Date.parse('2026-11-23T14:30:00+08:00')).toISOString())

    // Approaching (80 % of the response time used), then breached: raised one level each time, once.
    expect(await escalateDue(db(), Date.parse('2026-11-23T10:56:00+08:00'))).toEqual([t!.id])
    expect(await escalateDue(db(), Date.parse('2026-11-23T10:57:00+08:00'))).toEqual([])
    expect(await escalateDue(db(), Date.parse('2026-11-23T11:01:00+08:00'))).toEqual([t!.id])
    const [after] = await tickets(id)
    expect(after).toMatchObject({ level: 'L1', escalation_stage: 2 })
    const history = (await db().query<{ kind: string; data: { contacts?: string[] } }>("select kind, data from ticket_event where ticket_id = $1 and kind = 'escalated' order by id", [t!.id])).rows
    expect(history.map((h) => h.data.contacts)).toEqual([['boss@example.com'], ['boss@example.com']])
  })
})
