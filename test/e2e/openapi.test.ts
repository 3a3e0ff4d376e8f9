/**
 * The API documentation of a running collector: `/docs/json` is an OpenAPI 3 document listing every
 * /api route the app has (taken from fastify's own route tree, not from the generator's hook) with
 * its method, a summary and a tag; `/docs` is Swagger UI whose scripts and styles all come from the
 * collector itself, under a Content-Security-Policy that names no other host.
 *
 * And in a real browser (Debian's chromium): the UI renders the operations, every request it makes
 * goes to the collector, and the CSP blocks nothing it needs.
 *
 * The documentation does not depend on the database or the broker, so this runs on the embedded
 * target only.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { requirePeer } from '../support/peers.js'
import { makeTarget, startTestCollector } from '../support/targets.js'

const CHROMIUM = '/usr/bin/chromium'
const browser = requirePeer(`chromium at ${CHROMIUM}`, existsSync(CHROMIUM), 'apt-get install -y chromium')

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[]
  requestBody?: { content: Record<string, { schema: { required?: string[] } } | undefined> }
  summary?: string
  tags?: string[]
  security?: unknown[]
  responses?: Record<string, unknown>
}
interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  components?: { securitySchemes?: Record<string, { type: string; scheme?: string; in?: string; name?: string }> }
  security?: Record<string, unknown>[]
}

/**
 * Method + path of every route in fastify's tree (`printRoutes({ commonPrefix: true })` prints each
 * node's segment under its parent; concatenating them gives the path back). Parameter names are
 * dropped (`:id` → `{}`): the tree merges different names at one position (`:id|:customer`).
 */
function routesOfTree(tree: string): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    stack.length = depth
    stack.push(m[2]!)
    if (!m[3]) continue
    const path = stack.join('')
    for (const method of m[3].split(', ')) routes.push({ method, path })
  }
  return routes
}

const normalise = (path: string) => path.replace(/:[A-Za-z0-9_]+(\|:[A-Za-z0-9_]+)*/g, '{}').replace(/\{[^}]*\}/g, '{}').replace(/\*/g, '{}')

describe('API documentation', () => {
  const target = makeTarget('embedded')
  let collector: RunningCollector
  let doc: OpenApiDocument

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    const res = await collector.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode, res.body).toBe(200)
    doc = res.json()
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  it('is an OpenAPI 3 document titled and versioned after the collector, with bearer-token and session-cookie security', async () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info.title).toMatch(/patrol/)
    const health = (await collector.app.inject({ method: 'GET', url: '/api/health' })).json() as { version?: string }
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/)
    if (health.version) expect(doc.info.version).toBe(health.version)
    expect(doc.components?.securitySchemes?.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components?.securitySchemes?.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'patrol_session' })
    expect(doc.security).toEqual([{ apiToken: [] }, { session: [] }])
  })

  it('lists every /api route of the app with its method, a summary and a tag', () => {
    const registered = routesOfTree(collector.app.printRoutes({ commonPrefix: true })).filter((r) => r.path.startsWith('/api') && r.method !== 'HEAD' && r.method !== 'OPTIONS')
    // Sanity of the tree parsing itself: routes we know are there.
    expect(registered).toContainEqual({ method: 'GET', path: '/api/customers' })
    expect(registered.map((r) => `${r.method} ${normalise(r.path)}`)).toContain('PATCH /api/contracts/{}')
    expect(registered.length).toBeGreaterThan(30)

    const documented = new Map<string, Operation>()
    for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) documented.set(`${method.toUpperCase()} ${normalise(path)}`, op)
    const missing = registered.map((r) => `${r.method} ${normalise(r.path)}`).filter((key) => !documented.has(key))
    expect(missing, 'routes missing from /docs/json').toEqual([])
    const withoutSummary = [...documented].filter(([, op]) => !op.summary?.trim()).map(([key]) => key)
    expect(withoutSummary, 'operations without a summary').toEqual([])
    const untagged = [...documented].filter(([, op]) => !op.tags?.length).map(([key]) => key)
    expect(untagged, 'operations without a tag').toEqual([])
    expect(documented.get('GET /api/customers')?.tags).toEqual(['customers'])
    expect(documented.get('GET /api/customers/{}/sites')?.tags).toEqual(['sites'])
    expect(documented.get('GET /api/health')?.security, 'the health probe is public').toEqual([])
    // Fields with a default may be left out: not required in the document.
    const customers = doc.paths['/api/customers']!
    expect(customers.get!.parameters?.find((p) => p.name === 'limit')).toMatchObject({ in: 'query', required: false })
    expect(customers.post!.requestBody?.content['application/json']?.schema.required).toEqual(['id', 'name'])
    // Nothing outside /api (console files, the docs themselves) is documented as API.
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api'))).toEqual([])
  })

  it('serves Swagger UI at /docs with every script and style from this collector, under a CSP naming no other host', async () => {
    const res = await collector.app.inject({ method: 'GET', url: '/docs/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    const html = res.body
    const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)
    expect(refs.length).toBeGreaterThanOrEqual(4)
    expect(refs.filter((r) => /^(https?:)?\/\//i.test(r)), 'assets from another host').toEqual([])
    expect(html).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/) // no inline script: CSP script-src 'self' holds
    for (const ref of refs) {
      const asset = await collector.app.inject({ method: 'GET', url: new URL(ref, 'http://127.0.0.1/docs/').pathname })
      expect(asset.statusCode, ref).toBe(200)
    }
    const csp = String(res.headers['content-security-policy'] ?? '')
    expect(csp).toMatch(/script-src 'self'/)
    expect(csp).not.toMatch(/https?:|\/\/|unsafe-inline|unsafe-eval/)
    // The UI's initializer must not send the document to the online validator.
    const init = await collector.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(init.body).toMatch(/"validatorUrl":\s*null/)
    expect(init.body).not.toMatch(/validator\.swagger\.io/)
  })

  it.skipIf(!browser.available)('renders in chromium under its CSP, loading nothing from another host', async () => {
    const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'] })
    try {
      const page = await b.newPage()
      const hosts = new Set<string>()
      const problems: string[] = []
      page.on('request', (r) => void (r.url().startsWith('http') && hosts.add(new URL(r.url()).host)))
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
      page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)))
      // Injected by the browser itself, not subject to the page's CSP: records what the CSP refused.
      await page.addInitScript({ content: "window.violations = []; document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI))" })
      await page.goto(`${collector.url}/docs`)
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 })
      expect(await page.locator('.opblock').count()).toBeGreaterThan(30)
      expect(await page.locator('.opblock-tag', { hasText: 'customers' }).count()).toBeGreaterThan(0)
      expect(await page.evaluate('window.violations')).toEqual([])
      expect(problems).toEqual([])
      expect([...hosts]).toEqual([new URL(collector.url).host])
    } finally {
      await b.close()
    }
  })
})
