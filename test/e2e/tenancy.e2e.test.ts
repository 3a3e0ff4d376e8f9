/**
 * Tenancy, route by route, on each target: customers A and B each have a site, devices (ingested
 * as real MQTT messages), a ticket, a maintenance window, a contract, rule overrides, a report, an
 * inspection and a user with an API token. A's viewer and an engineer assigned only to A then try,
 * on EVERY route the app has, to reach B's data: lists hold nothing of B, B's ids answer 404 (403
 * where the role may not call the route at all), writes aimed at B answer 404/403, and afterwards
 * B's rows are exactly as before.
 *
 * The routes are enumerated from the app: a route without an entry in CASES fails this test, so a
 * route added later must come with its tenancy case (or the reason it holds no customer data).
 */
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic, connectMqtt, waitForConnect } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { listRoutes } from '../../collector/src/api/app.js'
import { ROLES, type Role } from '../../collector/src/api/auth/principal.js'
import { TicketEngine } from '../../collector/src/tickets/engine.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
interface Actor {
  name: string
  role: Role
  auth: ApiAuth
}
interface World {
  collector: RunningCollector
  a: { customer: string; site: string; device: string; ticket: number; window: number; contract: string }
  b: { customer: string; site: string; device: string; ticket: number; window: number; contract: string; report: string; userId: string; tokenId: string; enrollmentTokenId: string; inspection: string }
  /** Strings that appear only in B's data: none may show up in an answer to A's people. */
  bMarkers: string[]
}
interface Attempt {
  method: Method
  url: string
  payload?: unknown
}
/** How to try B's data through one route, or why the route holds no customer data. */
type Case = { reason: string } | { tries: (w: World) => Attempt[]; kind: 'list' | 'hidden' }

const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString()

/** List routes answer 200 without B; routes naming B's things answer 404 (403 when the role is too low). */
const list = (tries: (w: World) => Attempt[]): Case => ({ kind: 'list', tries })
const hidden = (tries: (w: World) => Attempt[]): Case => ({ kind: 'hidden', tries })
const get = (url: string): Attempt => ({ method: 'GET', url })

const TICKET_ACTIONS: Record<string, unknown> = {
  acknowledge: {},
  start: {},
  assign: { assignee: 'mallory' },
  comment: { text: 'hello from A' },
  wait: {},
  resume: {},
  resolve: { problemType: 'x', cause: 'x', method: 'x', loss: 'none' },
  escalate: { escalation: 'technical', text: 'x' },
  close: {},
}

