import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isKnownMetric } from '../metrics-catalogue.js'
import { validateMessage } from '../messages.js'
import {
  assessDiskHealth,
  diskHealthFromPoints,
  diskHealthToPoints,
  diskInstance,
  parseDiskInstance,
  parseSmartctl,
  parseSmartctlScan,
  rawAttributeNumber,
  SMART_METRICS,
  type DiskHealth,
} from './index.js'

// The project's own hand-made fixtures, so these tests run on a fresh clone without ../shared.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../agent/fixtures/smartctl')
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'))
const parsed = (name: string) => parseSmartctl(fixture(name))

describe('rawAttributeNumber', () => {
  it('reads the decoded first number, not the packed 48-bit raw value', () => {
    expect(rawAttributeNumber(194, { value: 163210330144, string: '32 (Min/Max 24/38)' })).toBe(32)
    expect(rawAttributeNumber(9, { value: 167031278144165, string: '2725 (151 234 0)' })).toBe(2725)
    expect(rawAttributeNumber(9, { value: 220237656235212, string: '19612h+49m+51.279s' })).toBe(19612)
  })
  it("decodes Seagate's 188 triplet like Scrutiny, other triplets by their first counter", () => {
    expect(rawAttributeNumber(188, { value: 12884901888, string: '0 0 3' })).toBe(3)
    expect(rawAttributeNumber(188, { value: 1, string: '5 2 1' })).toBe(5)
    expect(rawAttributeNumber(5, { value: 1, string: '7 8 9' })).toBe(7)
  })
  it('falls back to raw.value when there is no string, and rejects garbage', () => {
    expect(rawAttributeNumber(5, { value: 12 })).toBe(12)
    expect(rawAttributeNumber(5, { value: -3 })).toBeUndefined()
    expect(rawAttributeNumber(5, 'x')).toBeUndefined()
  })
})

