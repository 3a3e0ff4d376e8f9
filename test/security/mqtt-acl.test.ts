/**
 * MQTT ACLs, tried by a device that wants to be another: against a REAL Mosquitto started from
 * the password file and ACL that `patrol-collector mosquitto-acl` generates from the enrolled
 * credentials (plus a service account set with the real `mosquitto_passwd`), and against the
 * embedded broker, which enforces the same rules itself. On each:
 * - a wrong password is refused at CONNECT;
 * - device A publishing on its own topic reaches the collector's subscription;
 * - A publishing as device B, QoS 0 and QoS 1, delivers nothing (Mosquitto with MQTT 5 answers
 *   the QoS 1 with PUBACK reason 0x87; the embedded broker, MQTT 3.1.1, drops the connection);
 * - A subscribing to B's config topic gets nothing of it (the embedded broker refuses it in the
 *   SUBACK; Mosquitto 2.0's acl_file grants the SUBACK and filters at delivery);
 * - A's credential revoked (Mosquitto: files regenerated + SIGHUP) → A's next CONNECT is refused.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic, encodeMessage, type MetricBatch, type TopicAddress } from '@patrol/shared'
import { migrate, openPglite, openPostgres, type Db, type RunningCollector } from '@patrol/collector'
import { mosquittoHash, mosquittoVerify } from '../../collector/src/enrollment/hashes.js'
import { buildMosquittoFiles, writeMosquittoFiles } from '../../collector/src/enrollment/mosquitto-files.js'
import { createToken, enrollDevice, revokeCredential } from '../../collector/src/enrollment/store.js'
import { mosquittoPeer, PrivateMosquitto } from '../support/mosquitto.js'
import { REPO_ROOT, requirePeer, waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, uniqueName } from '../support/targets.js'

const mosquitto = mosquittoPeer()

interface Login {
  username: string
  password: string
}
interface Device extends Login {
  id: string
  credentialId: string
}

interface BrokerUnderTest {
  url: string
  protocolVersion: 4 | 5
  collector: Login
  a: Device
  b: Device
  revokeA(): Promise<void>
}

const CUSTOMER = 'acme'
const SITE = 'hq'
const address = (device: string, kind: TopicAddress['kind']) => buildTopic({ customer: CUSTOMER, site: SITE, device, kind })

function batch(deviceId: string): MetricBatch {
  return { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId, sentAt: Date.now(), points: [{ ts: Date.now(), metric: 'test.value_count', instance: 'x', value: 1 }] }
}

async function enrollTwo(db: Db): Promise<{ a: Device; b: Device }> {
  const { token } = await createToken(db, { customer: CUSTOMER, site: SITE, expiresInHours: 1, maxUses: null, createdBy: null })
  const one = async (id: string): Promise<Device> => {
    const enrolled = await enrollDevice(db, { token, deviceId: id })
    return { id, username: enrolled.credential.username, password: enrolled.password, credentialId: enrolled.credential.id }
  }
  return { a: await one(`dev-a-${randomUUID().slice(0, 6)}`), b: await one(`dev-b-${randomUUID().slice(0, 6)}`) }
}

const clients: MqttClient[] = []
function connect(broker: BrokerUnderTest, login: Login, extra: IClientOptions = {}): Promise<MqttClient> {
  return mqtt
    .connectAsync(broker.url, { protocolVersion: broker.protocolVersion, clientId: `acl-${randomUUID().slice(0, 12)}`, reconnectPeriod: 0, connectTimeout: 5000, ...login, ...extra })
    .then((client) => {
      clients.push(client)
      return client
    })
}

/** Resolves with the PUBACK reason (0 for success), 'closed' when the broker drops the connection, or 'sent' for QoS 0. */
function publish(client: MqttClient, topic: string, message: MetricBatch, qos: 0 | 1): Promise<number | 'closed' | 'sent'> {
  return new Promise((resolve) => {
    const onClose = () => resolve('closed')
    client.once('close', onClose)
    client.publish(topic, encodeMessage('metrics', message), { qos }, (error, packet) => {
      client.off('close', onClose)
      if (qos === 0) return resolve('sent')
      const reason = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? (error as { code?: number } | undefined)?.code
      resolve(error && reason === undefined ? 'closed' : (reason ?? 0))
    })
  })
}

