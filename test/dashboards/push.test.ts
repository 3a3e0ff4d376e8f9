/**
 * `dashboards:push` and its Grafana client against a local HTTP server that records every request
 * and keeps folders, data sources and dashboards like Grafana does (by uid). No Grafana server can
 * run on the build machines (no Docker engine, no Grafana package), so this checks the requests we
 * send, not Grafana's answers to them; the paths and bodies follow Grafana's HTTP API reference.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAll, GrafanaClient } from '@patrol/dashboards'
import { push } from '../../dashboards/src/push.js'

interface Recorded {
  method: string
  path: string
  auth: string | undefined
  body: Record<string, unknown> | undefined
}

class FakeGrafana {
  readonly requests: Recorded[] = []
  readonly folders = new Map<string, { uid: string; title: string; version: number }>()
  readonly datasources = new Map<string, Record<string, unknown>>()
  readonly dashboards = new Map<string, { dashboard: Record<string, unknown>; folderUid: string; version: number }>()
  private server = http.createServer((req, res) => void this.handle(req, res))
  url = ''

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  close() {
    return new Promise((resolve) => this.server.close(resolve))
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = ''
    for await (const chunk of req) raw += chunk
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined
    const path = req.url ?? ''
    this.requests.push({ method: req.method!, path, auth: req.headers.authorization, body })
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    if (req.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Unauthorized' })
    let m: RegExpExecArray | null
    if (req.method === 'GET' && (m = /^\/api\/folders\/([^/]+)$/.exec(path))) {
      const folder = this.folders.get(m[1]!)
      return folder ? send(200, folder) : send(404, { message: 'folder not found' })
    }
    if (req.method === 'POST' && path === '/api/folders') {
      const uid = body!.uid as string
      if (this.folders.has(uid)) return send(409, { message: 'a folder with the same uid already exists' })
      const folder = { uid, title: body!.title as string, version: 1 }
      this.folders.set(uid, folder)
      return send(200, folder)
    }
    if (req.method === 'GET' && (m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path))) {
      const ds = this.datasources.get(m[1]!)
      return ds ? send(200, ds) : send(404, { message: 'Data source not found' })
    }
    if (req.method === 'POST' && path === '/api/datasources') {
      const uid = body!.uid as string
      if (this.datasources.has(uid)) return send(409, { message: 'data source with the same uid already exists' })
      this.datasources.set(uid, { ...body, id: this.datasources.size + 1, version: 1 })
      return send(200, { message: 'Datasource added' })
    }
    if (req.method === 'PUT' && (m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path))) {
      const existing = this.datasources.get(m[1]!)
      if (!existing) return send(404, { message: 'Data source not found' })
      this.datasources.set(m[1]!, { ...body, version: (existing.version as number) + 1 })
      return send(200, { message: 'Datasource updated' })
    }
    if (req.method === 'POST' && path === '/api/dashboards/db') {
      const dashboard = body!.dashboard as Record<string, unknown>
      const folderUid = body!.folderUid as string
      if (!this.folders.has(folderUid)) return send(400, { message: 'folder not found' })
      const existing = this.dashboards.get(dashboard.uid as string)
      if (existing && !body!.overwrite) return send(412, { status: 'version-mismatch' })
      const version = (existing?.version ?? 0) + 1
      this.dashboards.set(dashboard.uid as string, { dashboard, folderUid, version })
      return send(200, { uid: dashboard.uid, url: `/d/${dashboard.uid as string}`, status: 'success', version })
    }
    return send(404, { message: `no route ${req.method} ${path}` })
  }
}

describe('dashboards:push against a recording HTTP server (no Grafana server can run here)', () => {
  const grafana = new FakeGrafana()
  beforeAll(() => grafana.start())
  afterAll(() => grafana.close())

  it('creates folder, data source and dashboards, then updates them in place on a second run', async () => {
    const log: string[] = []
    const options = { url: grafana.url, token: 'test-token', databaseUrl: 'postgres://grafana_reader:pw@db:5432/patrol', log: (l: string) => log.push(l) }
    await push(options)
    const first = grafana.requests.splice(0).map((r) => `${r.method} ${r.path}`)
    const uids = buildAll().map((b) => b.uid)
    expect(first).toEqual(['GET /api/folders/patrol', 'POST /api/folders', 'GET /api/datasources/uid/patrol-postgres', 'POST /api/datasources', ...uids.map(() => 'POST /api/dashboards/db')])
    expect(grafana.datasources.get('patrol-postgres')).toMatchObject({ type: 'grafana-postgresql-datasource', url: 'db:5432', user: 'grafana_reader', secureJsonData: { password: 'pw' } })
    expect([...grafana.dashboards.keys()]).toEqual(uids)

    await push(options)
    const second = grafana.requests.splice(0)
    expect(second.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/folders/patrol', 'GET /api/datasources/uid/patrol-postgres', 'PUT /api/datasources/uid/patrol-postgres', ...uids.map(() => 'POST /api/dashboards/db')])
    expect(second.every((r) => r.auth === 'Bearer test-token')).toBe(true)
    // Same things, one of each: nothing duplicated, dashboards at version 2 in the same folder.
    expect(grafana.folders.size).toBe(1)
    expect(grafana.datasources.size).toBe(1)
    expect([...grafana.dashboards.values()].map((d) => [d.folderUid, d.version, d.dashboard.id])).toEqual(uids.map(() => ['patrol', 2, null]))
    const saved = second.find((r) => r.path === '/api/dashboards/db')!.body!
    expect(saved).toMatchObject({ folderUid: 'patrol', overwrite: true })
    expect(log.at(-1)).toMatch(/dashboard patrol-tickets: success \(version 2\)/)
  })

  it('an error names the call and carries Grafana’s answer', async () => {
    const client = new GrafanaClient({ url: grafana.url, token: 'wrong' })
    await expect(client.ensureFolder({ uid: 'patrol', title: 'Patrol' })).rejects.toThrow(/Grafana GET \/api\/folders\/patrol answered 401: .*Unauthorized/)
    await expect(new GrafanaClient({ url: 'http://127.0.0.1:1', token: 'x', timeoutMs: 2000 }).health()).rejects.toThrow(/Grafana GET http:\/\/127\.0\.0\.1:1\/api\/health failed/)
  })
})