const CASES: Record<string, Case> = {
  'GET /api/health': { reason: 'public probe: counters and connection state, no customer data' },
  'POST /api/auth/login': { reason: 'public sign-in: answers only about the account signing in' },
  'POST /api/auth/logout': { reason: "ends the caller's own session" },
  'GET /api/auth/me': list(() => [get('/api/auth/me')]),
  'POST /api/auth/password': { reason: "changes the caller's own password; no customer in it" },
  'POST /api/enroll': { reason: 'public: the enrollment token, not the caller, names customer and site' },

  'GET /api/devices': list((w) => [get('/api/devices?limit=1000'), get(`/api/devices?customer=${w.b.customer}`), get(`/api/devices?site=${w.b.site}`)]),
  'GET /api/devices/:id': hidden((w) => [get(`/api/devices/${w.b.device}`)]),
  'GET /api/devices/:id/metrics': hidden((w) => [get(`/api/devices/${w.b.device}/metrics`)]),
  'GET /api/devices/:id/series': hidden((w) => [get(`/api/devices/${w.b.device}/series?metric=fs.used_percent&from=-1h`)]),
  'GET /api/devices/:id/config': hidden((w) => [get(`/api/devices/${w.b.device}/config`)]),
  'PUT /api/devices/:id/config': hidden((w) => [{ method: 'PUT', url: `/api/devices/${w.b.device}/config`, payload: { intervalS: 60 } }]),
  'GET /api/devices-unassigned': list(() => [get('/api/devices-unassigned?limit=1000')]),
  'PUT /api/devices/:id/asset': hidden((w) => [
    { method: 'PUT', url: `/api/devices/${w.b.device}/asset`, payload: { criticality: 'critical' } },
    // Moving A's own device into B is reaching B too.
    { method: 'PUT', url: `/api/devices/${w.a.device}/asset`, payload: { customer: w.b.customer, site: w.b.site } },
  ]),

  'GET /api/tickets': list((w) => [get('/api/tickets?limit=500'), get(`/api/tickets?customer=${w.b.customer}`), get(`/api/tickets?device=${w.b.device}`)]),
  'GET /api/tickets/:id': hidden((w) => [get(`/api/tickets/${w.b.ticket}`)]),
  ...Object.fromEntries(
    Object.entries(TICKET_ACTIONS).map(([action, payload]) => [`POST /api/tickets/:id/${action}`, hidden((w) => [{ method: 'POST', url: `/api/tickets/${w.b.ticket}/${action}`, payload }])]),
  ),

  'GET /api/customers': list(() => [get('/api/customers?limit=200')]),
  'GET /api/customers/:customer': hidden((w) => [get(`/api/customers/${w.b.customer}`)]),
  'POST /api/customers': hidden((w) => [{ method: 'POST', url: '/api/customers', payload: { id: `${w.b.customer}x`, name: 'not allowed' } }]),
  'PATCH /api/customers/:customer': hidden((w) => [{ method: 'PATCH', url: `/api/customers/${w.b.customer}`, payload: { name: 'taken over' } }]),
  'PUT /api/customers/:customer': hidden((w) => [{ method: 'PUT', url: `/api/customers/${w.b.customer}`, payload: { name: 'taken over' } }]),
  'GET /api/customers/:customer/sites': hidden((w) => [get(`/api/customers/${w.b.customer}/sites`)]),
  'GET /api/customers/:customer/sites/:site': hidden((w) => [get(`/api/customers/${w.b.customer}/sites/${w.b.site}`)]),
  'POST /api/customers/:customer/sites': hidden((w) => [{ method: 'POST', url: `/api/customers/${w.b.customer}/sites`, payload: { id: 'new-site', name: 'x' } }]),
  'PATCH /api/customers/:customer/sites/:site': hidden((w) => [{ method: 'PATCH', url: `/api/customers/${w.b.customer}/sites/${w.b.site}`, payload: { name: 'x' } }]),
  'PUT /api/customers/:customer/sites/:id': hidden((w) => [{ method: 'PUT', url: `/api/customers/${w.b.customer}/sites/${w.b.site}`, payload: { name: 'x' } }]),
  'GET /api/sites/:site/review': hidden((w) => [get(`/api/sites/${w.b.site}/review?customer=${w.b.customer}&format=json`)]),
  'POST /api/customers/:customer/sites/:site/inspections': hidden((w) => [
    { method: 'POST', url: `/api/customers/${w.b.customer}/sites/${w.b.site}/inspections`, payload: { items: [{ item: 'fans clean', done: true }] } },
  ]),
  'GET /api/customers/:customer/sites/:site/inspections': hidden((w) => [get(`/api/customers/${w.b.customer}/sites/${w.b.site}/inspections`)]),

  'GET /api/contracts': list((w) => [get('/api/contracts?limit=200'), get(`/api/contracts?customer=${w.b.customer}`)]),
  'GET /api/customers/:customer/contracts': hidden((w) => [get(`/api/customers/${w.b.customer}/contracts`)]),
  'GET /api/contracts/:id': hidden((w) => [get(`/api/contracts/${w.b.contract}`)]),
  'POST /api/customers/:customer/contracts': hidden((w) => [{ method: 'POST', url: `/api/customers/${w.b.customer}/contracts`, payload: {} }]),
  'PATCH /api/contracts/:id': hidden((w) => [{ method: 'PATCH', url: `/api/contracts/${w.b.contract}`, payload: { name: 'x' } }]),
  'PUT /api/contracts/:id': hidden((w) => [{ method: 'PUT', url: `/api/contracts/${w.b.contract}`, payload: {} }]),

  'GET /api/users': list(() => [get('/api/users?limit=200')]),
  'GET /api/users/:id': hidden((w) => [get(`/api/users/${w.b.userId}`)]),
  'POST /api/users': hidden((w) => [{ method: 'POST', url: '/api/users', payload: { username: 'intruder', password: 'long enough password', role: 'viewer', customers: [w.b.customer] } }]),
  'PATCH /api/users/:id': hidden((w) => [{ method: 'PATCH', url: `/api/users/${w.b.userId}`, payload: { displayName: 'x' } }]),
  'POST /api/users/:id/password': hidden((w) => [{ method: 'POST', url: `/api/users/${w.b.userId}/password`, payload: { password: 'another long password' } }]),
  'GET /api/tokens': list(() => [get('/api/tokens?limit=200')]),
  'POST /api/tokens': { reason: 'creates a token for the caller only (no user or customer in the body)' },
  'DELETE /api/tokens/:id': hidden((w) => [{ method: 'DELETE', url: `/api/tokens/${w.b.tokenId}` }]),
  'GET /api/audit': list(() => [get('/api/audit?limit=200')]),

  'GET /api/assets/export': list(() => [get('/api/assets/export?format=yaml')]),
  'POST /api/assets/import': hidden(() => [{ method: 'POST', url: '/api/assets/import?format=yaml', payload: 'customers: []' }]),
  'GET /api/rules': { reason: 'the rule catalogue: rule ids, titles and default parameters, the same for everyone' },
  'GET /api/rule-overrides': list(() => [get('/api/rule-overrides')]),
  'PUT /api/rule-overrides/:scope/:scopeId/:rule': hidden((w) => [{ method: 'PUT', url: `/api/rule-overrides/customer/${w.b.customer}/fs-nearly-full`, payload: { enabled: false } }]),
  'DELETE /api/rule-overrides/:scope/:scopeId/:rule': hidden((w) => [{ method: 'DELETE', url: `/api/rule-overrides/customer/${w.b.customer}/fs-nearly-full` }]),
  'GET /api/maintenance-windows': list((w) => [get('/api/maintenance-windows'), get(`/api/maintenance-windows?customer=${w.b.customer}`)]),
  'POST /api/maintenance-windows': hidden((w) => [
    { method: 'POST', url: '/api/maintenance-windows', payload: { customer: w.b.customer, startsAt: iso(60_000), endsAt: iso(3_600_000), reason: 'silence B' } },
    // A's customer, B's device: the window would silence B's device.
    { method: 'POST', url: '/api/maintenance-windows', payload: { customer: w.a.customer, deviceId: w.b.device, startsAt: iso(60_000), endsAt: iso(3_600_000), reason: 'silence B' } },
  ]),
  'DELETE /api/maintenance-windows/:id': hidden((w) => [{ method: 'DELETE', url: `/api/maintenance-windows/${w.b.window}` }]),
  'GET /api/notification-targets': list(() => [get('/api/notification-targets')]),
  'POST /api/notification-targets': hidden((w) => [{ method: 'POST', url: '/api/notification-targets', payload: { customer: w.b.customer, config: { kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'sixteen chars at least' } } }]),
  'DELETE /api/notification-targets/:id': hidden(() => [{ method: 'DELETE', url: '/api/notification-targets/1' }]),
  'GET /api/notification-outbox': list(() => [get('/api/notification-outbox')]),

  'GET /api/enrollment-tokens': list((w) => [get('/api/enrollment-tokens'), get(`/api/enrollment-tokens?customer=${w.b.customer}`)]),
  'POST /api/enrollment-tokens': hidden((w) => [{ method: 'POST', url: '/api/enrollment-tokens', payload: { customer: w.b.customer, site: w.b.site } }]),
  'DELETE /api/enrollment-tokens/:id': hidden((w) => [{ method: 'DELETE', url: `/api/enrollment-tokens/${w.b.enrollmentTokenId}` }]),
  'GET /api/device-credentials': list((w) => [get('/api/device-credentials'), get(`/api/device-credentials?customer=${w.b.customer}`)]),
  'DELETE /api/device-credentials/:id': hidden(() => [{ method: 'DELETE', url: `/api/device-credentials/${randomUUID()}` }]),

  'GET /api/reports': list((w) => [get('/api/reports?limit=200'), get(`/api/reports?customer=${w.b.customer}`)]),
  'GET /api/reports/:id': hidden((w) => [get(`/api/reports/${w.b.report}`)]),
  'GET /api/reports/:id/html': hidden((w) => [get(`/api/reports/${w.b.report}/html`)]),
  'GET /api/reports/:id/pdf': hidden((w) => [get(`/api/reports/${w.b.report}/pdf`)]),
  'POST /api/reports': hidden((w) => [{ method: 'POST', url: '/api/reports', payload: { customer: w.b.customer, quarter: '2026Q4', pdf: false } }]),
  'POST /api/reports/:id/issue': hidden((w) => [{ method: 'POST', url: `/api/reports/${w.b.report}/issue` }]),
  'POST /api/reports/:id/send': hidden((w) => [{ method: 'POST', url: `/api/reports/${w.b.report}/send` }]),

  'GET /api/events': { reason: 'a stream: tested on its own below, with a change to B and one to A' },
  'GET /*': { reason: "the console's files (index.html for its pages): no customer data; the data comes through the API" },
  'GET /docs': { reason: 'API documentation' },
  'HEAD /docs/': { reason: 'API documentation' },
  'GET /docs/static/index.html': { reason: 'API documentation' },
  'GET /docs/static/swagger-initializer.js': { reason: 'API documentation' },
  'GET /docs/json': { reason: 'API documentation (the OpenAPI document)' },
  'GET /docs/yaml': { reason: 'API documentation (the OpenAPI document)' },
  'HEAD /docs/static/*': { reason: 'API documentation' },
  'GET /docs/static/*': { reason: 'API documentation' },
}