function aclChecks(name: string, setup: () => Promise<{ broker: BrokerUnderTest; close: () => Promise<void> }>) {
  describe(`MQTT ACLs on ${name}`, () => {
    let broker: BrokerUnderTest
    let close: () => Promise<void> = async () => undefined
    let collectorSub: MqttClient
    const received: string[] = []
    beforeAll(async () => {
      ;({ broker, close } = await setup())
      collectorSub = await connect(broker, broker.collector)
      collectorSub.on('message', (topic, payload) => received.push(`${topic} ${(JSON.parse(payload.toString()) as MetricBatch).batchId}`))
      await collectorSub.subscribeAsync('patrol/v1/#', { qos: 1 })
    })
    afterAll(async () => {
      for (const client of clients.splice(0)) client.end(true)
      await close()
    })

    it('refuses a wrong password at CONNECT', async () => {
      await expect(connect(broker, { username: broker.a.username, password: 'not-the-password' })).rejects.toThrow(/bad user|not authori[sz]ed|password/i)
      await expect(connect(broker, { username: 'nobody', password: 'x' })).rejects.toThrow()
    })

    it('delivers what a device publishes on its own topics, and nothing it publishes as another device', async () => {
      const a = await connect(broker, broker.a)
      const forged0 = batch(broker.b.id)
      const forged1 = batch(broker.b.id)
      expect(await publish(a, address(broker.b.id, 'metrics'), forged0, 0)).toBe('sent')
      const qos1 = await publish(a, address(broker.b.id, 'metrics'), forged1, 1)
      if (broker.protocolVersion === 5) expect(qos1).toBe(0x87)
      else expect(qos1).toBe('closed')
      // Config flows collector → agent only: an agent may not write its own config topic either.
      const again = a.connected ? a : await connect(broker, broker.a)
      const ownConfig = await publish(again, address(broker.a.id, 'config'), batch(broker.a.id), 1)
      expect(ownConfig === 0x87 || ownConfig === 'closed').toBe(true)
      // Then a legitimate message on the same connection: once it has arrived, anything sent before it would have too.
      const sender = again.connected ? again : await connect(broker, broker.a)
      const own = batch(broker.a.id)
      expect(await publish(sender, address(broker.a.id, 'metrics'), own, 1)).toBe(0)
      await waitFor(() => received.some((line) => line.endsWith(own.batchId)), { timeoutMs: 5000, what: 'device A\'s own message at the collector' })
      expect(received.filter((line) => line.includes(forged0.batchId) || line.includes(forged1.batchId))).toEqual([])
      expect(received.filter((line) => line.includes(`/${broker.b.id}/`))).toEqual([])
    })

    it('gives a device its own config and never another device\'s', async () => {
      const a = await connect(broker, broker.a)
      const received: string[] = []
      a.on('message', (topic) => received.push(topic))
      const granted = await a.subscribeAsync([address(broker.b.id, 'config'), address(broker.a.id, 'config'), 'patrol/v1/#'], { qos: 1 }).then(
        (grants) => grants.map((g) => g.qos),
        (error: Error & { packet?: { granted: number[] } }) => error.packet?.granted,
      )
      // The embedded broker refuses in the SUBACK (0x80). Mosquitto 2.0's acl_file grants every
      // SUBSCRIBE and applies the ACL when it delivers (measured with 2.0.11): so what counts is
      // that nothing of B's arrives, checked below on both.
      if (broker.protocolVersion === 4) expect(granted).toEqual([0x80, 1, 0x80])
      else expect(granted?.[1]).toBe(1)
      const collector = await connect(broker, broker.collector)
      const config = (device: string) => JSON.stringify({ v: 1, kind: 'config', deviceId: device, intervalS: 30 })
      await collector.publishAsync(address(broker.b.id, 'config'), config(broker.b.id), { qos: 1 })
      await collector.publishAsync(address(broker.a.id, 'config'), config(broker.a.id), { qos: 1 })
      // Sent after B's on the same connection: once A has its own, B's would have come first.
      await waitFor(() => received.includes(address(broker.a.id, 'config')), { timeoutMs: 5000, what: 'device A\'s own config delivered' })
      // (Mosquitto may deliver it once per matching subscription: its own topic and patrol/v1/#.)
      expect([...new Set(received)]).toEqual([address(broker.a.id, 'config')])
    })

    it('refuses a revoked credential', async () => {
      await broker.revokeA()
      await waitFor(
        () =>
          connect(broker, broker.a).then(
            (client) => (client.end(true), false),
            () => true,
          ),
        { timeoutMs: 10_000, intervalMs: 200, what: 'device A refused after revocation' },
      )
      // B is untouched.
      const b = await connect(broker, broker.b)
      expect(b.connected).toBe(true)
    })
  })
}

