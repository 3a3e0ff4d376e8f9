/**
 * Secrets never reach a log, on both targets. The collector and a real agent log at `trace` (the
 * most verbose level) into memory while: a user signs in (and once with a wrong password), uses
 * the session cookie with its CSRF token, creates an API token, calls the API with tokens good
 * and bad; an administrator creates a site enrollment token; the agent enrolls with it (and once
 * with a wrong one), receives its MQTT password and connects with it; a client tries the broker
 * with a wrong password; the collector itself logs in to the external broker with a password
 * (servers target). Then no password, token, cookie or CSRF value may appear anywhere in either
 * log, nor in the audit log table, in plain, URL-encoded or JSON-escaped form.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAgentConfig, startAgent, type RunningAgent } from '@patrol/agent'
import { startCollector, type LoadedCollectorConfig, type RunningCollector } from '@patrol/collector'
import { resolveCredentials } from '../../agent/src/enroll.js'
import { apiAuth } from '../support/auth.js'
import { waitFor } from '../support/peers.js'
import { makeTarget, targets, uniqueName, withLogin } from '../support/targets.js'

const names = await targets()

/** A pino logger at trace that keeps every line it writes. */
function capture(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = []
  return { logger: pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) }), lines }
}

/** The ways a secret could be spelled in a log line. */
const spellings = (secret: string) => [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64')])]

function findSecrets(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => value.length >= 8 && spellings(value).some((s) => text.includes(s)))
    .map(([name]) => name)
}

