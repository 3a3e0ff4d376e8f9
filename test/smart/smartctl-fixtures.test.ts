/**
 * SMART parsing and verdicts against real `smartctl --json` outputs (../shared/fixtures/smartctl,
 * read in place). Expected figures are the values in those files; verdicts follow their README.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { assessDiskHealth, diskHealthFromPoints, diskHealthToPoints, isKnownMetric, parseSmartctl, parseSmartctlScan, validateMessage, type DiskHealth } from '@patrol/shared'
import { SHARED_FIXTURES, sharedFixturesPeer } from '../support/peers.js'

const peer = sharedFixturesPeer('smartctl')
const DIR = path.join(SHARED_FIXTURES, 'smartctl')
const load = (name: string): unknown => JSON.parse(readFileSync(path.join(DIR, name), 'utf8'))

interface Expectation {
  verdict: 'healthy' | 'warning' | 'failing' | 'unknown'
  health: Partial<DiskHealth>
  /** Substrings each expected somewhere in the reasons. */
  reasons?: string[]
}

const WD_14TB: Expectation = {
  verdict: 'healthy',
  health: {
    device: '/dev/sdb',
    type: 'sat',
    protocol: 'ATA',
    model: 'WDC WD140EDFZ-11A0VA0',
    serial: '9RK1XXXX',
    firmware: '81.00A81',
    capacityBytes: 14000519643136,
    exitStatus: 0,
    passed: true,
    temperatureCelsius: 32,
    powerOnHours: 1730,
    ata: { reallocatedSectors: 0, pendingSectors: 0, offlineUncorrectable: 0, failingNow: [], failedInPast: [] },
  },
}

const EXPECTED: Record<string, Expectation> = {
  'smart-ata.json': WD_14TB,
  'smart-ata-date.json': WD_14TB,
  'smart-ata2.json': {
    verdict: 'healthy',
    health: { device: '/dev/sda', type: 'ata', model: 'X SSD 850 PRO 128GB', serial: 'S24ZN902000L', firmware: 'EB6Q', capacityBytes: 128035676160, passed: true, temperatureCelsius: 32, powerOnHours: 846, ata: { reallocatedSectors: 0, reportedUncorrectable: 0, failingNow: [], failedInPast: [] } },
  },
  'smart-ata-full.json': {
    verdict: 'healthy',
    health: {
      device: '/dev/sda',
      type: 'sat',
      model: 'Samsung SSD 860 EVO 500GB',
      serial: 'S3YZNB0KB00864E',
      firmware: 'RVT02B6Q',
      capacityBytes: 500107862016,
      passed: true,
      temperatureCelsius: 36,
      temperatureLimitCelsius: 70, // SCT op_limit_max
      powerOnHours: 14551,
      ata: { reallocatedSectors: 0, reportedUncorrectable: 0, failingNow: [], failedInPast: [] },
    },
  },
  'smart-nvme.json': {
    verdict: 'healthy',
    health: {
      device: '/dev/testfoobarpass',
      type: 'nvme',
      protocol: 'NVMe',
      model: 'INTEL SSDPEKNW010T8',
      serial: 'BTNH93710FS91P0B',
      firmware: '002C',
      capacityBytes: 1024209543168,
      passed: true,
      temperatureCelsius: 36,
      powerOnHours: 2401,
      nvme: { criticalWarning: 0, mediaErrors: 0, percentageUsed: 0, availableSpare: 100, availableSpareThreshold: 10 },
    },
  },
  // 56 blocks remapped over 43,549 hours: not failing, but worth watching; growth would fail it.
  'smart-scsi.json': {
    verdict: 'warning',
    health: {
      device: '/dev/sdg',
      type: 'scsi',
      protocol: 'SCSI',
      model: 'SEAGATE ST4000NM0043',
      serial: 'Z1Z5DWJK0000XXXXXXXX',
      firmware: 'MS03',
      capacityBytes: 4000787030016,
      passed: true,
      temperatureCelsius: 34,
      temperatureLimitCelsius: 68,
      powerOnHours: 43549,
      scsi: { grownDefects: 56, uncorrectedErrors: 0 },
    },
    reasons: ['SCSI grown defect list 56'],
  },
  // exit status 4 behind the controller: SMART RETURN STATUS failed and smartctl fell back to an
  // attribute check ("This result is based on an Attribute check"): a partial reading, not a fault.
  'smart-megaraid0.json': {
    verdict: 'healthy',
    health: { device: '/dev/sda', type: 'sat+megaraid,0', model: 'WD4000FYYX', firmware: '00.0D1K4', capacityBytes: 4000787030016, exitStatus: 4, passed: true, temperatureCelsius: 36, powerOnHours: 37787, ata: { reallocatedSectors: 0, pendingSectors: 0, offlineUncorrectable: 0, failingNow: [], failedInPast: [] } },
    reasons: ['a SMART command failed (bit 2)', 'smartctl: Warning: This result is based on an Attribute check.'],
  },
  // No smart_status at all; power-on hours only in attribute 9 as "2725 (151 234 0)".
  'smart-sat.json': {
    verdict: 'healthy',
    health: { device: '/dev/sdc', type: 'sat', temperatureCelsius: 29, powerOnHours: 2725, ata: { reallocatedSectors: 0, reportedUncorrectable: 0, commandTimeouts: 0, pendingSectors: 0, offlineUncorrectable: 0, failingNow: [], failedInPast: [] } },
    reasons: ['no overall SMART self-assessment reported'],
  },
  'smart-raid.json': {
    verdict: 'unknown',
    health: { device: '/dev/sdb', type: 'scsi', model: 'Intel Raid 1 Volume', serial: 'Volume1', capacityBytes: 1000202043392, exitStatus: 4 },
    reasons: ['Intel Raid 1 Volume) reports no SMART data', 'RAID volumes'],
  },
  // Windows error 5 is ERROR_ACCESS_DENIED: smartctl was not run as Administrator.
  'smart-fail.json': {
    verdict: 'unknown',
    health: { device: 'smart-fail.json', exitStatus: 2, messages: ['Smartctl open device: /dev/sda failed: \\\\.\\PhysicalDrive0: Open failed, Error=5'] },
    reasons: ['needs root (Linux, macOS) or Administrator (Windows)'],
  },
}