describe.skipIf(!mosquitto.available)('generated Mosquitto files', () => {
  it('hash in the format mosquitto_passwd writes, with the iterations in the string', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-passwd-'))
    try {
      execFileSync('mosquitto_passwd', ['-b', '-c', path.join(dir, 'p'), 'someone', 's3cret-pass'])
      const theirs = (await readFile(path.join(dir, 'p'), 'utf8')).trim().split(':')[1]!
      expect(await mosquittoVerify('s3cret-pass', theirs)).toBe(true)
      expect(await mosquittoVerify('other', theirs)).toBe(false)
      const ours = await mosquittoHash('s3cret-pass')
      expect(ours).toMatch(/^\$7\$100000\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/)
      expect(await mosquittoVerify('s3cret-pass', ours)).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const DATABASE_URL = process.env.DATABASE_URL
// The command reads a database server, as it does in production (.ci/run sets DATABASE_URL).
const database = requirePeer('PostgreSQL (DATABASE_URL)', Boolean(DATABASE_URL), 'set DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres')
describe.skipIf(!database.available)('the mosquitto-acl command', () => {
  it('writes passwd and acl from the credentials in the database, 0600, keeping the service accounts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-acl-cli-'))
    const schema = uniqueName('acl')
    const db = await openPostgres({ connectionString: DATABASE_URL!, schema })
    try {
      await migrate(db)
      const { a, b } = await enrollTwo(db)
      await revokeCredential(db, b.credentialId)
      await writeFile(path.join(dir, 'passwd'), 'collector:$7$101$c2FsdA==$aGFzaA==\n')
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ databaseUrl: DATABASE_URL, databaseSchema: schema }))
      const output = execFileSync(path.join(REPO_ROOT, 'node_modules/.bin/tsx'), [path.join(REPO_ROOT, 'collector/src/main.ts'), '--config', path.join(dir, 'config.json'), 'mosquitto-acl', '--out', dir], { encoding: 'utf8' })
      expect(output).toMatch(/1 device account\(s\).*kept collector/)
      expect(output).toMatch(/SIGHUP/)
      const passwd = await readFile(path.join(dir, 'passwd'), 'utf8')
      expect(passwd.split('\n').filter(Boolean).map((line) => line.split(':')[0])).toEqual(['collector', a.username])
      expect(passwd).not.toContain(a.password)
      const acl = await readFile(path.join(dir, 'acl'), 'utf8')
      expect(acl).toContain(`user ${a.username}\n`)
      expect(acl).not.toContain(b.username)
      for (const file of ['passwd', 'acl']) expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600)
    } finally {
      await db.query(`drop schema if exists ${schema} cascade`)
      await db.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})

if (mosquitto.available) {
  aclChecks('a real Mosquitto from the generated passwd and acl', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-acl-'))
    const db = await openPglite()
    await migrate(db)
    const { a, b } = await enrollTwo(db)
    // The collector's service account, set the way deploy/ says (mosquitto_passwd), kept by the generator.
    const collector = { username: 'collector', password: `pw-${randomUUID()}` }
    execFileSync('mosquitto_passwd', ['-b', '-c', path.join(dir, 'passwd'), collector.username, collector.password])
    const files = await writeMosquittoFiles(db, { dir })
    expect(files.keptAccounts).toEqual(['collector'])
    expect(files.devices).toBe(2)
    expect(files.acl).toContain(`user ${a.username}\ntopic write patrol/v1/${CUSTOMER}/${SITE}/${a.id}/metrics`)
    expect(files.passwd).not.toContain(a.password)
    const broker = await PrivateMosquitto.start({ auth: `allow_anonymous false\npassword_file ${dir}/passwd\nacl_file ${dir}/acl` })
    return {
      broker: {
        url: broker.url,
        protocolVersion: 5,
        collector,
        a,
        b,
        async revokeA() {
          await revokeCredential(db, a.credentialId)
          const regenerated = await buildMosquittoFiles(db, { dir })
          expect(regenerated.passwd).not.toContain(a.username)
          await writeMosquittoFiles(db, { dir })
          process.kill(broker.pid!, 'SIGHUP')
        },
      },
      close: async () => {
        await broker.close()
        await db.close()
        await rm(dir, { recursive: true, force: true })
      },
    }
  })
}

aclChecks('the embedded broker', async () => {
  const target = makeTarget('embedded')
  const collector: RunningCollector & { plainMqttUrl: string } = await startTestCollector(await target.config())
  const { a, b } = await enrollTwo(collector.db)
  const service = new URL(collector.mqttUrl)
  return {
    broker: {
      url: collector.plainMqttUrl,
      protocolVersion: 4,
      collector: { username: decodeURIComponent(service.username), password: decodeURIComponent(service.password) },
      a,
      b,
      async revokeA() {
        // What DELETE /api/device-credentials/:id does.
        await revokeCredential(collector.db, a.credentialId)
        collector.brokerAccess!.revoked(a.username)
      },
    },
    close: async () => {
      await collector.close()
      await target.cleanup()
    },
  }
})
