import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { requirePeer, tcpReachable } from '../../test/support/peers.js'
import { defineCollector, NotApplicable } from './collectors/collector.js'
import { loadAgentConfig } from './config.js'
import { formatReport, runDoctor } from './doctor.js'

const broker = requirePeer('mosquitto on 127.0.0.1:1883', await tcpReachable('127.0.0.1', 1883), 'mosquitto -d -c /etc/mosquitto/mosquitto.conf')
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patrol-doctor-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const collectors = [
  defineCollector({ name: 'reads', every: 'cycle', collect: async ({ now }) => ({ points: [{ ts: now, metric: 'system.processes', value: 1 }] }) }),
  defineCollector({ name: 'absent', every: 'cycle', collect: async () => { throw new NotApplicable('no battery') } }),
  defineCollector({ name: 'broken', every: 'cycle', collect: async () => { throw new Error('permission denied reading /dev/sda') } }),
]

describe.skipIf(!broker.available)('agent doctor', () => {
  it('reports each check and what each collector can read, exit 0 with the broker reachable', async () => {
    const report = await runDoctor(loadAgentConfig({ env: {}, overrides: { dataDir } }), { collectors, brokerTimeoutMs: 3000 })
    const byName = new Map(report.checks.map((c) => [c.name, c]))
    expect(report.exitCode).toBe(0)
    expect(byName.get('config')?.status).toBe('ok')
    expect(byName.get('broker')?.status).toBe('ok')
    expect(byName.get('data folder')?.status).toBe('ok')
    expect(['ok', 'warn', 'n/a']).toContain(byName.get('smart')?.status)
    expect(byName.get('collector reads')?.status).toBe('ok')
    expect(byName.get('collector absent')).toMatchObject({ status: 'n/a', detail: expect.stringMatching(/^no battery/) })
    expect(byName.get('collector broken')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/permission denied reading \/dev\/sda/) })
    expect(formatReport(report)).toMatch(/^FAIL {2}collector broken/m)
  })

  it('fails the data folder check where it cannot write', async () => {
    const file = path.join(dataDir, 'a-file')
    writeFileSync(file, '')
    const report = await runDoctor(loadAgentConfig({ env: {}, overrides: { dataDir: path.join(file, 'data') } }), { collectors: [], brokerTimeoutMs: 3000 })
    expect(report.checks.find((c) => c.name === 'data folder')?.status).toBe('fail')
  })
})