describe.each(names)('tenancy on %s', (name) => {
  const target = makeTarget(name)
  let w: World
  let admin: ApiAuth
  let actors: Actor[]
  const tag = randomUUID().slice(0, 6)

  const call = (auth: ApiAuth, attempt: Attempt) =>
    w.collector.app.inject({
      method: attempt.method,
      url: attempt.url,
      headers: { ...auth.headers, ...(typeof attempt.payload === 'string' ? { 'content-type': 'application/yaml' } : {}) },
      ...(attempt.payload === undefined ? {} : { payload: attempt.payload as string }),
    })
  const asAdmin = async (method: Method, url: string, payload?: unknown, status = 200) => {
    const res = await call(admin, { method, url, payload })
    if (res.statusCode !== status) throw new Error(`seeding: ${method} ${url} answered ${res.statusCode}: ${res.body}`)
    return res.headers['content-type']?.toString().includes('json') ? res.json() : res.body
  }

  /** Every row of B's, as JSON: compared before and after the attempts, so any change shows. */
  const snapshotB = async () => {
    const b = w.b
    const q = async (sql: string, params: unknown[]) => (await w.collector.db.query<{ r: unknown }>(sql, params)).rows.map((row) => JSON.stringify(row.r)).sort()
    return {
      customer: await q('select to_jsonb(c) as r from customer c where id = $1', [b.customer]),
      site: await q('select to_jsonb(s) as r from site s where customer_id = $1', [b.customer]),
      device: await q("select to_jsonb(d) - 'latest' - 'last_seen' - 'status' - 'status_changed_at' - 'status_reason' - 'state' as r from device d where customer = $1", [b.customer]),
      ticket: await q("select to_jsonb(t) - 'last_occurrence_at' - 'occurrences' - 'condition_cleared_at' as r from ticket t where customer = $1", [b.customer]),
      ticketEvents: await q('select to_jsonb(e) as r from ticket_event e join ticket t on t.id = e.ticket_id where t.customer = $1', [b.customer]),
      windows: await q('select to_jsonb(m) as r from maintenance_window m where customer = $1', [b.customer]),
      contracts: await q('select to_jsonb(k) as r from contract k where customer_id = $1', [b.customer]),
      overrides: await q("select to_jsonb(o) as r from rule_override o where scope_id = $1 or scope_id like $1 || '/%' or scope_id = $2", [b.customer, b.device]),
      targets: await q('select to_jsonb(n) as r from notification_target n', []),
      reports: await q("select to_jsonb(r) - 'html' - 'pdf' as r from report_archive r where customer_id = $1", [b.customer]),
      inspections: await q('select to_jsonb(i) as r from inspection i where customer_id = $1', [b.customer]),
      users: await q('select to_jsonb(u) as r from app_user u where id = $1', [b.userId]),
      userCustomers: await q('select to_jsonb(x) as r from user_customer x', []),
      tokens: await q('select to_jsonb(t) - \'last_used_at\' as r from api_token t where user_id = $1', [b.userId]),
      enrollment: await q('select to_jsonb(e) as r from enrollment_token e where customer_id = $1', [b.customer]),
      usersCount: await q('select count(*)::int as r from app_user', []),
    }
  }

  beforeAll(async () => {
    const collector = await startTestCollector(await target.config())
    await collector.tickets.stop()
    admin = await apiAuth(collector.db, { role: 'admin' })
    const A = `ta${tag}`
    const B = `tb${tag}`
    const world = {
      collector,
      a: { customer: A, site: `sa${tag}`, device: `da${tag}`, contract: `ka${tag}`, ticket: 0, window: 0 },
      b: { customer: B, site: `sb${tag}`, device: `db${tag}`, contract: `kb${tag}`, ticket: 0, window: 0, report: '', userId: '', tokenId: '', enrollmentTokenId: '', inspection: '' },
      bMarkers: [B, `sb${tag}`, `db${tag}`, `kb${tag}`],
    } satisfies World
    w = world
    const contract = (id: string, customer: string) => `
  - id: ${id}
    customerId: ${customer}
    name: Service ${customer}
    validFrom: "2026-01-01"
    validTo: "2027-12-31"
    calendar: { kind: 24x7 }
    targets: { L1: { responseMin: 30, onsiteMin: 120, resolveMin: 240 }, L2: { responseMin: 30, onsiteMin: 120, resolveMin: 480 } }`
    await asAdmin(
      'POST',
      '/api/assets/import?format=yaml',
      `customers:
  - { id: ${A}, name: Customer A, class: group }
  - { id: ${B}, name: Customer B, class: group }
sites:
  - { customerId: ${A}, id: ${world.a.site}, name: A head office }
  - { customerId: ${B}, id: ${world.b.site}, name: B head office }
contracts:${contract(world.a.contract, A)}${contract(world.b.contract, B)}
`,
    )

    // Devices arrive the real way: MQTT messages through the broker into ingest.
    const publisher = connectMqtt(collector.mqttUrl, { clientId: `tenancy-${tag}` })
    try {
      await waitForConnect(publisher)
      for (const [customer, site, device] of [[A, world.a.site, world.a.device], [B, world.b.site, world.b.device]] as const) {
        const topic = buildTopic({ customer, site, device, kind: 'metrics' }, collector.ingest.options.topicPrefix)
        const points = [{ ts: Date.now(), metric: 'fs.used_percent', instance: 'C:', value: 99 }]
        await publisher.publishAsync(topic, JSON.stringify({ v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, points }), { qos: 1 })
      }
    } finally {
      await publisher.endAsync()
    }
    await waitFor(async () => (await collector.db.query('select 1 from device where id = any($1::text[]) and (latest -> $2::text) is not null', [[world.a.device, world.b.device], 'fs.used_percent|C:'])).rows.length === 2, {
      what: "both customers' devices stored",
      timeoutMs: 30_000,
      onTimeout: async () =>
        JSON.stringify({
          devices: (await collector.db.query('select id, customer, latest from device')).rows,
          rejected: (await collector.db.query('select * from rejected_message')).rows,
          stats: collector.stats.toJSON(),
        }),
    })
    await new TicketEngine(collector.db, { logger: pino({ level: 'silent' }) }).evaluate([world.a.device, world.b.device], Date.now())
    const tickets = await collector.db.query<{ id: number; customer: string }>('select id, customer from ticket where device_id = any($1)', [[world.a.device, world.b.device]])
    world.a.ticket = tickets.rows.find((t) => t.customer === A)!.id
    world.b.ticket = tickets.rows.find((t) => t.customer === B)!.id
    await asAdmin('POST', `/api/tickets/${world.b.ticket}/comment`, { text: `note on ${B}` })
    for (const side of [world.a, world.b]) {
      side.window = (await asAdmin('POST', '/api/maintenance-windows', { customer: side.customer, site: side.site, startsAt: iso(3_600_000), endsAt: iso(7_200_000), reason: `visit ${side.customer}` }, 201)).id
      await asAdmin('PUT', `/api/rule-overrides/customer/${side.customer}/fs-nearly-full`, { params: { warningPercent: 80 } })
      await asAdmin('PUT', `/api/rule-overrides/site/${encodeURIComponent(`${side.customer}/${side.site}`)}/fs-nearly-full`, { params: { warningPercent: 85 } })
      await asAdmin('PUT', `/api/rule-overrides/device/${side.device}/fs-nearly-full`, { params: { warningPercent: 88 } })
      await asAdmin('PUT', `/api/devices/${side.device}/config`, { intervalS: 120 })
      await asAdmin('POST', `/api/customers/${side.customer}/sites/${side.site}/inspections`, { items: [{ item: `checked ${side.customer}`, done: true }] }, 201)
    }
    await asAdmin('POST', '/api/notification-targets', { customer: B, config: { kind: 'webhook', url: 'http://127.0.0.1:9/b-hook', secret: `secret of ${B} 123456` } }, 201)
    world.b.report = (await asAdmin('POST', '/api/reports', { customer: B, quarter: '2026Q4', pdf: false }, 201)).id
    world.b.enrollmentTokenId = (await asAdmin('POST', '/api/enrollment-tokens', { customer: B, site: world.b.site }, 201)).id
    const bViewer = await apiAuth(collector.db, { role: 'viewer', customers: [B], username: `bviewer${tag}` })
    world.b.userId = bViewer.userId
    world.b.tokenId = (await collector.db.query<{ id: string }>('select id from api_token where user_id = $1', [bViewer.userId])).rows[0]!.id
    world.bMarkers.push(bViewer.username, world.b.report, world.b.enrollmentTokenId)
    actors = [
      { name: "A's viewer", role: 'viewer', auth: await apiAuth(collector.db, { role: 'viewer', customers: [A] }) },
      { name: "A's engineer", role: 'engineer', auth: await apiAuth(collector.db, { role: 'engineer', customers: [A] }) },
    ]
  })
  afterAll(async () => {
    await w?.collector.close()
    await target.cleanup()
  })

  it('has a case for every route the app serves', () => {
    const routes = listRoutes(w.collector.app).map((r) => `${r.method} ${r.url}`)
    const missing = routes.filter((r) => !(r in CASES))
    expect(missing, 'add a tenancy case (or the reason it holds no customer data) for these routes').toEqual([])
    const stale = Object.keys(CASES).filter((c) => !routes.includes(c))
    expect(stale, 'these cases name routes the app no longer has').toEqual([])
  })

  it("gives A's viewer and A's engineer nothing of B's on any route, and changes nothing of B's", async () => {
    const before = await snapshotB()
    const minRoles = new Map(listRoutes(w.collector.app).map((r) => [`${r.method} ${r.url}`, r.auth?.minRole as Role | undefined]))
    const failures: string[] = []
    let listsWithA = 0
    for (const actor of actors) {
      for (const [key, c] of Object.entries(CASES)) {
        if ('reason' in c) continue
        const minRole = minRoles.get(key)
        const allowed = !minRole || ROLES.indexOf(actor.role) >= ROLES.indexOf(minRole)
        for (const attempt of c.tries(w)) {
          const res = await call(actor.auth, attempt)
          const what = `${actor.name}: ${attempt.method} ${attempt.url} (${key})`
          const leaked = w.bMarkers.filter((m) => res.body.includes(m) && !attempt.url.includes(m) && !JSON.stringify(attempt.payload ?? '').includes(m))
          if (!allowed) {
            if (res.statusCode !== 403) failures.push(`${what}: role ${actor.role} is below ${minRole}, wanted 403, got ${res.statusCode} ${res.body.slice(0, 200)}`)
          } else if (c.kind === 'list') {
            if (res.statusCode !== 200) failures.push(`${what}: wanted 200, got ${res.statusCode} ${res.body.slice(0, 200)}`)
            if (res.body.includes(w.a.customer)) listsWithA++
          } else if (res.statusCode !== 404) {
            failures.push(`${what}: wanted 404, got ${res.statusCode} ${res.body.slice(0, 200)}`)
          }
          // Whatever the status, no B identifier the request did not itself name may come back.
          if (leaked.length) failures.push(`${what}: answer contains ${leaked.join(', ')}: ${res.body.slice(0, 300)}`)
          // Even naming B in the request, a 200 must not hand out B's records.
          if (res.statusCode < 300 && attempt.method === 'GET' && res.body.includes(w.b.device) && !attempt.url.includes(w.b.device)) failures.push(`${what}: lists B's device`)
        }
      }
    }
    expect(failures).toEqual([])
    // The lists are not empty by accident: A's people do see A.
    expect(listsWithA).toBeGreaterThan(10)
    expect(await snapshotB()).toEqual(before)
  })

  it("the live event stream carries A's changes to A's people, never B's", async () => {
    const engineer = actors.find((a) => a.role === 'engineer')!
    const controller = new AbortController()
    const response = await fetch(`${w.collector.url}/api/events`, { headers: engineer.auth.headers, signal: controller.signal })
    expect(response.status).toBe(200)
    const reader = response.body!.getReader()
    let text = ''
    const reading = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) return
          text += Buffer.from(value).toString()
        }
      } catch {
        // aborted
      }
    })()
    try {
      // B's change first, then A's: once A's arrives, B's would have too.
      await asAdmin('POST', `/api/tickets/${w.b.ticket}/acknowledge`, {})
      await asAdmin('POST', `/api/tickets/${w.a.ticket}/acknowledge`, {})
      await waitFor(() => text.includes(String(w.a.ticket)) && text.includes(w.a.customer), { what: "A's ticket event on A's engineer's stream", timeoutMs: 20_000, onTimeout: async () => text.slice(0, 500) })
      await new Promise((r) => setTimeout(r, 500))
      for (const marker of w.bMarkers) expect(text).not.toContain(marker)
    } finally {
      controller.abort()
      await reading
    }
  })
})
