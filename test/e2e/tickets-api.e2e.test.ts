/**
 * The ticketing API on each target: asset lists in and out (YAML and CSV, all or nothing), the
 * unassigned queue, the ticket lifecycle with its refusals, rule overrides and maintenance windows.
 */
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { parse as parseYaml } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { TicketEngine } from '../../collector/src/tickets/engine.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()
const logger = pino({ level: 'silent' })

describe.each(names)('ticketing API on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let auth: ApiAuth
  const tag = randomUUID().slice(0, 6)
  const customer = `acme${tag}`

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    await collector.tickets.stop()
    // An administrator named zhang: the ticket history records who is signed in.
    auth = await apiAuth(collector.db, { role: 'admin', username: 'zhang' })
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, contentType?: string) => {
    const headers = { ...auth.headers, ...(contentType ? { 'content-type': contentType } : {}) }
    const res = await collector.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as string }) })
    return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body }
  }

  const assetYaml = `
customers:
  - { id: ${customer}, name: ACME Group, class: group, contactEmail: it@acme.example, engineer: Wang Wei, language: en, timeZone: Europe/Berlin }
sites:
  - { customerId: ${customer}, id: hq, name: Head office, distanceKm: 12 }
  - { customerId: ${customer}, id: plant, name: Plant, distanceKm: 350 }
contracts:
  - id: k-${customer}
    customerId: ${customer}
    name: Weekday service 2026
    validFrom: "2026-01-01"
    validTo: "2026-12-31"
    calendar: { kind: business, timeZone: Asia/Shanghai, days: [1, 2, 3, 4, 5], periods: [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "18:00" }], holidays: ["2026-10-01"] }
    targets: { L1: { responseMin: 30, onsiteMin: 120, resolveMin: 240 }, L2: { responseMin: 30, onsiteMin: 120, resolveMin: 480 }, L3: { responseMin: 120, onsiteMin: 480, resolveMin: 1440 } }
    escalationContacts: [manager@acme.example]
devices:
  - { id: pc-${tag}, customer: ${customer}, site: hq, category: pc, assetTag: "A-0001", criticality: normal, warrantyEnd: "2027-03-31", model: OptiPlex 7090, serial: CN0ABC }
  - { id: prn-${tag}, customer: ${customer}, site: plant, category: printer, criticality: high, parentDeviceId: pc-${tag} }
`

  it('imports an asset list from YAML and exports the same records', async () => {
    const res = await call('POST', '/api/assets/import?format=yaml', assetYaml, 'application/yaml')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.imported).toEqual({ customers: 1, sites: 2, contracts: 1, devices: 2 })
    const exported = parseYaml((await call('GET', '/api/assets/export?format=yaml')).body as string)
    const wanted = parseYaml(assetYaml)
    expect(exported.customers.filter((c: { id: string }) => c.id === customer)).toEqual(wanted.customers)
    expect(exported.sites.filter((s: { customerId: string }) => s.customerId === customer)).toEqual(wanted.sites)
    expect(exported.contracts.filter((c: { customerId: string }) => c.customerId === customer)).toEqual(wanted.contracts)
    expect(exported.devices.filter((d: { customer: string }) => d.customer === customer)).toEqual(wanted.devices)
    const customers = (await call('GET', '/api/customers')).body.items.find((c: { id: string }) => c.id === customer)
    expect(customers.sites.map((s: { id: string }) => s.id)).toEqual(['hq', 'plant'])
  })

  it('imports devices from CSV (quotes, commas, port lists) and refuses a bad row by line, writing nothing', async () => {
    const csv = `id,customer,site,category,assetTag,criticality,importantPorts,model\r\nsw-${tag},${customer},hq,network-core,"SW-1, rack 2",critical,Gi0/1;Gi0/2,"Catalyst ""9200"""\r\n`
    expect((await call('POST', '/api/assets/import?format=csv', csv, 'text/csv')).status).toBe(200)
    const out = (await call('GET', '/api/assets/export?format=csv')).body as string
    expect(out.split('\r\n')[0]).toBe('id,customer,site,category,assetTag,criticality,warrantyEnd,model,serial,maintainedBy,parentDeviceId,importantPorts')
    expect(out).toContain(`sw-${tag},${customer},hq,network-core,"SW-1, rack 2",critical,,"Catalyst ""9200""",,,,Gi0/1;Gi0/2`)

    const bad = `id,customer,site,criticality\r\nok-${tag},${customer},hq,low\r\nbad-${tag},${customer},hq,extreme\r\n`
    const refused = await call('POST', '/api/assets/import?format=csv', bad, 'text/csv')
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(/^CSV line 3: \/criticality/)
    expect((await collector.db.query('select 1 from device where id = $1', [`ok-${tag}`])).rows).toEqual([])
    const unknownColumn = await call('POST', '/api/assets/import?format=csv', 'id,colour\r\nx,red\r\n', 'text/csv')
    expect(unknownColumn.body.error.message).toMatch(/unknown column\(s\) colour/)
  })

  it('refuses a contract whose calendar cannot work, naming the problem', async () => {
    const res = await call('PUT', `/api/contracts/bad-${tag}`, {
      customerId: customer,
      name: 'broken',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      calendar: { kind: 'business', timeZone: 'Nowhere/Town', days: [1], periods: [{ start: '18:00', end: '09:00' }] },
      targets: {},
    })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toBe(`contract bad-${tag}: service calendar: unknown time zone "Nowhere/Town"; period 18:00–09:00 ends before it starts`)
  })

  it('a device that reports before anyone assigned it waits in the unassigned queue until its asset record is set', async () => {
    const id = `new-${tag}`
    await collector.ingest.handle(
      buildTopic({ customer, site: 'hq', device: id, kind: 'metrics' }, collector.ingest.options.topicPrefix),
      Buffer.from(JSON.stringify({ v: 1, batchId: randomUUID(), deviceId: id, kind: 'metrics', points: [{ ts: Date.now(), metric: 'cpu.load_percent', value: 3 }] })),
    )
    const queue = async () => (await call('GET', '/api/devices-unassigned?limit=1000')).body.items.map((d: { id: string }) => d.id)
    expect(await queue()).toContain(id)
    const set = await call('PUT', `/api/devices/${id}/asset`, { site: 'plant', category: 'pc', criticality: 'high', warrantyEnd: '2028-01-31' })
    expect(set.status, JSON.stringify(set.body)).toBe(200)
    expect(set.body).toMatchObject({ id, customer, site: 'plant', criticality: 'high', warrantyEnd: '2028-01-31' })
    expect(await queue()).not.toContain(id)
    expect((await call('PUT', `/api/devices/${id}/asset`, { criticality: 'extreme' })).status).toBe(400)
  })

  it('runs a ticket through its life, refusing steps that do not fit, and keeps the history', async () => {
    const id = `pc-${tag}`
    await collector.db.query('update device set latest = $2::jsonb, last_seen = now() where id = $1', [id, JSON.stringify({ 'fs.used_percent|C:': [Date.now(), 99] })])
    const { opened } = await new TicketEngine(collector.db, { logger }).evaluate([id], Date.now())
    expect(opened).toHaveLength(1)
    const t = opened[0]!
    const list = (await call('GET', `/api/tickets?customer=${customer}&status=unresolved`)).body
    expect(list.items.map((i: { id: number }) => i.id)).toContain(t)
    const one = (await call('GET', `/api/tickets/${t}`)).body
    expect(one).toMatchObject({ status: 'open', contractId: `k-${customer}`, outsideContract: false, diagnostics: { model: 'OptiPlex 7090', serial: 'CN0ABC' } })
    expect(typeof one.sla.resolve.remainingMs).toBe('number')
    const overdue = async () => (await call('GET', `/api/tickets?customer=${customer}&overdue=true`)).body.items.map((i: { id: number }) => i.id)
    expect(await overdue()).not.toContain(t)
    await collector.db.query("update ticket set response_due = now() - interval '1 minute' where id = $1", [t])
    expect(await overdue()).toContain(t)
    expect((await call('GET', `/api/tickets/${t}`)).body.sla.response).toMatchObject({ overdue: true })

    expect((await call('POST', `/api/tickets/${t}/close`, { actor: 'eng' })).body.error).toMatchObject({ code: 'CONFLICT', message: `ticket ${t} is open; cannot close it (allowed from: resolved)` })
    const acknowledged = (await call('POST', `/api/tickets/${t}/acknowledge`, { actor: 'li' })).body
    expect(acknowledged.status).toBe('acknowledged')
    // Acknowledged after the deadline: the response promise was missed, and it stays on record.
    expect(acknowledged.sla.response).toMatchObject({ met: false })
    expect(await overdue()).not.toContain(t)
    expect((await call('POST', `/api/tickets/${t}/assign`, { actor: 'li', assignee: 'zhang' })).body.assignee).toBe('zhang')
    expect((await call('POST', `/api/tickets/${t}/start`, { actor: 'zhang' })).body.status).toBe('in_progress')
    expect((await call('POST', `/api/tickets/${t}/comment`, { actor: 'zhang', text: 'cleaning temp files' })).status).toBe(200)
    const escalated = (await call('POST', `/api/tickets/${t}/escalate`, { actor: 'zhang', escalation: 'technical', text: 'needs a storage specialist', raiseLevel: true })).body
    expect(escalated.level).toBe('L1')
    const escalation = (await call('GET', `/api/tickets/${t}`)).body.history.find((h: { kind: string }) => h.kind === 'escalate')
    expect(escalation).toMatchObject({ actor: 'zhang', text: 'needs a storage specialist', data: { escalation: 'technical', from: 'L2', to: 'L1' } })
    expect((await call('POST', `/api/tickets/${t}/escalate`, { actor: 'zhang', escalation: 'sideways', text: 'x' })).status).toBe(400)
    expect((await call('POST', `/api/tickets/${t}/wait`, { actor: 'zhang', text: 'asked the customer which files may go' })).body.sla.waitingOnCustomerSince).not.toBeNull()
    expect((await call('POST', `/api/tickets/${t}/resume`, { actor: 'zhang' })).body.sla.waitingOnCustomerSince).toBeNull()
    expect((await call('POST', `/api/tickets/${t}/resolve`, { actor: 'zhang', problemType: 'disk' })).status).toBe(400)
    const resolved = (await call('POST', `/api/tickets/${t}/resolve`, { actor: 'zhang', problemType: 'disk space', cause: 'update cache', method: 'cleanup', loss: 'none' })).body
    expect(resolved).toMatchObject({ status: 'resolved', problemReport: { problemType: 'disk space', cause: 'update cache', method: 'cleanup', loss: 'none' } })
    expect((await call('POST', `/api/tickets/${t}/close`, { actor: 'li' })).body.status).toBe('closed')
    const events = (await call('GET', `/api/tickets/${t}`)).body.history as { kind: string; actor: string | null }[]
    // The body's "actor" (li) is ignored: the signed-in user is who acted.
    expect(events.find((h) => h.kind === 'acknowledge')?.actor).toBe('zhang')
    const history = events.map((h) => h.kind)
    expect(history).toEqual(['opened', 'acknowledge', 'assign', 'start', 'comment', 'escalate', 'wait', 'resume', 'resolve', 'close'])
    expect((await call('GET', `/api/tickets?customer=${customer}&status=closed`)).body.items.map((i: { id: number }) => i.id)).toContain(t)
    expect((await call('GET', '/api/tickets/999999999')).status).toBe(404)
    expect((await call('GET', '/api/tickets?level=L9')).status).toBe(400)
  })

  it('lists the rules and takes overrides that the engine follows', async () => {
    const rules = (await call('GET', '/api/rules')).body.items
    expect(rules.find((r: { id: string }) => r.id === 'fs-nearly-full').defaults).toMatchObject({ warningPercent: 90, criticalPercent: 97 })
    const wrong = await call('PUT', `/api/rule-overrides/customer/${customer}/fs-nearly-full`, { params: { warningPercent: 'high' } })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.message).toMatch(/fs-nearly-full: parameter \/warningPercent/)
    expect((await call('PUT', `/api/rule-overrides/customer/${customer}/no-such-rule`, { params: {} })).status).toBe(404)
    // A site is "customer/site", escaped in the path.
    const ok = await call('PUT', `/api/rule-overrides/site/${encodeURIComponent(`${customer}/plant`)}/fs-nearly-full`, { params: { warningPercent: 50 } })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body.effective).toMatchObject({ warningPercent: 50, criticalPercent: 97 })

    const id = `prn-${tag}`
    await collector.db.query('update device set latest = $2::jsonb, last_seen = now() where id = $1', [id, JSON.stringify({ 'fs.used_percent|/var': [Date.now(), 60] })])
    const engine = new TicketEngine(collector.db, { logger })
    expect((await engine.evaluate([id], Date.now())).opened).toHaveLength(1)
    expect((await call('PUT', `/api/rule-overrides/device/${id}/fs-nearly-full`, { enabled: false })).status).toBe(200)
    await collector.db.query("update ticket set status = 'resolved' where device_id = $1", [id])
    expect((await engine.evaluate([id], Date.now())).opened).toEqual([])
    expect((await call('DELETE', `/api/rule-overrides/device/${id}/fs-nearly-full`)).status).toBe(204)
  })

  it('plans maintenance windows and refuses ones that end before they start', async () => {
    const bad = await call('POST', '/api/maintenance-windows', { customer, site: 'hq', startsAt: '2026-11-24T10:00:00Z', endsAt: '2026-11-24T09:00:00Z', reason: 'inspection' })
    expect(bad.status).toBe(400)
    const start = new Date(Date.now() + 3_600_000).toISOString()
    const end = new Date(Date.now() + 7_200_000).toISOString()
    const made = await call('POST', '/api/maintenance-windows', { customer, site: 'hq', startsAt: start, endsAt: end, reason: 'quarterly inspection' })
    expect(made.status).toBe(201)
    const list = (await call('GET', `/api/maintenance-windows?customer=${customer}`)).body.items
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ site: 'hq', reason: 'quarterly inspection' })
    expect((await call('DELETE', `/api/maintenance-windows/${made.body.id}`)).status).toBe(204)
  })
})