describe('own fixtures', () => {
  it('parses a degrading Seagate: raw counts, packed temperature, h+m+s power-on time, Seagate 188', () => {
    const h = parsed('ata-degrading-after.json')
    expect(h).toMatchObject({
      device: '/dev/sda',
      type: 'sat',
      protocol: 'ATA',
      model: 'ST2000DM001-1CH164',
      serial: 'Z1E8PATR',
      firmware: 'CC27',
      capacityBytes: 2000398934016,
      exitStatus: 64,
      passed: true,
      temperatureCelsius: 34,
      powerOnHours: 19613,
    })
    expect(h.ata).toMatchObject({ reallocatedSectors: 24, reportedUncorrectable: 4, commandTimeouts: 3, pendingSectors: 16, offlineUncorrectable: 16 })
  })

  it('judges the same disk failing on its counts alone, and names the growth against the previous reading', () => {
    const before = parsed('ata-degrading-before.json')
    const after = parsed('ata-degrading-after.json')
    expect(assessDiskHealth(before).verdict).toBe('warning')
    const v = assessDiskHealth(after, before)
    expect(v.verdict).toBe('failing')
    expect(v.reasons).toContain('5 Reallocated_Sector_Ct raw 24 (was 8): at or above 16')
    expect(v.reasons).toContain('197 Current_Pending_Sector raw 16 (was 2): at or above 3')
    expect(v.reasons).toContain('187 Reported_Uncorrect raw 4 (was 1): still growing')
    expect(v.reasons.some((r) => r.includes('error log has entries (bit 6)'))).toBe(true)
  })

  it('escalates growth below the failing limits: 2 → 3 reallocated is failing, 0 → 1 only a warning', () => {
    const base = parsed('ata-one-pending-sector.json')
    const withRealloc = (n: number): DiskHealth => ({ ...base, ata: { ...base.ata!, pendingSectors: 0, reallocatedSectors: n } })
    expect(assessDiskHealth(withRealloc(3), withRealloc(2))).toEqual({ verdict: 'failing', reasons: ['5 Reallocated_Sector_Ct raw 3 (was 2): still growing'] })
    expect(assessDiskHealth(withRealloc(1), withRealloc(0))).toEqual({ verdict: 'warning', reasons: ['5 Reallocated_Sector_Ct raw 1 (was 0)'] })
    expect(assessDiskHealth(withRealloc(0), withRealloc(0))).toEqual({ verdict: 'healthy', reasons: [] })
  })

  it('does not compare two different disks that happen to share a device path', () => {
    const before = parsed('ata-degrading-before.json')
    const other = { ...parsed('ata-degrading-after.json'), serial: 'SOMEONE-ELSE' }
    expect(assessDiskHealth(other, before).reasons.join('\n')).not.toContain('(was')
  })

  it('one pending sector on an otherwise healthy disk is a warning', () => {
    expect(assessDiskHealth(parsed('ata-one-pending-sector.json'))).toEqual({ verdict: 'warning', reasons: ['197 Current_Pending_Sector raw 1'] })
  })

  it('a failed self-assessment with an attribute below threshold now is failing, with both reasons', () => {
    const h = parsed('ata-failed-self-assessment.json')
    expect(h.passed).toBe(false)
    expect(h.ata?.failingNow).toEqual([{ id: 5, name: 'Reallocated_Sector_Ct', value: 5, threshold: 10 }])
    const v = assessDiskHealth(h)
    expect(v.verdict).toBe('failing')
    expect(v.reasons[0]).toBe('SMART overall-health self-assessment: FAILED')
    expect(v.reasons).toContain('5 Reallocated_Sector_Ct normalized 5 at or below threshold 10 now')
    expect(v.reasons).toContain('5 Reallocated_Sector_Ct raw 1912: at or above 16')
  })

  it('NVMe with critical_warning bit 0 and spare below threshold is failing', () => {
    const h = parsed('nvme-spare-below-threshold.json')
    expect(h.nvme).toEqual({ criticalWarning: 1, mediaErrors: 3, percentageUsed: 97, availableSpare: 5, availableSpareThreshold: 10 })
    expect(h.capacityBytes).toBe(500107862016)
    const v = assessDiskHealth(h)
    expect(v.verdict).toBe('failing')
    expect(v.reasons).toEqual(
      expect.arrayContaining([
        'NVMe critical_warning 0x1: available spare below threshold (bit 0)',
        'NVMe available_spare 5% below its threshold 10%',
        'NVMe media_errors 3',
        'NVMe percentage_used 97%',
      ]),
    )
  })

  it('NVMe temperature warning bit alone is a warning, not failing', () => {
    const h: DiskHealth = { device: '/dev/nvme0', source: 'smartctl', messages: [], passed: true, nvme: { criticalWarning: 2, availableSpare: 100, availableSpareThreshold: 10 } }
    expect(assessDiskHealth(h)).toEqual({ verdict: 'warning', reasons: ['NVMe critical_warning 0x2: temperature outside its limits (bit 1)'] })
  })

  it('a SAS disk with grown defects and uncorrected reads is a warning; more defects next hour is failing', () => {
    const h = parsed('sas-grown-defects.json')
    expect(h.scsi).toEqual({ grownDefects: 312, uncorrectedErrors: 2 })
    expect(h.temperatureLimitCelsius).toBe(85)
    expect(assessDiskHealth(h)).toEqual({ verdict: 'warning', reasons: ['SCSI grown defect list 312', 'SCSI total uncorrected errors 2'] })
    const later = { ...h, scsi: { ...h.scsi, grownDefects: 340 } }
    expect(assessDiskHealth(later, h)).toMatchObject({ verdict: 'failing', reasons: ['SCSI grown defect list 340 (was 312): still growing', 'SCSI total uncorrected errors 2'] })
  })

  it('a virtual disk smartctl cannot type is unknown, with smartctl’s message', () => {
    const h = parseSmartctl(fixture('virtio-no-device-type.json'), '/dev/vda')
    expect(h.device).toBe('/dev/vda')
    const v = assessDiskHealth(h)
    expect(v.verdict).toBe('unknown')
    expect(v.reasons[0]).toBe('smartctl: /dev/vda: Unable to detect device type')
    expect(v.reasons[1]).toContain('exit status 1, bit 0')
  })

  it('permission denied is unknown and says smartctl needs root', () => {
    const v = assessDiskHealth(parseSmartctl(fixture('permission-denied.json'), '/dev/sda'))
    expect(v.verdict).toBe('unknown')
    expect(v.reasons.join('\n')).toMatch(/needs root/)
  })

  it('hot disk: at or above the drive limit warns, below does not', () => {
    const h = parsed('sas-grown-defects.json')
    const clean = { ...h, scsi: { grownDefects: 0, uncorrectedErrors: 0 } }
    expect(assessDiskHealth({ ...clean, temperatureCelsius: 84 }).verdict).toBe('healthy')
    expect(assessDiskHealth({ ...clean, temperatureCelsius: 85 })).toEqual({ verdict: 'warning', reasons: ["temperature 85 °C at or above the drive's limit 85 °C"] })
  })

  it('parses a scan into devices with their -d types', () => {
    expect(parseSmartctlScan(fixture('scan-mixed.json'))).toEqual([
      { name: '/dev/sda', type: 'sat', protocol: 'ATA', infoName: '/dev/sda [SAT]' },
      { name: '/dev/nvme0', type: 'nvme', protocol: 'NVMe', infoName: '/dev/nvme0' },
      { name: '/dev/bus/0', type: 'megaraid,0', protocol: 'SCSI', infoName: '/dev/bus/0 [megaraid_disk_00]' },
      { name: '/dev/bus/0', type: 'megaraid,1', protocol: 'SCSI', infoName: '/dev/bus/0 [megaraid_disk_01]' },
    ])
    expect(parseSmartctlScan({ smartctl: { exit_status: 0 } })).toEqual([])
  })
})

