/**
 * Hostile input against every API route, on both targets. The routes come from the app's own
 * route list (every route registered, so one added later is covered without editing this file);
 * their query and path parameters from the OpenAPI document the route schemas generate.
 *
 * For every query filter and path parameter: SQL-injection strings, `$1`, unicode and
 * right-to-left marks, NUL bytes, 10 kB strings, path traversal (`..%2f..%2fetc%2fpasswd`, which
 * is what a report download or file route would be tried with), huge and negative numbers for
 * pagination; then generated strings (fast-check). Against every body-taking route: a body over
 * the limit (413), deeply nested JSON, malformed JSON, prototype poisoning, wrong content types.
 *
 * Expected: never a 5xx, every 4xx in the one error shape; as customer A's viewer, no answer
 * carries customer B's data; afterwards every table is still there and the canary tables hold
 * the rows they held before. Requests go through `inject` with a real API token: the auth plugin,
 * validation, handlers and SQL are the real ones.
 */
import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { listRoutes } from '../../collector/src/api/app.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector, targets, uniqueName } from '../support/targets.js'

const names = await targets()

const HOSTILE: readonly string[] = [
  "' or 1=1--",
  "'; drop table device;--",
  '"; drop table customer; --',
  "1' union select id, customer, site from device--",
  "%' or '%'='",
  '$1',
  '$1::text',
  '1; select pg_sleep(3)',
  '\\',
  '\u0000',
  'a\u0000b',
  '日本語😀\u202e\uFEFF',
  '\uD800',
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '<script>alert(1)</script>',
  '{"$gt":""}',
  'x'.repeat(10_240),
  '-1',
  '0',
  '1e308',
  '99999999999999999999999',
  'NaN',
  'true',
]
/** Sent into the URL as they are, not encoded again: what a traversal attempt really looks like. */
const RAW_PATH = ['..%2f..%2fetc%2fpasswd', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e/etc/passwd', '..\\..\\etc\\passwd']

/** A lone surrogate cannot be encoded as UTF-8; send the bytes a careless client would (invalid UTF-8). */
const encodePath = (v: string) => {
  try {
    return encodeURIComponent(v)
  } catch {
    return v.replace(/[\uD800-\uDFFF]/g, '%ED%A0%80')
  }
}

interface Param {
  in: 'query' | 'path'
  name: string
  required?: boolean
  schema?: Record<string, unknown>
}
interface Operation {
  method: string
  url: string
  params: Param[]
  body: boolean
  /** The route documents a request body (and so must refuse a wrong one). */
  bodySchema: boolean
}

describe.each(names)('hostile API input on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let admin: ApiAuth
  let viewerA: ApiAuth
  const A = uniqueName('ha')
  const B = uniqueName('hb')
  const devA = `dev-a-${randomUUID().slice(0, 8)}`
  const devB = `dev-b-${randomUUID().slice(0, 8)}`
  let ticketA = 0
  let operations: Operation[] = []
  let before: Record<string, number>
  let tablesBefore: string[]
  const CANARY = ['customer', 'site', 'contract', 'device', 'ticket', 'ticket_event', 'metric_sample', 'app_user', 'user_customer', 'api_token', 'maintenance_window']

  const tables = async () =>
    (await collector.db.query<{ t: string }>("select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1")).rows.map((r) => r.t)
  const counts = async () => {
    const present = new Set(await tables())
    const out: Record<string, number> = {}
    for (const t of CANARY.filter((c) => present.has(c))) out[t] = (await collector.db.query<{ n: number }>(`select count(*)::int as n from ${t}`)).rows[0]!.n
    return out
  }

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    // No sweeps or escalations while the canaries are counted.
    await collector.tickets.stop()
    admin = await apiAuth(collector.db, { role: 'admin' })
    viewerA = await apiAuth(collector.db, { role: 'viewer', customers: [A] })
    await apiAuth(collector.db, { role: 'viewer', customers: [B] })
    const db = collector.db
    for (const [customer, device] of [[A, devA], [B, devB]] as const) {
      await db.query("insert into site (customer_id, id, name) values ($1, 'hq', $1 || ' head office') on conflict do nothing", [customer])
      await db.query("insert into device (id, customer, site, kind, status, hostname, last_seen) values ($1, $2, 'hq', 'agent', 'online', $1 || '-host', now())", [device, customer])
      await db.query("insert into metric_sample (time, device_id, metric, instance, value) select now() - make_interval(mins => g), $1, 'cpu.load_percent', '', g from generate_series(1, 30) g", [device])
      const { rows } = await db.query<{ id: number }>(
        "insert into ticket (device_id, customer, site, rule_id, problem_key, level, initial_level, title, opened_at, last_occurrence_at) values ($1, $2, 'hq', 'fs-nearly-full', 'fs-nearly-full:/', 'L2', 'L2', $2 || ' disk full', now(), now()) returning id",
        [device, customer],
      )
      await db.query("insert into ticket_event (ticket_id, kind, actor, text) values ($1, 'opened', 'rules', $2)", [rows[0]!.id, `secret note of ${customer}`])
      if (customer === A) ticketA = rows[0]!.id
    }

    const doc = (await collector.app.inject({ url: '/docs/json', headers: admin.headers })).json<{ paths: Record<string, Record<string, { parameters?: Param[]; requestBody?: unknown }>> }>()
    const documented = new Map<string, { parameters?: Param[]; requestBody?: unknown }>()
    for (const [p, item] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(item)) documented.set(`${m.toUpperCase()} ${p}`, op)
    const seen = new Set<string>()
    for (const route of listRoutes(collector.app)) {
      if (!route.url.startsWith('/api/') || route.method === 'HEAD' || route.method === 'OPTIONS') continue
      const key = `${route.method} ${route.url}`
      if (seen.has(key)) continue
      seen.add(key)
      const op = documented.get(`${route.method} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`)
      const pathNames = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)
      const params: Param[] = op?.parameters?.length ? [...op.parameters] : pathNames.map((n) => ({ in: 'path' as const, name: n, required: true }))
      // A wildcard (a file under a report, say) is a path parameter like the others.
      if (route.url.endsWith('*') && !params.some((p) => p.name === '*')) params.push({ in: 'path', name: '*', required: true })
      const write = route.method !== 'GET'
      // A read without a documented query gets the filters most list routes have. (Not a write:
      // with every other part valid, it would really write, and what it ignores proves nothing.)
      if (!write && !params.some((p) => p.in === 'query')) for (const n of ['customer', 'q', 'limit', 'offset']) params.push({ in: 'query', name: n })
      operations.push({ method: route.method, url: route.url, params, body: ['POST', 'PUT', 'PATCH'].includes(route.method), bodySchema: Boolean(op?.requestBody) })
    }
    // The event stream never ends, so it cannot be injected like the others; it reads no
    // parameters (test/security/live-events.test.ts covers it over real HTTP).
    operations = operations.filter((o) => o.url !== '/api/events')
    expect(operations.length).toBeGreaterThan(30)
    tablesBefore = await tables()
    before = await counts()
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  /** A valid value for a parameter that is not the one under attack, so the request reaches the query. */
  function filler(op: Operation, p: Param): string {
    const schema = p.schema ?? {}
    const anyOf = schema.anyOf as { enum?: string[]; const?: string }[] | undefined
    if (anyOf?.[0]?.enum) return anyOf[0].enum[0]!
    if (schema.type === 'integer' || schema.type === 'number') return p.name === 'offset' ? '0' : String(p.name === 'id' ? ticketA : 1)
    if (schema.type === 'boolean') return 'true'
    switch (p.name) {
      case 'customer':
      case 'scopeId':
        return A
      case 'site':
        return 'hq'
      case 'scope':
        return 'customer'
      case 'rule':
        return 'fs-nearly-full'
      case 'metric':
        return 'cpu.load_percent'
      case 'from':
        return '-1h'
      case 'bucket':
        return '5m'
      case '*':
        return 'report.pdf'
      case 'id':
        if (op.url.startsWith('/api/devices')) return devA
        if (op.url.startsWith('/api/customers')) return A
        if (String(schema.pattern ?? '').includes('0-9a-f')) return randomUUID()
        return 'nothing-here'
      default:
        return 'x'
    }
  }

  /**
   * The parameters to attack. Of a write, only those that name what is written to (path
   * parameters, and queries a write documents): a hostile value there can match nothing, while
   * the rest of the request is valid and would otherwise really write.
   */
  const attackable = (op: Operation) => (op.method === 'GET' ? op.params : op.params.filter((p) => p.in === 'path' || p.schema))

  function urlFor(op: Operation, attacked: Param | null, value: string, raw = false): string {
    let url = op.url
    const query = new URLSearchParams()
    for (const p of op.params) {
      const hit = attacked && p.in === attacked.in && p.name === attacked.name
      const v = hit ? value : filler(op, p)
      if (p.in === 'path') url = url.replace(p.name === '*' ? '*' : `:${p.name}`, hit && raw ? v : encodePath(v))
      else if (hit || p.required) query.set(p.name, v)
    }
    const qs = query.toString()
    return qs ? `${url}?${qs}` : url
  }

  async function send(op: Operation, url: string, who: ApiAuth, init: { payload?: string; contentType?: string } = {}) {
    const headers: Record<string, string> = { ...who.headers }
    if (op.body) headers['content-type'] = init.contentType ?? 'application/json'
    return collector.app.inject({ method: op.method as 'GET', url, headers, payload: op.body ? (init.payload ?? '{}') : undefined })
  }

  /** What went wrong, collected so one run lists every route that fails rather than the first. */
  let problems: string[] = []
  /** The checks every hostile answer must pass. */
  function judge(what: string, response: { statusCode: number; body: string }, viewer: boolean) {
    const context = `${what} → ${response.statusCode} ${response.body.slice(0, 200)}`
    if (response.statusCode >= 500) problems.push(`5xx: ${context}`)
    else if (response.statusCode >= 400) {
      let body: unknown
      try {
        body = JSON.parse(response.body)
      } catch {
        body = null
      }
      const e = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
      if (typeof e?.code !== 'string' || typeof e.message !== 'string') problems.push(`error body shape: ${context}`)
    }
    if (/root:x?:0:0/.test(response.body)) problems.push(`file content served: ${context}`)
    if (viewer && (response.body.includes(B) || response.body.includes(devB))) problems.push(`customer B's data leaked to A's viewer: ${context}`)
  }
  /** One line per distinct problem (route and kind), so a bug hit by 20 payloads reads once. */
  const summary = () => [...new Set(problems.map((p) => p.replace(/\?.*? →/, ' →').slice(0, 240)))]
  const expectNoProblems = () => {
    const found = summary()
    problems = []
    expect(found).toEqual([])
  }

  /** Runs the requests a few at a time (the database serialises them anyway; this overlaps the HTTP side). */
  async function run(jobs: { op: Operation; url: string; viewer: boolean }[]) {
    let next = 0
    const worker = async () => {
      while (next < jobs.length) {
        const { op, url, viewer } = jobs[next++]!
        judge(`${viewer ? 'viewer' : 'admin'} ${op.method} ${url.slice(0, 200)}`, await send(op, url, viewer ? viewerA : admin), viewer)
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
    return jobs.length
  }

  const adminJobs = (where: Param['in']) =>
    operations.flatMap((op) =>
      attackable(op)
        .filter((p) => p.in === where)
        .flatMap((p) => [
          ...HOSTILE.map((value) => ({ op, url: urlFor(op, p, value), viewer: false })),
          ...(p.in === 'path' ? RAW_PATH.map((value) => ({ op, url: urlFor(op, p, value, true), viewer: false })) : []),
        ]),
    )

  it('every route, as an administrator: SQL injection, unicode, NUL, 10 kB strings, traversal and huge numbers in every path parameter', async () => {
    expect(await run(adminJobs('path'))).toBeGreaterThan(500)
    expectNoProblems()
  })

  it('every route, as an administrator: the same in every query filter', async () => {
    expect(await run(adminJobs('query'))).toBeGreaterThan(500)
    expectNoProblems()
  })

  it("every read, as customer A's viewer: the same, and nothing of customer B comes back", async () => {
    const jobs = operations
      .filter((op) => op.method === 'GET')
      .flatMap((op) =>
        op.params.flatMap((p) => [
          ...HOSTILE.map((value) => ({ op, url: urlFor(op, p, value), viewer: true })),
          ...(p.in === 'path' ? RAW_PATH.map((value) => ({ op, url: urlFor(op, p, value, true), viewer: true })) : []),
        ]),
      )
    expect(await run(jobs)).toBeGreaterThan(500)
    expectNoProblems()
  })

  it('generated strings (fast-check) in every parameter', async () => {
    const pairs = operations.flatMap((op) => attackable(op).map((p) => ({ op, p })))
    const fragments = fc.constantFrom("'", '"', ';', '--', '/*', '*/', '\\', '%', '_', '$1', '\u0000', ' or ', ' union select ', '..', '/', '%2f', '😀', '\u202e')
    const hostile = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fragments, { maxLength: 12 }).map((parts) => parts.join('')),
      fc.tuple(fc.string({ maxLength: 20 }), fragments, fc.string({ unit: 'grapheme', maxLength: 20 })).map((t) => t.join('')),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pairs), hostile, fc.boolean(), async ({ op, p }, value, asViewer) => {
        const viewer = asViewer && op.method === 'GET'
        const url = urlFor(op, p, value)
        judge(`${viewer ? 'viewer' : 'admin'} ${op.method} ${url.slice(0, 200)}`, await send(op, url, viewer ? viewerA : admin), viewer)
      }),
      { numRuns: 400, seed: 9_2026 },
    )
    expectNoProblems()
  })

  it('every body-taking route: oversized, deeply nested, malformed, poisoned and mistyped bodies', async () => {
    const bodyOps = operations.filter((o) => o.body)
    expect(bodyOps.filter((o) => o.bodySchema).length).toBeGreaterThan(10)
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
    for (const op of bodyOps) {
      const url = urlFor(op, null, '')
      const big = await send(op, url, admin, { payload: JSON.stringify({ x: 'a'.repeat(1024 * 1024 + 10) }) })
      judge(`oversized ${op.method} ${url}`, big, false)
      if (big.statusCode !== 413) problems.push(`oversized body not refused with 413: ${op.method} ${url} → ${big.statusCode}`)
      if (!op.bodySchema) continue
      for (const [what, payload, contentType] of [
        ['nested 5,000 deep', deep(5_000), 'application/json'],
        ['nested 50,000 deep', '['.repeat(50_000) + ']'.repeat(50_000), 'application/json'],
        ['malformed', '{"actor": "x", ', 'application/json'],
        ['poisoned', '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"role": "admin"}}}', 'application/json'],
        ['text/plain', 'hello', 'text/plain'],
        ['form', 'a=1&b=2', 'application/x-www-form-urlencoded'],
        ['xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 'application/xml'],
        ['NUL in JSON', '{"name": "a\\u0000b", "id": "\\u0000"}', 'application/json'],
      ] as const) {
        const response = await send(op, url, admin, { payload, contentType })
        judge(`${what} ${op.method} ${url}`, response, false)
        if (response.statusCode < 400) problems.push(`${what} body accepted: ${op.method} ${url} → ${response.statusCode} ${response.body.slice(0, 120)}`)
      }
    }
    expectNoProblems()
  })

  it('huge, negative and fractional pagination numbers are refused with a 400', async () => {
    const paged = operations.filter((o) => o.method === 'GET' && o.params.some((p) => p.in === 'query' && p.name === 'limit' && p.schema))
    expect(paged.length).toBeGreaterThan(5)
    for (const op of paged) {
      for (const [param, value] of [
        ['limit', '99999999999999999999'],
        ['limit', '1e308'],
        ['limit', '-5'],
        ['limit', '1.5'],
        ['offset', '-1'],
        ['offset', '99999999999999999999999999'],
      ] as const) {
        if (!op.params.some((p) => p.name === param)) continue
        const url = urlFor(op, op.params.find((p) => p.name === param)!, value)
        const response = await send(op, url, admin)
        judge(`${op.method} ${url}`, response, false)
        if (response.statusCode !== 400) problems.push(`pagination not refused with 400: ${op.method} ${url} → ${response.statusCode}`)
      }
    }
    expectNoProblems()
  })

  it('asset import: alias bombs, deep nesting, foreign tags, NUL bytes and garbage are refused whole', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n')
    const files: [string, string, string][] = [
      ['yaml alias bomb', laughs, 'application/yaml'],
      ['yaml nested 10,000 deep', 'a:\n' + Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(Math.min(i + 1, 2000))}- `).join('\n'), 'application/yaml'],
      ['yaml flow nested 50,000 deep', '['.repeat(50_000) + ']'.repeat(50_000), 'application/yaml'],
      ['yaml foreign tags', 'customers: !!js/function "function () { return process.exit(1) }"\ndevices: !<tag:yaml.org,2002:js/undefined> ""', 'application/yaml'],
      ['yaml with NUL', `customers:\n  - id: "a\u0000b"\n    name: "\u0000"`, 'application/yaml'],
      ['yaml injection strings', `customers:\n  - id: "'; drop table device;--"\n    name: "' or 1=1--"`, 'application/yaml'],
      ['csv formula and injection', 'id,customer,site\n"=cmd|\' /C calc\'!A0","\'; drop table device;--","$1"\n', 'text/csv'],
      ['csv garbage', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'), 'text/csv'],
    ]
    const before = await counts()
    for (const [what, body, type] of files) {
      const format = type === 'text/csv' ? 'csv' : 'yaml'
      const response = await collector.app.inject({ method: 'POST', url: `/api/assets/import?format=${format}`, headers: { ...admin.headers, 'content-type': type }, payload: body })
      judge(`asset import, ${what}`, response, false)
      if (response.statusCode < 400) problems.push(`asset import accepted ${what}: ${response.statusCode} ${response.body.slice(0, 160)}`)
    }
    expectNoProblems()
    expect(await counts()).toEqual(before)
  })

  it('afterwards every table is there and the canary rows are untouched', async () => {
    expect(await tables()).toEqual(tablesBefore)
    expect(await counts()).toEqual(before)
    const ticket = await collector.app.inject({ url: `/api/tickets/${ticketA}`, headers: viewerA.headers })
    expect(ticket.statusCode).toBe(200)
    const devices = (await collector.app.inject({ url: '/api/devices', headers: viewerA.headers })).json<{ items: { id: string }[] }>()
    expect(devices.items.map((d) => d.id)).toEqual([devA])
  })
})
