/**
 * Every rule on real readings: the shared smartctl recordings through the agent's own parsing
 * and points (the SMART rules must agree with the agent's verdict), the SNMP recordings served by
 * snmpsim and polled by the agent's poller (printer, UPS, switch), and recorded-shape series
 * for the rest.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assessDiskHealth, diskHealthToPoints, parseSmartctl, type SnmpResult } from '@patrol/shared'
import { pollDevice } from '../../agent/src/snmp/poll.js'
import { resolveParams, RULES_BY_ID, type DeviceSnapshot, type Finding } from '../../collector/src/rules/index.js'
import { commandPeer, REPO_ROOT, SHARED_FIXTURES, sharedFixturesPeer } from '../support/peers.js'
import { startSnmpsim, type RunningPeer } from '../support/snmp-peers.js'
import { fromSnmp, series, snapshot, withPoints } from './snapshots.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const MIN = 60_000
const H = 3_600_000

function run(id: string, snap: DeviceSnapshot, overrides: Record<string, unknown> = {}, now = NOW): Finding[] {
  const rule = RULES_BY_ID.get(id)
  if (!rule) throw new Error(`no rule ${id}`)
  return rule.evaluate(snap, resolveParams(rule, overrides) as never, now)
}

const smart = sharedFixturesPeer('smartctl')
describe.skipIf(!smart.available)('SMART rules on the shared smartctl recordings', () => {
  const dir = path.join(SHARED_FIXTURES, 'smartctl')
  const files = smart.available ? readdirSync(dir).filter((f) => f.startsWith('smart') && f.endsWith('.json') && !f.includes('scan')) : []

  it.each(files)('%s: the rules say what the agent says', (file) => {
    const health = parseSmartctl(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), file)
    const verdict = assessDiskHealth(health)
    const snap = withPoints(diskHealthToPoints(health, verdict, NOW - MIN))
    const failing = run('smart-failing', snap)
    const degrading = run('smart-degrading', snap)
    expect(failing.length, `${file}: verdict ${verdict.verdict}`).toBe(verdict.verdict === 'failing' ? 1 : 0)
    expect(degrading.length, `${file}: verdict ${verdict.verdict}`).toBe(verdict.verdict === 'warning' ? 1 : 0)
    if (failing[0]) expect(failing[0].readings.reasons).toEqual(verdict.reasons)
  })

  it('the recordings include a disk the rules flag and healthy ones, so the test above can fail', () => {
    const verdicts = files.map((f) => assessDiskHealth(parseSmartctl(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))).verdict)
    expect(verdicts).toContain('warning')
    expect(verdicts).toContain('healthy')
  })

  it('smart-failing fires on a recorded disk whose self-assessment then fails', () => {
    const health = { ...parseSmartctl(JSON.parse(readFileSync(path.join(dir, 'smart-ata.json'), 'utf8'))), passed: false }
    const found = run('smart-failing', withPoints(diskHealthToPoints(health, assessDiskHealth(health), NOW - MIN)))
    expect(found).toHaveLength(1)
    expect(found[0]!.title).toMatch(/FAILED/)
    expect(run('smart-degrading', withPoints(diskHealthToPoints(health, assessDiskHealth(health), NOW - MIN)))).toEqual([])
  })

  it('smart-degrading sees sectors growing against an older reading', () => {
    const health = parseSmartctl(JSON.parse(readFileSync(path.join(dir, 'smart-ata.json'), 'utf8')))
    expect(assessDiskHealth(health).verdict).toBe('healthy')
    const older = { ...health, ata: { ...health.ata!, reallocatedSectors: 1, pendingSectors: 0 } }
    const newer = { ...health, ata: { ...health.ata!, reallocatedSectors: 6, pendingSectors: 0 } }
    const points = [...diskHealthToPoints(older, assessDiskHealth(older), NOW - 20 * H), ...diskHealthToPoints(newer, assessDiskHealth(newer), NOW - MIN)]
    const found = run('smart-degrading', withPoints(points))
    expect(found).toHaveLength(1)
    expect(String(found[0]!.readings.reasons)).toMatch(/Reallocated/)
  })
})

const simulator = commandPeer('snmpsimd', 'snmpsim')
const sharedSnmp = sharedFixturesPeer('snmprec')
describe.skipIf(!simulator.available)('printer, UPS and switch rules on SNMP recordings polled through snmpsim', () => {
  const OWN = path.join(REPO_ROOT, 'agent/fixtures/snmprec')
  const files = [
    ...['printer-laser-jam', 'ups-on-battery', 'ups-apc-powernet', 'switch-access-24'].map((n) => ({ source: path.join(OWN, `${n}.snmprec`), community: n })),
    ...(sharedSnmp.available ? [{ source: path.join(SHARED_FIXTURES, 'snmprec/printer-epson-wf-c5790.snmprec'), community: 'epson' }] : []),
  ]
  let sim: RunningPeer
  const results = new Map<string, SnmpResult>()
  beforeAll(async () => {
    sim = await startSnmpsim({ files })
    for (const f of files) results.set(f.community, (await pollDevice({ host: '127.0.0.1', port: sim.port, community: f.community, timeoutMs: 3000, retries: 1 })).result)
  }, 60_000)
  afterAll(async () => {
    await sim?.stop()
  })
  const snap = (community: string) => {
    const r = results.get(community)
    expect(r?.status, r?.error).toBe('ok')
    return fromSnmp(r!)
  }

  it('a jammed laser printer: paper jam and toner low, nothing it does not report', () => {
    const s = snap('printer-laser-jam')
    expect((s.state!.printer as { errors: string[] }).errors).toContain('jammed')
    expect(run('printer-paper-jam', s)).toHaveLength(1)
    expect(run('printer-no-paper', s)).toEqual([])
    expect(run('printer-door-open', s)).toEqual([])
    expect(run('printer-offline', s)).toEqual([])
  })

  it.skipIf(!sharedSnmp.available)('the shared Epson recording: all four inks at 1 % are low, not empty, and the printer is otherwise fine', () => {
    const s = snap('epson')
    const low = run('printer-supply-low', s)
    expect(low.length).toBe(4)
    expect(run('printer-supply-empty', s)).toEqual([])
    for (const id of ['printer-paper-jam', 'printer-no-paper', 'printer-door-open', 'printer-offline', 'printer-service-requested']) expect(run(id, s), id).toEqual([])
    expect(run('printer-supply-low', s, { belowPercent: 1 })).toEqual([])
  })

  it('a UPS on battery raises on-battery; the mains-powered one does not', () => {
    expect(run('ups-on-battery', snap('ups-on-battery'))).toHaveLength(1)
    expect(run('ups-on-battery', snap('ups-apc-powernet'))).toEqual([])
  })

  it('UPS runtime and self-test follow the recorded values and the thresholds', () => {
    // The on-battery recording reports its battery low (upsBatteryStatus 3): raised whatever the runtime.
    const onBattery = snap('ups-on-battery')
    expect(run('ups-low-runtime', onBattery, { minRuntimeS: 0 })[0]!.readings.batteryLow).toBe(true)
    const mains = snap('ups-apc-powernet')
    const runtime = (mains.state!.ups as { runtimeS?: number }).runtimeS
    expect(runtime).toBeGreaterThan(0)
    expect(run('ups-low-runtime', mains, { minRuntimeS: runtime! + 1 })).toHaveLength(1)
    expect(run('ups-low-runtime', mains, { minRuntimeS: Math.max(0, runtime! - 1) })).toHaveLength(0)
    const selfTest = (snap('ups-apc-powernet').state!.ups as { lastSelfTest?: string }).lastSelfTest
    expect(run('ups-self-test-failed', snap('ups-apc-powernet')).length).toBe(/fail/i.test(selfTest ?? '') ? 1 : 0)
  })

  it('a switch: a down port counts only when marked important and enabled', () => {
    const s = snap('switch-access-24')
    const ifs = s.state!.interfaces as { name: string; adminStatus: string; operStatus: string }[]
    const down = ifs.find((i) => i.adminStatus === 'up' && i.operStatus !== 'up')
    const up = ifs.find((i) => i.operStatus === 'up')
    expect(down, 'the recording has an enabled port that is down').toBeDefined()
    expect(run('interface-down', s)).toEqual([])
    expect(run('interface-down', s, { ports: [down!.name] }).map((f) => f.instance)).toEqual([down!.name])
    expect(run('interface-down', { ...s, device: { ...s.device, importantPorts: [up!.name] } })).toEqual([])
  })
})

describe('rules on series', () => {
  it('filesystem: warning and critical levels', () => {
    const s = withPoints([
      { ts: NOW, metric: 'fs.used_percent', instance: 'C:', value: 91 },
      { ts: NOW, metric: 'fs.used_percent', instance: 'D:', value: 98 },
      { ts: NOW, metric: 'fs.used_percent', instance: 'E:', value: 50 },
    ])
    expect(run('fs-nearly-full', s).map((f) => [f.instance, f.level])).toEqual([['C:', 'L3'], ['D:', 'L2']])
  })

  it('filesystem: days until full from the trend', () => {
    // 1 % a day from 80 %: 20 days left — no ticket at 14 days, a ticket at 30.
    const s = withPoints(series('fs.used_percent', '/', NOW - 72 * H, NOW, 600, (t) => 80 - ((NOW - t) / 86_400_000) * 1))
    expect(run('fs-days-until-full', s)).toEqual([])
    const found = run('fs-days-until-full', s, { days: 30 })
    expect(found).toHaveLength(1)
    expect(found[0]!.readings.daysLeft).toBeCloseTo(20, 1)
    // A shrinking filesystem is never "full soon"; too short a history says nothing.
    expect(run('fs-days-until-full', withPoints(series('fs.used_percent', '/', NOW - 72 * H, NOW, 600, (t) => 80 + (NOW - t) / 86_400_000)), { days: 1000 })).toEqual([])
    expect(run('fs-days-until-full', withPoints(series('fs.used_percent', '/', NOW - H, NOW, 60, (t) => 99 - (NOW - t) / H)), { days: 1000 })).toEqual([])
  })

  it('device offline: Last Will at once; silence only after missed reports plus grace', () => {
    expect(run('device-offline', snapshot({ device: { status: 'offline', statusReason: 'lost' } }))).toHaveLength(1)
    const silent = (s: number) => snapshot({ device: { lastSeen: NOW - s * 1000, reportIntervalS: 60 } })
    expect(run('device-offline', silent(299))).toEqual([])
    expect(run('device-offline', silent(301))).toHaveLength(1)
  })

  it('ping loss and latency only when sustained over the window', () => {
    const lossy = withPoints(series('ping.loss_percent', '', NOW - 10 * MIN, NOW, 30, () => 40))
    expect(run('ping-loss', lossy)).toHaveLength(1)
    const spike = withPoints(series('ping.loss_percent', '', NOW - 10 * MIN, NOW, 30, (t) => (t === NOW ? 40 : 0)))
    expect(run('ping-loss', spike)).toEqual([])
    const short = withPoints(series('ping.loss_percent', '', NOW - MIN, NOW, 30, () => 40))
    expect(run('ping-loss', short)).toEqual([])
    expect(run('ping-latency', withPoints(series('ping.rtt_ms', '', NOW - 10 * MIN, NOW, 30, () => 350)))).toHaveLength(1)
    expect(run('ping-latency', withPoints(series('ping.rtt_ms', '', NOW - 10 * MIN, NOW, 30, () => 20)))).toEqual([])
  })

  it('CPU, memory and temperature high for a sustained period, not for a spike', () => {
    expect(run('cpu-high', withPoints(series('cpu.load_percent', '', NOW - 20 * MIN, NOW, 60, () => 99)))).toHaveLength(1)
    expect(run('cpu-high', withPoints(series('cpu.load_percent', '', NOW - 20 * MIN, NOW, 60, (t) => (t > NOW - 5 * MIN ? 99 : 30))))).toEqual([])
    expect(run('memory-high', withPoints(series('host.memory_used_percent', '', NOW - 20 * MIN, NOW, 60, () => 97)))).toHaveLength(1)
    expect(run('temperature-high', withPoints(series('smart.temperature_celsius', '/dev/sda', NOW - 20 * MIN, NOW, 60, () => 90)))[0]!.instance).toBe('smart.temperature_celsius|/dev/sda')
  })

  it('interface errors: rising above the floor', () => {
    const rising = withPoints(series('if.in_errors', 'Gi0/1', NOW - 30 * MIN, NOW, 60, (t) => (t > NOW - 15 * MIN ? 50 : 2)))
    expect(run('interface-errors', rising)).toHaveLength(1)
    const steady = withPoints(series('if.in_errors', 'Gi0/1', NOW - 30 * MIN, NOW, 60, () => 50))
    expect(run('interface-errors', steady)).toEqual([])
  })

  it('battery wear and warranty', () => {
    expect(run('battery-wear', withPoints([{ ts: NOW, metric: 'battery.wear_percent', instance: 'BAT0', value: 45 }]))).toHaveLength(1)
    expect(run('battery-wear', withPoints([{ ts: NOW, metric: 'battery.wear_percent', instance: 'BAT0', value: 12 }]))).toEqual([])
    expect(run('warranty-expiring', snapshot({ device: { warrantyEnd: '2026-12-10' } }))).toHaveLength(1)
    expect(run('warranty-expiring', snapshot({ device: { warrantyEnd: '2027-06-30' } }))).toEqual([])
    expect(run('warranty-expiring', snapshot({ device: { warrantyEnd: '2026-01-01' } }))[0]!.title).toMatch(/ended/)
  })
})