describe('points', () => {
  const all = ['ata-degrading-after.json', 'ata-failed-self-assessment.json', 'ata-one-pending-sector.json', 'nvme-spare-below-threshold.json', 'sas-grown-defects.json', 'virtio-no-device-type.json']

  it.each(all)('%s: points are valid, catalogued, and rebuild into the same verdict', (name) => {
    const h = parseSmartctl(fixture(name), '/dev/vda')
    const verdict = assessDiskHealth(h)
    const ts = 1_790_000_000_000
    const points = diskHealthToPoints(h, verdict, ts)
    expect(points.every((p) => isKnownMetric(p.metric) && p.instance === diskInstance(h) && p.ts === ts)).toBe(true)
    validateMessage('metrics', { v: 1, kind: 'metrics', batchId: '00000000-0000-4000-8000-000000000000', deviceId: 'test-host', points })
    const [rebuilt, ...rest] = diskHealthFromPoints(points)
    expect(rest).toEqual([])
    expect(assessDiskHealth(rebuilt!).verdict).toBe(verdict.verdict)
  })

  it('rebuilds growth from stored history: the latest point per metric wins, earlier ones make `previous`', () => {
    const before = parsed('ata-degrading-before.json')
    const after = parsed('ata-degrading-after.json')
    const old = diskHealthToPoints(before, assessDiskHealth(before), 1_790_000_000_000)
    const now = diskHealthToPoints(after, assessDiskHealth(after, before), 1_790_003_600_000)
    const [previous] = diskHealthFromPoints(old)
    const [current] = diskHealthFromPoints([...now, ...old])
    expect(current!.ata?.reallocatedSectors).toBe(24)
    expect(assessDiskHealth(current!, previous).reasons).toContain('187 Reported_Uncorrect raw 4 (was 1): still growing')
  })

  it('keeps RAID member disks apart by their controller index', () => {
    expect(diskInstance({ device: '/dev/bus/0', type: 'megaraid,1' })).toBe('/dev/bus/0 [megaraid,1]')
    expect(diskInstance({ device: '/dev/sda', type: 'sat' })).toBe('/dev/sda')
    expect(parseDiskInstance('/dev/bus/0 [megaraid,1]')).toEqual({ device: '/dev/bus/0', type: 'megaraid,1' })
  })

  it('every SMART metric is in the catalogue', () => {
    expect(SMART_METRICS.filter((m) => !isKnownMetric(m))).toEqual([])
  })
})

