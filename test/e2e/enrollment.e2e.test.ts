/**
 * Enrollment end to end: an administrator creates a site token through the API; a real agent
 * (startAgent, as `patrol-agent run` does) trades it for its own MQTT credentials over HTTP,
 * keeps them 0600, and its readings land under the token's customer and site. Expired, revoked
 * and used-up tokens are refused with a clear code; a token cannot enroll into another site or
 * take over another customer's device. On both targets; the broker part (a device publishing as
 * another, revocation disconnecting) on the embedded broker, whose rules this collector enforces
 * (Mosquitto's, generated, are tested in test/security/mqtt-acl.test.ts).
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { loadAgentConfig, startAgent, type RunningAgent } from '@patrol/agent'
import { buildTopic, connectMqtt, encodeMessage, waitForConnect, type MetricBatch } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { apiAuth } from '../support/auth.js'
import { waitFor } from '../support/peers.js'
import { makeTarget, quietLogger, startTestCollector, targets, uniqueName, withLogin } from '../support/targets.js'

const names = await targets()
const id = (prefix: string) => uniqueName(prefix).replace(/_/g, '-')

async function count(collector: RunningCollector, sql: string, params: unknown[]): Promise<number> {
  return (await collector.db.query<{ n: number }>(sql, params)).rows[0]!.n
}

function batch(deviceId: string): MetricBatch {
  return { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId, sentAt: Date.now(), points: [{ ts: Date.now(), metric: 'test.value_count', instance: 'x', value: 1 }] }
}

describe.each(names)('enrollment on %s', (name) => {
  const target = makeTarget(name)
  const folders: string[] = []
  afterAll(async () => {
    await target.cleanup()
    for (const folder of folders) await rm(folder, { recursive: true, force: true })
  })

  it('admin token → agent enrolls, stores 0600 credentials, reports under the token\'s site; bad tokens refused; revoked credential cut off', async () => {
    const config = await target.config({ enrollRateLimitPerMinute: 1000 })
    const collector = await startTestCollector(config)
    const agents: RunningAgent[] = []
    const clients: MqttClient[] = []
    try {
      const admin = await apiAuth(collector.db, { role: 'admin' })
      const engineer = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
      const customer = id('cust')
      const other = id('othr')
      await collector.db.query('insert into customer (id, name) values ($1, $1), ($2, $2)', [customer, other])
      await collector.db.query("insert into site (customer_id, id, name) values ($1, 'hq', 'HQ'), ($1, 'branch', 'Branch'), ($2, 'hq', 'HQ')", [customer, other])
      const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers = admin.headers) => collector.app.inject({ method, url, headers, ...(payload ? { payload } : {}) })

      // Only administrators handle tokens; a site must exist first.
      expect((await api('POST', '/api/enrollment-tokens', { customer, site: 'hq' }, engineer.headers)).statusCode).toBe(403)
      expect((await collector.app.inject({ method: 'GET', url: '/api/enrollment-tokens' })).statusCode).toBe(401)
      const missing = await api('POST', '/api/enrollment-tokens', { customer, site: 'nowhere' })
      expect(missing.statusCode).toBe(404)
      expect(missing.json().error.message).toMatch(/site "nowhere"/)

      const created = await api('POST', '/api/enrollment-tokens', { customer, site: 'hq', maxUses: 2, note: 'e2e' })
      expect(created.statusCode, created.body).toBe(201)
      const { token, id: tokenId } = created.json() as { token: string; id: string }
      expect(token).toMatch(/^pet_/)
      const listed = (await api('GET', `/api/enrollment-tokens?customer=${customer}`)).json()
      expect(listed.total).toBe(1)
      expect(listed.items[0]).toMatchObject({ id: tokenId, customer, site: 'hq', uses: 0, maxUses: 2, state: 'active' })
      expect(JSON.stringify(listed)).not.toContain(token)

      // A real agent, configured with nothing but the broker, the collector and the token (its
      // customer/site settings left at their defaults: the token decides).
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-enroll-'))
      folders.push(dataDir)
      const deviceId = id('enrolled')
      const agentMqttUrl = name === 'embedded' ? collector.plainMqttUrl : config.mqttUrl!
      const agent = await startAgent(
        loadAgentConfig({ env: {}, overrides: { mqttUrl: agentMqttUrl, protocolVersion: name === 'embedded' ? 4 : 'auto', collectorUrl: collector.url, enrollToken: token, dataDir, deviceId, topicPrefix: config.topicPrefix, intervalS: 5, logLevel: 'silent' } }),
        { logger: quietLogger(), firstCycleDelayMs: 0, intervalMsOverride: 500 },
      )
      agents.push(agent)
      const file = path.join(dataDir, 'credentials.json')
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>
      expect(stored).toMatchObject({ deviceId, customer, site: 'hq' })
      expect(stored.mqttUsername).toMatch(/^dev-/)
      await waitFor(async () => (await count(collector, 'select count(*)::int as n from metric_sample where device_id = $1', [deviceId])) > 0, { timeoutMs: 30_000, what: 'the enrolled agent\'s readings stored' })
      const device = (await collector.db.query<{ customer: string; site: string }>('select customer, site from device where id = $1', [deviceId])).rows[0]
      expect(device).toEqual({ customer, site: 'hq' })

      const credentials = (await api('GET', `/api/device-credentials?deviceId=${deviceId}`)).json()
      expect(credentials.items).toHaveLength(1)
      expect(credentials.items[0]).toMatchObject({ deviceId, customer, site: 'hq', username: stored.mqttUsername, role: 'agent', enrolledVia: tokenId, revokedAt: null })
      expect(JSON.stringify(credentials)).not.toContain(stored.mqttPassword)

      // The second and last use names another site in its body: bound to the token's all the same.
      const enroll = (body: Record<string, unknown>) => collector.app.inject({ method: 'POST', url: '/api/enroll', payload: body })
      const second = id('second')
      const elsewhere = await enroll({ token, deviceId: second, hostname: 'pc-2', customer: other, site: 'branch' })
      expect(elsewhere.statusCode, elsewhere.body).toBe(200)
      expect(elsewhere.json()).toMatchObject({ deviceId: second, customer, site: 'hq', role: 'agent' })
      const usedUp = await enroll({ token, deviceId: id('third') })
      expect(usedUp.statusCode).toBe(401)
      expect(usedUp.json().error).toMatchObject({ code: 'TOKEN_USED_UP' })
      expect(usedUp.json().error.message).toMatch(/used 2 of 2/)

      const expiring = (await api('POST', '/api/enrollment-tokens', { customer, site: 'hq', maxUses: null })).json() as { token: string; id: string }
      await collector.db.query("update enrollment_token set expires_at = now() - interval '1 minute' where id = $1", [expiring.id])
      const expired = await enroll({ token: expiring.token, deviceId: id('late') })
      expect(expired.statusCode).toBe(401)
      expect(expired.json().error.code).toBe('TOKEN_EXPIRED')

      const revoking = (await api('POST', '/api/enrollment-tokens', { customer, site: 'hq' })).json() as { token: string; id: string }
      expect((await api('DELETE', `/api/enrollment-tokens/${revoking.id}`)).statusCode).toBe(204)
      const revoked = await enroll({ token: revoking.token, deviceId: id('rev') })
      expect(revoked.statusCode).toBe(401)
      expect(revoked.json().error.code).toBe('TOKEN_REVOKED')
      expect((await enroll({ token: 'pet_AAAAAAAA_notatokenatallnotatokenatall', deviceId: id('x') })).json().error.code).toBe('TOKEN_INVALID')
      expect((await enroll({ token: 'garbage-token', deviceId: id('x') })).json().error.code).toBe('TOKEN_INVALID')

      // Another customer's token cannot take over this customer's device.
      const foreign = (await api('POST', '/api/enrollment-tokens', { customer: other, site: 'hq' })).json() as { token: string }
      const takeover = await enroll({ token: foreign.token, deviceId })
      expect(takeover.statusCode).toBe(409)
      expect(takeover.json().error.code).toBe('DEVICE_ELSEWHERE')

      if (name !== 'embedded') return
      const broker = collector.brokerAccess!

      // With the enrolled credentials, publishing as another device, or into another site, is
      // refused (no PUBACK, connection dropped) and nothing of it is stored.
      const login = { username: stored.mqttUsername!, password: stored.mqttPassword! }
      const victim = id('victim')
      for (const [what, address] of [
        ['another device', { customer, site: 'hq', device: victim }],
        ['its own device id in another site', { customer, site: 'branch', device: deviceId }],
      ] as const) {
        const intruder = connectMqtt(withLogin(collector.plainMqttUrl, login), { protocolVersion: 4, clientId: `intruder-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 } as never)
        clients.push(intruder)
        await waitForConnect(intruder)
        const refusedBefore = broker.refused.publishes
        const sent = new Promise<string>((resolve) => {
          intruder.publish(buildTopic({ ...address, kind: 'metrics' }, config.topicPrefix), encodeMessage('metrics', batch(address.device)), { qos: 1 }, (error) => resolve(error ? `error ${error.message}` : 'acknowledged'))
          intruder.once('close', () => resolve('closed'))
        })
        expect(await sent, what).not.toBe('acknowledged')
        expect(broker.refused.publishes, what).toBe(refusedBefore + 1)
        intruder.end(true)
      }
      expect((await collector.app.inject({ url: '/api/health' })).json().mqtt.refused.publishes).toBe(broker.refused.publishes)
      expect(broker.refused.publishes).toBeGreaterThanOrEqual(2)
      expect(await count(collector, 'select count(*)::int as n from device where id = $1', [victim])).toBe(0)
      expect(await count(collector, "select count(*)::int as n from device where id = $1 and site <> 'hq'", [deviceId])).toBe(0)

      // Subscribing to someone else's config is refused in the SUBACK; its own is granted.
      const reader = connectMqtt(withLogin(collector.plainMqttUrl, login), { protocolVersion: 4, clientId: `reader-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 } as never)
      clients.push(reader)
      await waitForConnect(reader)
      // MQTT.js rejects a SUBACK with any 0x80 in it; the packet is on the error.
      const suback = await reader.subscribeAsync([buildTopic({ customer, site: 'hq', device: victim, kind: 'config' }, config.topicPrefix), buildTopic({ customer, site: 'hq', device: deviceId, kind: 'config' }, config.topicPrefix)]).then(
        () => 'all granted',
        (error: Error & { packet?: { granted: number[] } }) => error.packet?.granted,
      )
      expect(suback).toEqual([128, 0])
      reader.end(true)

      // A wrong password is refused at CONNECT.
      const wrong = connectMqtt(withLogin(collector.plainMqttUrl, { ...login, password: 'wrong-password' }), { protocolVersion: 4, reconnectPeriod: 0 } as never)
      clients.push(wrong)
      await expect(waitForConnect(wrong, 3000)).rejects.toThrow()
      wrong.end(true)

      // Revoking the credential disconnects the agent at once, and its reconnects are refused.
      expect(agent.publisher.client.connected).toBe(true)
      const refusedConnects = broker.refused.connects
      expect((await api('DELETE', `/api/device-credentials/${credentials.items[0].id}`)).statusCode).toBe(204)
      await waitFor(() => !agent.publisher.client.connected, { timeoutMs: 5000, what: 'the agent disconnected' })
      await waitFor(() => broker.refused.connects > refusedConnects, { timeoutMs: 15_000, what: 'a reconnect attempt refused' })
      expect(agent.publisher.client.connected).toBe(false)
      const revokedRow = (await api('GET', `/api/device-credentials?deviceId=${deviceId}&includeRevoked=true`)).json().items[0]
      expect(revokedRow.revokedAt).not.toBeNull()
    } finally {
      for (const client of clients) client.end(true)
      for (const agent of agents) await agent.stop().catch(() => undefined)
      await collector.close()
    }
  })

  it('limits enrollment attempts per address', async () => {
    const collector = await startTestCollector(await target.config({ enrollRateLimitPerMinute: 3 }))
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await collector.app.inject({ method: 'POST', url: '/api/enroll', payload: { token: 'pet_AAAAAAAA_notatokenatallnotatokenatall', deviceId: 'x' } })).statusCode)
      expect(statuses).toEqual([401, 401, 401, 429])
    } finally {
      await collector.close()
    }
  })
})
