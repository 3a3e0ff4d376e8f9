/**
 * Every recording — the shared ones of real devices and the project's own — served by snmpsim
 * and polled by the agent's poller, then compared with the values the recording file holds.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { isKnownMetric, validateMessage, type SnmpResult } from '@patrol/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pollDevice } from '../../agent/src/snmp/poll.js'
import { commandPeer, REPO_ROOT, SHARED_FIXTURES, sharedFixturesPeer } from '../support/peers.js'
import { startSnmpsim, type RunningPeer } from '../support/snmp-peers.js'
import { columnIndexes, readSnmprec, recordedNumber, recordedText } from './snmprec.js'

const OWN = path.join(REPO_ROOT, 'agent/fixtures/snmprec')
const SHARED = path.join(SHARED_FIXTURES, 'snmprec')
const simulator = commandPeer('snmpsimd', 'snmpsim')
const shared = sharedFixturesPeer('snmprec')

const list = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.snmprec')).map((f) => path.join(dir, f))
const recordings = [...list(OWN), ...(shared.available ? list(SHARED) : [])]
// Shared and own files could share a name; the community must tell them apart.
const communityOf = (file: string) => `${file.startsWith(SHARED) ? 'shared-' : 'own-'}${path.basename(file, '.snmprec')}`

const SUPPLIES = '1.3.6.1.2.1.43.11.1.1'
const IF = '1.3.6.1.2.1.2.2.1'
const IFX = '1.3.6.1.2.1.31.1.1.1'

describe.skipIf(!simulator.available)('recordings served by snmpsim', () => {
  let sim: RunningPeer
  const results = new Map<string, SnmpResult>()

  beforeAll(async () => {
    sim = await startSnmpsim({ files: recordings.map((source) => ({ source, community: communityOf(source) })) })
    for (const file of recordings) {
      const { result } = await pollDevice({ host: '127.0.0.1', port: sim.port, community: communityOf(file), timeoutMs: 3000, retries: 1 })
      results.set(file, result)
    }
  })
  afterAll(async () => {
    await sim?.stop()
  })

  it('finds the project’s own recordings and, in CI, the shared ones', () => {
    expect(list(OWN).length).toBeGreaterThanOrEqual(5)
    if (shared.available) expect(list(SHARED).length).toBeGreaterThanOrEqual(1)
  })

  describe.each(recordings.map((file) => [path.relative(path.dirname(REPO_ROOT), file), file]))('%s', (_name, file) => {
    const rec = readSnmprec(file)
    const result = () => {
      const r = results.get(file)
      if (!r) throw new Error(`no result for ${file}`)
      return r
    }

    it('polls ok and builds a message the contract accepts', () => {
      expect(result().status, result().error).toBe('ok')
      expect(result().system?.sysDescr).toBe(recordedText(rec, '1.3.6.1.2.1.1.1.0'))
      validateMessage('snmp', { v: 1, batchId: '8d6f0e2a-6a43-4a63-9d4e-3f0c2b1a9e77', deviceId: 'poller-1', kind: 'snmp', results: [result()] })
      expect(result().points.length).toBeGreaterThan(0)
      for (const point of result().points) expect(isKnownMetric(point.metric), point.metric).toBe(true)
    })

    it('parses every prtMarkerSuppliesTable row as recorded', () => {
      const rows = columnIndexes(rec, SUPPLIES, 9)
      if (rows.length === 0) return expect(result().printer?.supplies ?? []).toEqual([])
      const supplies = result().printer?.supplies ?? []
      expect(supplies).toHaveLength(rows.length)
      for (const row of rows) {
        const index = Number(row.split('.').at(-1))
        const supply = supplies.find((s) => s.index === index)
        const level = recordedNumber(rec, `${SUPPLIES}.9.${row}`)!
        const max = recordedNumber(rec, `${SUPPLIES}.8.${row}`)!
        expect(supply, `supply ${row}`).toMatchObject({ level, maxCapacity: max, description: recordedText(rec, `${SUPPLIES}.6.${row}`) })
        const expected = level >= 0 && max > 0 ? Math.round(Math.min(100, (level / max) * 100) * 10) / 10 : null
        expect(supply?.percent, `percent of supply ${row}`).toBe(expected)
      }
    })

    it('decodes hrPrinterDetectedErrorState bit by bit as recorded', () => {
      const recorded = rec.get('1.3.6.1.2.1.25.3.5.1.2.1')
      if (!recorded) return
      const octets = recorded.type === '4x' ? Buffer.from(recorded.raw, 'hex') : Buffer.from(recorded.raw, 'latin1')
      const names = ['lowPaper', 'noPaper', 'lowToner', 'noToner', 'doorOpen', 'jammed', 'offline', 'serviceRequested', 'inputTrayMissing', 'outputTrayMissing', 'markerSupplyMissing', 'outputNearFull', 'outputFull', 'inputTrayEmpty', 'overduePreventMaint']
      const expected = names.filter((_n, bit) => ((octets[bit >> 3] ?? 0) & (0x80 >> bit % 8)) !== 0)
      expect(result().printer?.errors).toEqual(expected)
    })

    it('reads every interface as recorded, for the profiles that report interfaces', () => {
      if (!result().interfaces) return
      const rows = columnIndexes(rec, IF, 8)
      expect(result().interfaces).toHaveLength(rows.length)
      const status: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' }
      for (const row of rows) {
        const iface = result().interfaces?.find((i) => i.index === Number(row))
        expect(iface?.name).toBe(recordedText(rec, `${IFX}.1.${row}`) || recordedText(rec, `${IF}.2.${row}`))
        expect(iface?.operStatus).toBe(status[recordedNumber(rec, `${IF}.8.${row}`)!])
        expect(iface?.adminStatus).toBe(status[recordedNumber(rec, `${IF}.7.${row}`)!])
        const alias = recordedText(rec, `${IFX}.18.${row}`)
        if (alias) expect(iface?.alias).toBe(alias)
      }
    })
  })

  const own = (name: string) => results.get(path.join(OWN, `${name}.snmprec`))!

  it('laser printer: toner low, a jam, every special value, alerts, trays and page count', () => {
    const printer = own('printer-laser-jam').printer!
    expect(own('printer-laser-jam').profile).toBe('printer')
    expect(printer.errors).toEqual(['lowToner', 'jammed', 'inputTrayMissing', 'overduePreventMaint'])
    expect(printer.supplies.map((s) => [s.description.split(' ')[0], s.colour ?? null, s.percent, s.state])).toEqual([
      ['Black', 'black', 8, 'ok'],
      ['Cyan', 'cyan', 55, 'ok'],
      ['Magenta', 'magenta', null, 'some-remaining'],
      ['Yellow', 'yellow', null, 'ok'],
      ['Toner', null, null, 'other'],
      ['Imaging', null, null, 'unknown'],
      ['Fuser', null, 0, 'empty'],
      ['Transfer', null, 100, 'ok'],
    ])
    expect(printer.deviceStatus).toBe('down')
    expect(printer.pageCount).toBe(123456)
    expect(printer.alerts.map((a) => [a.index, a.severity, a.trainingLevel, a.code])).toEqual([
      [1, 'critical', 'untrained', 'jam'],
      [2, 'warning', 'untrained', 'markerTonerAlmostEmpty'],
      [4, 'critical', 'untrained', 'inputMediaTrayMissing'],
      [5, 'warning', 'fieldService', 'other'],
    ])
    expect(printer.trays.map((t) => [t.name, t.level, t.maxCapacity, t.percent])).toEqual([
      ['Tray 1 (multi-purpose)', -3, 100, null],
      ['Tray 2', 125, 250, 50],
      ['Tray 3', 0, 500, 0],
      ['Manual feed', -2, -2, null],
      ['Envelope feeder', -1, -1, null],
    ])
  })

  it('switch: names from ifXTable, 10G speed from ifHighSpeed, status per port', () => {
    const result = own('switch-access-24')
    expect(result.profile).toBe('switch')
    const te = result.interfaces!.find((i) => i.name === 'Te1/1/1')
    expect(te).toMatchObject({ speedBps: 10_000_000_000, alias: 'uplink to core', operStatus: 'up' })
    expect(result.interfaces!.find((i) => i.name === 'Gi1/0/1')).toMatchObject({ adminStatus: 'up', operStatus: 'down', lastChangeS: 9_870_000 })
  })

  it('UPS on battery (RFC 1628) and APC on line (PowerNet)', () => {
    expect(own('ups-on-battery').ups).toEqual({ outputSource: 'battery', onBattery: true, secondsOnBattery: 340, batteryStatus: 'batteryLow', chargePercent: 64, runtimeS: 1080, loadPercent: 37, inputVoltage: 0, lastSelfTest: 'donePass' })
    expect(own('ups-apc-powernet').ups).toMatchObject({ onBattery: false, batteryStatus: 'batteryNormal', chargePercent: 100, runtimeS: 3240, loadPercent: 23, inputVoltage: 229, lastSelfTest: 'donePass' })
  })

  it('host: storage with Integer32 wrap read unsigned, CPU, memory, load', () => {
    const host = own('host-linux-nas').hostResources!
    expect(host.storage.find((s) => s.description === '/volume1')).toMatchObject({ sizeBytes: 3_000_000_000 * 4096, usedPercent: 90 })
    expect(host).toMatchObject({ cpuLoadPercent: 21, memoryUsedPercent: 75, loadAverage1m: 0.42 })
  })

  it.skipIf(!shared.available)('Epson WF-C5790 as MANIFEST.md expects', () => {
    const result = results.get(path.join(SHARED, 'printer-epson-wf-c5790.snmprec'))!
    const printer = result.printer!
    expect(printer.supplies.map((s) => [s.index, s.description.replace(/ T9.*$/, ''), s.type, s.level, s.maxCapacity, s.percent])).toEqual([
      [1, 'Black Ink Supply Unit', 'ink', 1, 100, 1],
      [2, 'Cyan Ink Supply Unit', 'ink', 1, 100, 1],
      [3, 'Magenta Ink Supply Unit', 'ink', 1, 100, 1],
      [4, 'Yellow Ink Supply Unit', 'ink', 1, 100, 1],
    ])
    expect(printer.errors).toEqual([])
    expect(printer.deviceStatus).toBe('warning')
    expect(printer.pageCount).toBeUndefined()
    expect(printer.trays.map((t) => [t.name, t.maxCapacity, t.level, t.percent])).toEqual([
      ['Rear Auto Sheet Feeder', 80, -2, null],
      ['Sheet feeder bin 1', 250, -2, null],
    ])
  })

  it('keeps its recordings sorted by OID, as snmpsim needs', () => {
    for (const file of list(OWN)) {
      const oids = [...readSnmprec(file).keys()]
      const sorted = [...oids].sort((a, b) => {
        const x = a.split('.').map(Number)
        const y = b.split('.').map(Number)
        for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
        return x.length - y.length
      })
      expect(oids, file).toEqual(sorted)
    }
  })
})