describe.each(names)('secrets in logs on %s', (name) => {
  const target = makeTarget(name)
  const folders: string[] = []
  afterAll(async () => {
    await target.cleanup()
    for (const folder of folders) await rm(folder, { recursive: true, force: true })
  })

  it('the matcher finds a secret in every spelling (control)', () => {
    const secret = 'ptk_abc/def+ghi=="x"'
    for (const s of spellings(secret)) expect(findSecrets(`{"msg":"oops ${s}"}`, { secret })).toEqual(['secret'])
  })

  const secrets: Record<string, string> = {}
  const collectorLog = capture()
  const agentLog = capture()
  const brokerPassword = `mqpw-${randomUUID()}`
  let config: LoadedCollectorConfig
  let collector: RunningCollector
  // Started here (the embedded database takes a while to start on a busy machine); its start-up
  // lines are in the capture like the rest.
  beforeAll(async () => {
    config = await target.config({
      enrollRateLimitPerMinute: 1000,
      // On the servers target the collector logs in to Mosquitto with this password (the test
      // broker lets anyone in, so any password works; what matters is that it is not logged).
      ...(name === 'servers' ? { mqttUsername: 'patrol-collector', mqttPassword: brokerPassword } : {}),
      logLevel: 'trace',
    })
    if (name === 'servers') secrets.collectorMqttPassword = brokerPassword
    collector = await startCollector(config, collectorLog.logger)
  })
  afterAll(async () => {
    await collector?.close()
  })

  it('no password, token, cookie or CSRF value in the collector log, the agent log or the audit log', async () => {
    let agent: RunningAgent | undefined
    try {
      const admin = await apiAuth(collector.db, { role: 'admin' })
      Object.assign(secrets, { adminPassword: admin.password, adminToken: admin.token })
      const customer = uniqueName('sec').replace(/_/g, '-')
      await collector.db.query('insert into customer (id, name) values ($1, $1)', [customer])
      await collector.db.query("insert into site (customer_id, id, name) values ($1, 'hq', 'HQ')", [customer])
      const http = (url: string, init: RequestInit = {}) => fetch(`${collector.url}${url}`, init)
      const json = { 'content-type': 'application/json' }

      // A failed login, then a good one: cookie and CSRF token.
      const wrongPassword = `wrong-${randomUUID()}`
      secrets.wrongPassword = wrongPassword
      expect((await http('/api/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username: admin.username, password: wrongPassword }) })).status).toBe(401)
      const login = await http('/api/auth/login', { method: 'POST', headers: json, body: JSON.stringify({ username: admin.username, password: admin.password }) })
      expect(login.status).toBe(200)
      const { csrfToken } = (await login.json()) as { csrfToken: string }
      const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ')
      expect(cookie).toMatch(/^patrol_session=/)
      Object.assign(secrets, { csrfToken, sessionCookie: cookie.split('=').slice(1).join('=') })
      expect((await http('/api/auth/me', { headers: { cookie } })).status).toBe(200)
      // A cookie write without the CSRF header (refused), then with it: a new API token.
      expect((await http('/api/tokens', { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'no csrf' }) })).status).toBe(403)
      const created = await http('/api/tokens', { method: 'POST', headers: { ...json, cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: 'script' }) })
      expect(created.status, await created.clone().text()).toBeLessThan(300)
      const scriptToken = ((await created.json()) as { token: string }).token
      secrets.createdApiToken = scriptToken
      // Tokens good and bad.
      expect((await http('/api/devices', { headers: { authorization: `Bearer ${scriptToken}` } })).status).toBe(200)
      const badToken = `ptk_${randomUUID().replace(/-/g, '')}`
      secrets.badApiToken = badToken
      expect((await http('/api/devices', { headers: { authorization: `Bearer ${badToken}` } })).status).toBe(401)
      expect((await http(`/api/devices?token=${encodeURIComponent(badToken)}`, { headers: { cookie: 'patrol_session=not-a-session-at-all' } })).status).toBe(401)

      // Enrollment: a site token, a wrong one tried by an agent, then a real agent enrolling,
      // connecting to the broker with the password it received, and sending readings.
      const tokenAnswer = await http('/api/enrollment-tokens', { method: 'POST', headers: { ...json, authorization: `Bearer ${admin.token}` }, body: JSON.stringify({ customer, site: 'hq', maxUses: 2 }) })
      expect(tokenAnswer.status).toBe(201)
      const enrollToken = ((await tokenAnswer.json()) as { token: string }).token
      secrets.enrollToken = enrollToken
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-secrets-'))
      folders.push(dataDir)
      const deviceId = `sec-${randomUUID().slice(0, 8)}`
      const brokerUrl = name === 'embedded' ? collector.mqttUrl : config.mqttUrl!
      const agentConfig = (overrides: Record<string, unknown>) =>
        loadAgentConfig({ env: {}, overrides: { mqttUrl: brokerUrl, protocolVersion: name === 'embedded' ? 4 : 'auto', collectorUrl: collector.url, dataDir, deviceId, topicPrefix: config.topicPrefix, intervalS: 5, logLevel: 'trace', ...overrides } })
      const wrongEnroll = `pet_${randomUUID().replace(/-/g, '')}`
      secrets.wrongEnrollToken = wrongEnroll
      expect(await resolveCredentials(agentConfig({ enrollToken: wrongEnroll }), deviceId, agentLog.logger)).toMatchObject({ source: 'none' })
      agent = await startAgent(agentConfig({ enrollToken: enrollToken }), { logger: agentLog.logger, firstCycleDelayMs: 0, intervalMsOverride: 500 })
      const device = (await collector.db.query<{ username: string }>('select username from device_credential where device_id = $1', [deviceId])).rows[0]
      expect(device?.username).toBeTruthy()
      const stored = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8')) as { mqttPassword: string }
      secrets.deviceMqttPassword = stored.mqttPassword
      await waitFor(async () => (await collector.db.query<{ n: number }>('select count(*)::int as n from metric_sample where device_id = $1', [deviceId])).rows[0]!.n > 0, {
        timeoutMs: 30_000,
        what: "the enrolled agent's readings (it connected with its password)",
      })
      // Someone trying the broker with that device's name and a wrong password.
      const wrongMqtt = `nope-${randomUUID()}`
      secrets.wrongMqttPassword = wrongMqtt
      const refused = await mqtt
        .connectAsync(withLogin(name === 'embedded' ? collector.mqttUrl : config.mqttUrl!, { username: device!.username, password: wrongMqtt }), { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000 })
        .then(async (client) => (await client.endAsync(), 'accepted'))
        .catch(() => 'refused')
      if (name === 'embedded') expect(refused).toBe('refused')
      if (collector.brokerAccess) {
        // The test's own service login of the embedded broker is a secret of the same kind.
        const login = new URL(collector.mqttUrl)
        if (login.password) secrets.serviceMqttPassword = decodeURIComponent(login.password)
      }
      await agent.stop()
      agent = undefined

      const audit = (await collector.db.query<{ row: string }>('select row_to_json(a)::text as row from audit_log a')).rows.map((r) => r.row).join('\n')
      const collectorText = collectorLog.lines.join('')
      const agentText = agentLog.lines.join('')
      // The capture really captured: the paths above ran and logged.
      expect(collectorText).toMatch(/enrolled/)
      expect(agentText).toMatch(/enroll/)
      expect(audit).toMatch(/login/)
      expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(11)
      expect({ collector: findSecrets(collectorText, secrets), agent: findSecrets(agentText, secrets), auditLog: findSecrets(audit, secrets) }).toEqual({ collector: [], agent: [], auditLog: [] })
    } finally {
      await agent?.stop()
    }
  })
})
