/**
 * The CI audit step (`.ci/audit`, run by `.ci/run`): fails on a high advisory in production
 * dependencies, passes on a clean answer, and passes with a loud "NOT RUN" when the advisory
 * endpoint refuses (405, as this machine's registry mirror does) or cannot be reached.
 * The advisory endpoint here is a stand-in HTTP server on 127.0.0.1: the real one is not reachable
 * from this machine (and tests may only talk to loopback). It answers in the npm audit format that
 * pnpm reads; the real `pnpm audit` reads the real lockfile and sends the real request.
 */
import { execFile } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, REPO_ROOT } from '../support/peers.js'

type Mode = 'refuse' | 'high' | 'clean'
const servers: http.Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

async function advisoryEndpoint(mode: Mode): Promise<{ registry: string; requests: { method: string; url: string; packages: string[] }[] }> {
  const requests: { method: string; url: string; packages: string[] }[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      let packages: string[] = []
      try {
        packages = Object.keys((JSON.parse(body) as { dependencies?: Record<string, unknown> }).dependencies ?? {})
      } catch {
        // not JSON: recorded as no packages
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', packages })
      if (mode === 'refuse') {
        res.writeHead(405, { allow: 'GET,HEAD' }).end()
        return
      }
      const high = mode === 'high'
      const advisories = high
        ? {
            1: {
              id: 1, module_name: 'pino', severity: 'high', title: 'stand-in advisory', url: 'http://127.0.0.1/advisory/1',
              vulnerable_versions: '<99', patched_versions: '>=99', recommendation: 'upgrade', cves: ['CVE-2099-0001'],
              findings: [{ version: '9.0.0', paths: ['collector>pino'] }], github_advisory_id: 'GHSA-0000-0000-0000', cwe: [],
              overview: '', access: 'public', created: '2026-01-01', updated: '2026-01-01', deleted: null, references: '',
            },
          }
        : {}
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ actions: [], advisories, muted: [], metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: high ? 1 : 0, critical: 0 }, dependencies: 1, devDependencies: 0, optionalDependencies: 0, totalDependencies: 1 } }))
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { registry: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests }
}

async function runAudit(registry: string, env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(path.join(REPO_ROOT, '.ci/audit'), { cwd: REPO_ROOT, env: { ...process.env, npm_config_registry: registry, ...env }, timeout: 120_000 })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('CI dependency audit step', () => {
  it('fails on a high advisory in a production dependency', async () => {
    const endpoint = await advisoryEndpoint('high')
    const { code, output } = await runAudit(endpoint.registry)
    expect(code, output).toBe(1)
    expect(output).toMatch(/audit: FAILED/)
    expect(endpoint.requests[0]).toMatchObject({ method: 'POST', url: '/-/npm/v1/security/audits' })
    // The real lockfile's workspace packages were sent.
    expect(endpoint.requests[0]!.packages).toEqual(expect.arrayContaining(['collector', 'agent']))
  })

  it('passes on a clean answer', async () => {
    const { code, output } = await runAudit((await advisoryEndpoint('clean')).registry)
    expect(code, output).toBe(0)
    expect(output).toMatch(/no high or critical advisories/)
  })

  it('does not fail, but says NOT RUN, when the endpoint refuses (405) or is unreachable', async () => {
    const refused = await runAudit((await advisoryEndpoint('refuse')).registry)
    expect(refused.code, refused.output).toBe(0)
    expect(refused.output).toMatch(/405/)
    expect(refused.output).toMatch(/audit: NOT RUN/)
    // pnpm retries a refused connection for over a minute by default; once is enough to show the path.
    const closed = await runAudit(`http://127.0.0.1:${await freePort()}/`, { npm_config_fetch_retries: '0' })
    expect(closed.code, closed.output).toBe(0)
    expect(closed.output).toMatch(/audit: NOT RUN/)
  })
})
