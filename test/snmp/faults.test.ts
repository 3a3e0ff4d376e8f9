/**
 * Real agents and real failures: Debian's snmpd for v2c and v3 (authPriv SHA/AES), wrong
 * credentials, a port nobody serves, agents that answer garbage or stop in the middle of a walk.
 * Every failure must give its device a clear status and must not hold up the other devices.
 */
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { validateMessage, type SnmpMessage } from '@patrol/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollDevice } from '../../agent/src/snmp/poll.js'
import { createPoller } from '../../agent/src/snmp/poller.js'
import type { SnmpTarget } from '../../agent/src/snmp/targets.js'
import { commandPeer, REPO_ROOT } from '../support/peers.js'
import { freeUdpPort, startSnmpd, startSnmpsim, type RunningPeer } from '../support/snmp-peers.js'
import { junkAgent, proxyAgent, type FakeAgent } from './udp-fakes.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
const snmpd = commandPeer('snmpd', 'snmpd')
const snmpsim = commandPeer('snmpsimd', 'snmpsim')
const V3 = { user: 'patrol', authKey: 'auth-pass-2026', privKey: 'priv-pass-2026', authOnlyUser: 'patrol-auth' }
const v3Target = (port: number, overrides: Partial<NonNullable<SnmpTarget['v3']>> = {}): SnmpTarget => ({
  host: '127.0.0.1',
  port,
  timeoutMs: 1000,
  retries: 0,
  v3: { user: V3.user, securityLevel: 'authPriv', authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey, ...overrides },
})

describe.skipIf(!snmpd.available)('against Debian snmpd', () => {
  let agent: RunningPeer

  beforeAll(async () => {
    agent = await startSnmpd({ community: 'patrol-test', v3: V3 })
  })
  afterAll(async () => {
    await agent?.stop()
  })

  it('polls over v2c: system group from our config, host profile, storage and interfaces', async () => {
    const { result } = await pollDevice({ host: '127.0.0.1', port: agent.port, community: 'patrol-test' })
    expect(result.status, result.error).toBe('ok')
    expect(result.system?.sysLocation).toBe('patrol test rack')
    expect(result.profile).toBe('host')
    expect(result.hostResources?.storage.length).toBeGreaterThan(0)
    expect(result.interfaces?.some((i) => i.name === 'lo' && i.operStatus === 'up')).toBe(true)
  })

  it('polls over v1 with GETNEXT walks and gets the same interfaces', async () => {
    const v2 = await pollDevice({ host: '127.0.0.1', port: agent.port, community: 'patrol-test' })
    const v1 = await pollDevice({ host: '127.0.0.1', port: agent.port, community: 'patrol-test', version: '1' })
    expect(v1.result.status, v1.result.error).toBe('ok')
    expect(v1.result.interfaces?.map((i) => i.name)).toEqual(v2.result.interfaces?.map((i) => i.name))
  })

  it('polls over v3 authPriv with SHA and AES', async () => {
    const { result } = await pollDevice(v3Target(agent.port))
    expect(result.status, result.error).toBe('ok')
    expect(result.system?.sysContact).toBe('patrol@example.invalid')
  })

  it('polls over v3 authNoPriv with SHA, and is refused authPriv access it was not given', async () => {
    const authOnly = { user: V3.authOnlyUser, securityLevel: 'authNoPriv' as const, authProtocol: 'sha' as const, authKey: V3.authKey }
    const { result } = await pollDevice({ host: '127.0.0.1', port: agent.port, timeoutMs: 1000, retries: 0, v3: authOnly })
    expect(result.status, result.error).toBe('ok')
    expect(result.profile).toBe('host')
    // The authPriv user may not drop to authNoPriv: snmpd answers with an authorizationError.
    const weaker = await pollDevice({ host: '127.0.0.1', port: agent.port, timeoutMs: 1000, retries: 0, v3: { ...authOnly, user: V3.user } })
    expect(weaker.result.status).toBe('auth-failed')
    expect(weaker.result.error).toMatch(/refused access \(AuthorizationError\)/)
  })

  it('reports auth-failed for a wrong v3 auth key, at once, not after a timeout', async () => {
    const { result } = await pollDevice(v3Target(agent.port, { authKey: 'not-the-right-key' }))
    expect(result.status).toBe('auth-failed')
    expect(result.error).toMatch(/127\.0\.0\.1:\d+.*Wrong Digest/)
    expect(result.durationMs).toBeLessThan(900)
  })

  it('reports auth-failed for an unknown v3 user', async () => {
    const { result } = await pollDevice(v3Target(agent.port, { user: 'stranger' }))
    expect(result.status).toBe('auth-failed')
    expect(result.error).toMatch(/Unknown User/i)
  })

  it('reports a timeout, naming the privacy key, when snmpd silently drops what it cannot decrypt', async () => {
    const { result } = await pollDevice(v3Target(agent.port, { privKey: 'not-the-right-key' }))
    expect(result.status).toBe('timeout')
    expect(result.error).toMatch(/wrong privacy key/)
  })

  it('reports a timeout for a wrong community (v2c agents drop it silently)', async () => {
    const { result } = await pollDevice({ host: '127.0.0.1', port: agent.port, community: 'wrong', timeoutMs: 300, retries: 0 })
    expect(result.status).toBe('timeout')
    expect(result.error).toMatch(/wrong community/)
  })
})

