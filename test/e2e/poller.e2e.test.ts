/**
 * The site poller, end to end: the collector pushes SNMP targets to an agent over MQTT (PUT
 * /api/devices/:id/config); the agent, now a poller, reads a printer and a UPS served by Debian's
 * snmpsim from the project's own recordings, and the collector stores what it found under the
 * polled devices, visible through the API. On each target (embedded; real servers when set).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAgentConfig, startAgent } from '@patrol/agent'
import { commandPeer, waitFor } from '../support/peers.js'
import { startSnmpsim, type RunningPeer } from '../support/snmp-peers.js'
import { apiAuth } from '../support/auth.js'
import { makeTarget, quietLogger, startTestCollector, targets, uniqueName } from '../support/targets.js'

const names = await targets()
const snmpsim = commandPeer('snmpsimd', 'snmpsim')
const fixture = (name: string) => path.resolve(path.dirname(fileURLToPath(import.meta.url)), `../../agent/fixtures/snmprec/${name}.snmprec`)

describe.skipIf(!snmpsim.available).each(names)('site poller on %s', (name) => {
  const target = makeTarget(name)
  let sim: RunningPeer
  const folders: string[] = []
  beforeAll(async () => {
    sim = await startSnmpsim({ files: [{ source: fixture('printer-laser-jam'), community: 'printer' }, { source: fixture('ups-on-battery'), community: 'ups' }] })
  })
  afterAll(async () => {
    await sim?.stop()
    await target.cleanup()
    for (const folder of folders) await rm(folder, { recursive: true, force: true })
  })

  it('polls the targets the collector pushed and files the results under each polled device', async () => {
    const config = await target.config()
    const collector = await startTestCollector(config)
    const { headers } = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-poller-'))
    folders.push(dataDir)
    const pollerId = uniqueName('poller').replace(/_/g, '-')
    const printerId = uniqueName('prn').replace(/_/g, '-')
    const upsId = uniqueName('ups').replace(/_/g, '-')
    const agent = await startAgent(
      loadAgentConfig({ env: {}, overrides: { mqttUrl: collector.mqttUrl, dataDir, topicPrefix: config.topicPrefix, intervalS: 60, deviceId: pollerId, customer: 'acme', site: 'hq', logLevel: 'silent' } }),
      { logger: quietLogger(), firstCycleDelayMs: 0 },
    )
    try {
      await waitFor(async () => (await collector.app.inject({ url: `/api/devices/${pollerId}`, headers })).statusCode === 200, { what: 'the poller agent registered' })
      const push = await collector.app.inject({
        headers,
        method: 'PUT',
        url: `/api/devices/${pollerId}/config`,
        payload: {
          poller: {
            intervalS: 10,
            targets: [
              { id: printerId, host: '127.0.0.1', port: sim.port, community: 'printer', ping: false },
              { id: upsId, host: '127.0.0.1', port: sim.port, community: 'ups', ping: false },
            ],
          },
        },
      })
      expect(push.statusCode).toBe(200)
      const printer = await waitFor(
        async () => {
          const response = await collector.app.inject({ url: `/api/devices/${printerId}`, headers })
          const body = response.statusCode === 200 ? response.json() : undefined
          return body?.state?.printer && body.latest['printer.supply_percent'] ? body : undefined
        },
        { timeoutMs: 45_000, what: 'the printer polled and stored' },
      )
      expect(printer).toMatchObject({ kind: 'snmp', customer: 'acme', site: 'hq', status: 'online' })
      expect(printer.state).toMatchObject({ status: 'ok', profile: 'printer', poller: pollerId })
      // The recording has a jam and low toner; the decoded bits and the supplies arrive intact.
      expect(printer.state.printer.errors).toEqual(expect.arrayContaining(['jammed']))
      expect(printer.state.printer.supplies.length).toBeGreaterThan(0)
      const ups = await waitFor(async () => {
        const response = await collector.app.inject({ url: `/api/devices/${upsId}`, headers })
        const body = response.statusCode === 200 ? response.json() : undefined
        return body?.state?.ups ? body : undefined
      }, { timeoutMs: 30_000, what: 'the UPS polled and stored' })
      expect(ups.state.ups.onBattery).toBe(true)
    } finally {
      await agent.stop()
      await collector.close()
    }
  })
})
