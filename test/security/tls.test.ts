/**
 * TLS as deploy/TLS.md sets it up: a private CA and a server certificate for 127.0.0.1 made with
 * the real `openssl` at test time; the collector serves its API over HTTPS and the embedded
 * broker MQTT over TLS with that certificate. A client with the CA gets through, one without it
 * is stopped by certificate verification; an agent enrolls over HTTPS with its `caFile`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { enroll } from '../../agent/src/enroll.js'
import { createToken } from '../../collector/src/enrollment/store.js'
import { commandPeer, freePort } from '../support/peers.js'
import { makeTarget, startTestCollector } from '../support/targets.js'

const openssl = commandPeer('openssl', 'openssl')

/** The commands of deploy/TLS.md, for a CA and a server certificate valid for 127.0.0.1. */
async function makeCertificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=patrol test CA', '-keyout', 'ca.key', '-out', 'ca.crt')
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr')
  await writeFile(path.join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n')
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt')
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') }
}

function get(url: string, ca?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ...(ca ? { ca } : {}), timeout: 5000 }, (response) => {
        let body = ''
        response.on('data', (chunk: Buffer) => (body += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

describe.skipIf(!openssl.available)('TLS for the API and the embedded broker', () => {
  const target = makeTarget('embedded')
  let dir: string
  let files: { ca: string; cert: string; key: string }
  let ca: Buffer
  let collector: RunningCollector & { plainMqttUrl: string }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-tls-'))
    files = await makeCertificates(dir)
    ca = await readFile(files.ca)
    collector = await startTestCollector(await target.config({ tlsCertFile: files.cert, tlsKeyFile: files.key, embeddedMqttTlsPort: await freePort() }))
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the API over HTTPS to a client that trusts the CA, and not to one that does not', async () => {
    expect(collector.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const health = await get(`${collector.url}/api/health`, ca)
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body)).toHaveProperty('status')
    await expect(get(`${collector.url}/api/health`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i)
  })

  it('serves MQTT over TLS with the same certificate', async () => {
    expect(collector.mqttTlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/)
    const login = new URL(collector.mqttUrl)
    const options = { protocolVersion: 4 as const, reconnectPeriod: 0, connectTimeout: 5000, username: decodeURIComponent(login.username), password: decodeURIComponent(login.password) }
    const client = await mqtt.connectAsync(collector.mqttTlsUrl!, { ...options, ca })
    try {
      expect(client.connected).toBe(true)
      await client.subscribeAsync('patrol/v1/#')
    } finally {
      await client.endAsync(true)
    }
    await expect(mqtt.connectAsync(collector.mqttTlsUrl!, options)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i)
  })

  it('lets an agent enroll over HTTPS with its caFile', async () => {
    await collector.db.query("insert into customer (id, name) values ('tls', 'TLS') on conflict do nothing")
    const { token } = await createToken(collector.db, { customer: 'tls', site: 'hq', expiresInHours: 1, maxUses: 1, createdBy: null })
    const agentDir = path.join(dir, 'agent')
    const credentials = await enroll({ collectorUrl: collector.url, enrollToken: token, dataDir: agentDir, caFile: files.ca, customer: 'default', site: 'default' }, 'tls-agent-1')
    expect(credentials).toMatchObject({ deviceId: 'tls-agent-1', customer: 'tls', site: 'hq', source: 'enrolled' })
    // Without the CA the agent refuses to send its token to a server it cannot verify.
    const { token: second } = await createToken(collector.db, { customer: 'tls', site: 'hq', expiresInHours: 1, maxUses: 1, createdBy: null })
    await expect(enroll({ collectorUrl: collector.url, enrollToken: second, dataDir: path.join(dir, 'agent2'), customer: 'default', site: 'default' }, 'tls-agent-2')).rejects.toThrow(/certificate|self[- ]signed|verify/i)
  })
})