describe('garbage never throws', () => {
  it('random JSON values parse and judge to a verdict; anything without data is unknown with a reason', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const h = parseSmartctl(value)
        const v = assessDiskHealth(h, parseSmartctl(value))
        expect(['healthy', 'warning', 'failing', 'unknown']).toContain(v.verdict)
        if (v.verdict === 'unknown') expect(v.reasons.length).toBeGreaterThan(0)
      }),
      { numRuns: 500 },
    )
  })

  it('garbled smartctl output (fields replaced by random values) never throws', () => {
    const source = fixture('ata-degrading-after.json') as Record<string, unknown>
    const keys = Object.keys(source)
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys, 'nvme_smart_health_information_log', 'scsi_grown_defect_list'), fc.anything()), (patch) => {
        const h = parseSmartctl({ ...source, ...patch })
        const v = assessDiskHealth(h)
        expect(v.reasons.every((r) => typeof r === 'string')).toBe(true)
        if (v.verdict === 'unknown') expect(v.reasons.length).toBeGreaterThan(0)
        for (const p of diskHealthToPoints(h, v, 1_790_000_000_000)) expect(Number.isFinite(p.value)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('garbled attribute tables, NVMe logs and statuses never throw', () => {
    const attribute = fc.record(
      { id: fc.oneof(fc.constantFrom(5, 9, 187, 188, 194, 197, 198), fc.anything()), name: fc.anything(), value: fc.anything(), thresh: fc.anything(), when_failed: fc.oneof(fc.constantFrom('now', 'past', ''), fc.anything()), raw: fc.oneof(fc.record({ value: fc.oneof(fc.double(), fc.integer()), string: fc.string() }), fc.anything()) },
      { requiredKeys: [] },
    )
    const output = fc.record(
      {
        smartctl: fc.record({ exit_status: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.anything()), messages: fc.anything() }, { requiredKeys: [] }),
        device: fc.record({ name: fc.anything(), type: fc.anything(), protocol: fc.anything() }, { requiredKeys: [] }),
        smart_status: fc.oneof(fc.record({ passed: fc.boolean() }), fc.anything()),
        ata_smart_attributes: fc.record({ table: fc.oneof(fc.array(attribute, { maxLength: 12 }), fc.anything()) }),
        nvme_smart_health_information_log: fc.dictionary(fc.constantFrom('critical_warning', 'media_errors', 'percentage_used', 'available_spare', 'available_spare_threshold', 'temperature'), fc.oneof(fc.integer(), fc.double(), fc.anything())),
        scsi_grown_defect_list: fc.anything(),
        temperature: fc.anything(),
        power_on_time: fc.anything(),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(output, output, (now, before) => {
        const h = parseSmartctl(now)
        const v = assessDiskHealth(h, parseSmartctl(before))
        expect(v.reasons.every((r) => typeof r === 'string')).toBe(true)
        if (v.verdict === 'unknown') expect(v.reasons.length).toBeGreaterThan(0)
        const points = diskHealthToPoints(h, v, 1_790_000_000_000)
        validateMessage('metrics', { v: 1, kind: 'metrics', batchId: '00000000-0000-4000-8000-000000000000', deviceId: 'test-host', points })
      }),
      { numRuns: 500 },
    )
  })

  it('a hand-broken DiskHealth still gets a verdict', () => {
    const broken = { device: '/dev/sdz', source: 'points', messages: [], ata: {} } as unknown as DiskHealth
    expect(() => assessDiskHealth(broken)).not.toThrow()
  })
})