describe.skipIf(!peer.available)('real smartctl outputs (../shared/fixtures/smartctl)', () => {
  const files = peer.available ? readdirSync(DIR).filter((f) => /^smart-.*\.json$/.test(f)) : []

  it('has an expectation for every -x output there', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const health = parseSmartctl(load(file), file)
    expect(health).toMatchObject({ source: 'smartctl', ...expected.health })
    const verdict = assessDiskHealth(health)
    expect(verdict.verdict).toBe(expected.verdict)
    for (const r of expected.reasons ?? []) expect(verdict.reasons.join('\n')).toContain(r)
    // Absence of evidence never reads as failure.
    if (health.passed === undefined && !health.ata && !health.nvme && !health.scsi) expect(verdict.verdict).toBe('unknown')

    const points = diskHealthToPoints(health, verdict, 1_790_000_000_000)
    expect(points.filter((p) => !isKnownMetric(p.metric))).toEqual([])
    validateMessage('metrics', { v: 1, kind: 'metrics', batchId: '00000000-0000-4000-8000-00000000000a', deviceId: 'fixture-host', points })
    const [rebuilt] = diskHealthFromPoints(points)
    expect(assessDiskHealth(rebuilt!).verdict).toBe(expected.verdict)
  })

  it('the RAID volume reports a 0 °C placeholder, which is not taken as a temperature', () => {
    const health = parseSmartctl(load('smart-raid.json'))
    expect(health.temperatureCelsius).toBeUndefined()
    expect(health.temperatureLimitCelsius).toBeUndefined()
  })

  it('the -i outputs carry identity but no health: unknown', () => {
    const nvme = parseSmartctl(load('smartctl_info_nvme.json'))
    expect(nvme).toMatchObject({ device: '/dev/nvme4', type: 'nvme', model: 'KCD61LUL3T84', serial: '61Q0A05UT7B8', firmware: '8002', capacityBytes: 3840755982336, exitStatus: 0 })
    expect(assessDiskHealth(nvme).verdict).toBe('unknown')
    const sata = parseSmartctl(load('smartctl_info_sata_smart_support_bool.json'))
    expect(sata).toMatchObject({ device: '/dev/sata1', type: 'sat', model: 'WD Red SA500 2.5 4TB', serial: '2433274A1T13', firmware: '540400WD', capacityBytes: 4000787030016 })
    expect(assessDiskHealth(sata).verdict).toBe('unknown')
  })

  it('parses the scan outputs into device lists', () => {
    expect(parseSmartctlScan(load('smartctl_scan_simple.json')).map((d) => d.name)).toEqual(['/dev/sda', '/dev/sdb', '/dev/sdc', '/dev/sdd', '/dev/sde', '/dev/sdf', '/dev/sdg'])
    expect(parseSmartctlScan(load('smartctl_scan_simple.json')).every((d) => d.type === 'scsi' && d.protocol === 'SCSI')).toBe(true)
    expect(parseSmartctlScan(load('smartctl_scan_nvme.json'))).toEqual([{ name: '/dev/nvme0', infoName: '/dev/nvme0', type: 'nvme', protocol: 'NVMe' }])
    expect(parseSmartctlScan(load('smartctl_scan_megaraid.json'))).toEqual([
      { name: '/dev/bus/0', infoName: '/dev/bus/0 [megaraid_disk_00]', type: 'megaraid,0', protocol: 'SCSI' },
      { name: '/dev/bus/0', infoName: '/dev/bus/0 [megaraid_disk_01]', type: 'megaraid,1', protocol: 'SCSI' },
    ])
  })
})
