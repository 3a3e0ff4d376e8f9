import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAgentConfig } from './config.js'
import { credentialsFile, enroll, resolveCredentials } from './enroll.js'

const dirs: string[] = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))
const silent = pino({ level: 'silent' })

describe('enrollment against a stand-in for the collector endpoint', () => {
  let server: http.Server
  let url: string
  const requests: Record<string, unknown>[] = []

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = ''
      request.on('data', (d: Buffer) => (body += d.toString()))
      request.on('end', () => {
        const parsed = JSON.parse(body) as Record<string, unknown>
        requests.push({ path: request.url, ...parsed })
        if (parsed.token !== 'good-token-123') return void response.writeHead(403).end('unknown token')
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ deviceId: 'dev-assigned-1', mqttUsername: 'dev-assigned-1', mqttPassword: 'issued-secret' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => server.close())

  function config(token: string) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patrol-enroll-'))
    dirs.push(dataDir)
    return loadAgentConfig({ env: {}, overrides: { dataDir, collectorUrl: url, enrollToken: token, customer: 'acme', site: 'hq' } })
  }

  it('exchanges the token once and stores the credentials readable by the owner only', async () => {
    const cfg = config('good-token-123')
    const credentials = await resolveCredentials(cfg, 'dev-local', silent)
    expect(credentials).toEqual({ deviceId: 'dev-assigned-1', mqttUsername: 'dev-assigned-1', mqttPassword: 'issued-secret', source: 'enrolled' })
    expect(requests.at(-1)).toMatchObject({ path: '/api/enroll', token: 'good-token-123', deviceId: 'dev-local', customer: 'acme', site: 'hq' })
    if (process.platform !== 'win32') expect(statSync(credentialsFile(cfg.dataDir)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(credentialsFile(cfg.dataDir), 'utf8'))).toMatchObject({ mqttPassword: 'issued-secret' })
    // Next start: from the file, no second request.
    const count = requests.length
    expect((await resolveCredentials(cfg, 'dev-local', silent)).source).toBe('enrolled')
    expect(requests.length).toBe(count)
  })

  it('a refused token is an error naming the collector, and the agent carries on without credentials', async () => {
    const cfg = config('wrong-token-456')
    await expect(enroll(cfg, 'dev-local')).rejects.toThrow(/collector refused enrollment at http:\/\/127\.0\.0\.1:\d+\/api\/enroll: HTTP 403/)
    expect(await resolveCredentials(cfg, 'dev-local', silent)).toEqual({ source: 'none' })
  })

  it('configured credentials win over enrollment', async () => {
    const cfg = { ...config('good-token-123'), mqttUsername: 'u', mqttPassword: 'p' }
    expect(await resolveCredentials(cfg, 'dev-local', silent)).toEqual({ mqttUsername: 'u', mqttPassword: 'p', source: 'config' })
  })
})