describe.skipIf(!snmpsim.available)('devices that fail, next to devices that work', () => {
  let sim: RunningPeer
  const fakes: FakeAgent[] = []
  const printer = path.join(REPO_ROOT, 'agent/fixtures/snmprec/printer-laser-jam.snmprec')
  const sw = path.join(REPO_ROOT, 'agent/fixtures/snmprec/switch-access-24.snmprec')

  beforeAll(async () => {
    sim = await startSnmpsim({ files: [{ source: printer, community: 'printer' }, { source: sw, community: 'switch' }] })
  })
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()))
    await sim?.stop()
  })

  it('gives bad-response for an agent that answers random bytes', async () => {
    const junk = await junkAgent(() => randomBytes(64))
    fakes.push(junk)
    const { result } = await pollDevice({ host: '127.0.0.1', port: junk.port, community: 'printer', timeoutMs: 300, retries: 0 })
    expect(junk.received()).toBeGreaterThan(0)
    expect(result.status).toBe('bad-response')
    expect(result.error).toContain(`127.0.0.1:${junk.port}`)
  })

  it('gives bad-response for answers cut short in the middle of their BER encoding', async () => {
    const truncating = await proxyAgent(sim.port, (answer) => answer.subarray(0, Math.floor(answer.length / 2)))
    fakes.push(truncating)
    const { result } = await pollDevice({ host: '127.0.0.1', port: truncating.port, community: 'printer', timeoutMs: 300, retries: 0 })
    expect(result.status).toBe('bad-response')
  })

  it('keeps what a walk gathered when the agent stops answering midway, with status timeout', async () => {
    // Answers the system GET, the probe and the first GETBULK, then nothing.
    const stopping = await proxyAgent(sim.port, (answer, index) => (index < 3 ? answer : undefined))
    fakes.push(stopping)
    const { result } = await pollDevice({ host: '127.0.0.1', port: stopping.port, community: 'printer', timeoutMs: 300, retries: 0, maxRepetitions: 5 })
    expect(result.status).toBe('timeout')
    expect(result.profile).toBe('printer')
    expect(result.system?.sysName).toBe('PRN-2F-ACCOUNTING')
    expect(result.error).toMatch(/GETBULK/)
  })

  it('a dead port, a junk agent and a wrong community never hold up the devices that answer', async () => {
    const junk = await junkAgent((req) => req.subarray(0, 10))
    fakes.push(junk)
    const deadPort = await freeUdpPort()
    const slow = { timeoutMs: 1500, retries: 1 } // 3 s before the dead ones give up
    const targets: SnmpTarget[] = [
      { id: 'dead', host: '127.0.0.1', port: deadPort, community: 'printer', ...slow, ping: false },
      { id: 'junk', host: '127.0.0.1', port: junk.port, community: 'printer', ...slow, ping: false },
      { id: 'wrong-community', host: '127.0.0.1', port: sim.port, community: 'nope', ...slow, ping: false },
      { id: 'printer', host: '127.0.0.1', port: sim.port, community: 'printer', ping: false },
      { id: 'switch', host: '127.0.0.1', port: sim.port, community: 'switch', ping: false },
    ]
    const published: { at: number; message: SnmpMessage }[] = []
    const started = Date.now()
    const poller = createPoller({
      targets,
      deviceId: 'site-poller-1',
      concurrency: 8,
      flushMs: 50,
      logger: quiet,
      publish: async (kind, message) => {
        expect(kind).toBe('snmp')
        published.push({ at: Date.now() - started, message: validateMessage('snmp', message) })
      },
    })
    const { snmp } = await poller.pollAll()
    const status = Object.fromEntries(snmp.map((r) => [r.target, r.status]))
    expect(status).toEqual({ dead: 'timeout', junk: 'bad-response', 'wrong-community': 'timeout', printer: 'ok', switch: 'ok' })
    const publishedAt = (target: string) => published.find((p) => p.message.results.some((r) => r.target === target))?.at ?? Infinity
    // The working devices were published long before the failing ones had given up.
    expect(publishedAt('printer')).toBeLessThan(1500)
    expect(publishedAt('switch')).toBeLessThan(1500)
    expect(publishedAt('dead')).toBeGreaterThanOrEqual(2900)
    expect(snmp.find((r) => r.target === 'printer')?.durationMs).toBeLessThan(1000)
  })
})
