/**
 * The report's numbers against calculations made here from the seeded facts (not from the report):
 * availability, SLA compliance, days until full, warranty. On PGlite always, and on the real
 * PostgreSQL when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPglite, openPostgres, type Db } from '@patrol/collector'
import { buildReport } from '../../collector/src/reports/build.js'
import { applyEdits } from '../../collector/src/reports/edits.js'
import { renderHtml } from '../../collector/src/reports/html.js'
import type { ReportData } from '../../collector/src/reports/model.js'
import { uniqueName } from '../support/targets.js'
import { CUSTOMER, QUARTER, seedQuarter, TZ, type SeededQuarter } from './seed.js'

const NOW = new Date('2026-10-02T00:00:00Z') // two days after the quarter, when reports go out
const DAY = 86_400_000
/** Day of the year in UTC, as PostgreSQL's extract(doy) does on this UTC server session. */
const dayOfYear = (d: Date) => Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1
const DATABASE_URL = process.env.DATABASE_URL
const engines = DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const)

describe.each(engines)('inspection report on %s', (engine) => {
  let db: Db
  let facts: SeededQuarter
  let zh: ReportData
  let en: ReportData
  const schema = uniqueName('report')

  beforeAll(async () => {
    db = engine === 'pglite' ? await openPglite() : await openPostgres({ connectionString: DATABASE_URL!, schema })
    await migrate(db)
    facts = await seedQuarter(db)
    zh = await buildReport(db, { customerId: CUSTOMER, period: QUARTER, lang: 'zh-CN', tz: TZ, now: NOW })
    en = await buildReport(db, { customerId: CUSTOMER, period: QUARTER, lang: 'en', tz: TZ, now: NOW })
  })
  afterAll(async () => {
    if (engine === 'postgres') await db?.query(`drop schema if exists ${schema} cascade`)
    await db?.close()
  })

  it('covers the quarter in the customer time zone and every device', () => {
    // 2026Q3 in Shanghai (UTC+8) begins 2026-07-01 00:00 local = 2026-06-30 16:00 UTC.
    expect(zh.meta.period.from.toISOString()).toBe('2026-06-30T16:00:00.000Z')
    expect(zh.meta.period.to.toISOString()).toBe('2026-09-30T16:00:00.000Z')
    expect(zh.meta.devices).toBe(facts.devices.length)
    expect(facts.devices.length).toBeGreaterThanOrEqual(50)
  })

  it('availability matches the downtime spans', () => {
    const span = facts.to.getTime() - facts.from.getTime()
    const downOf = (id: string) =>
      facts.downtime.filter((d) => d.id === id).reduce((s, d) => s + (Math.min((d.to ?? facts.to).getTime(), facts.to.getTime()) - d.from.getTime()), 0)
    const expectedDevice = (id: string) => 100 * (1 - downOf(id) / span)
    const a = zh.sections.availability
    for (const id of ['pc-003', 'sw-sz', 'prn-004', 'pc-029', 'pc-001']) {
      expect(a.perDevice.find((d) => d.deviceId === id)!.percent, id).toBeCloseTo(expectedDevice(id), 6)
    }
    const totalDown = facts.devices.reduce((s, d) => s + downOf(d.id), 0)
    expect(a.overallPercent).toBeCloseTo(100 * (1 - totalDown / (span * facts.devices.length)), 6)
    expect(a.incidents).toHaveLength(facts.downtime.length)
    expect(a.incidents.find((i) => i.deviceId === 'pc-029')!.end).toBeNull()
    expect(a.previousOverallPercent).toBe(100)
    const hq = facts.devices.filter((d) => d.site === 'sz')
    const szDown = hq.reduce((s, d) => s + downOf(d.id), 0)
    expect(a.perSite.find((s) => s.site === 'sz')!.percent).toBeCloseTo(100 * (1 - szDown / (span * hq.length)), 6)
  })

  it('SLA compliance counts every ticket whose deadlines were all met', () => {
    const inPeriod = facts.tickets.filter((t) => t.openedAt >= facts.from && t.openedAt < facts.to)
    const met = inPeriod.filter((t) => t.ackAfterMin !== null && t.ackAfterMin <= t.responseMin && t.resolveAfterMin !== null && t.resolveAfterMin <= t.resolveMin)
    const t = zh.sections.tickets
    expect(t.opened).toBe(inPeriod.length)
    expect(t.resolved).toBe(inPeriod.filter((x) => x.resolveAfterMin !== null).length)
    expect(t.slaCompliance).toBeCloseTo((100 * met.length) / inPeriod.length, 6)
    expect(t.responseCompliance).toBeCloseTo((100 * inPeriod.filter((x) => x.ackAfterMin! <= x.responseMin).length) / inPeriod.length, 6)
    expect(t.previousOpened).toBe(1)
    expect(t.repeats).toEqual([expect.objectContaining({ deviceId: 'prn-002', count: 3 })])
  })

  it('days until full follows the filesystem growth', () => {
    const spec = facts.filesystems.find((f) => f.id === 'pc-017')!
    // The last hourly reading is one hour before the quarter ends.
    const lastDay = (facts.to.getTime() - 3_600_000 - facts.from.getTime()) / DAY
    const expected = (100 - (spec.base + spec.slope * lastDay)) / spec.slope
    const fs = zh.sections.computers.filesystems.find((f) => f.deviceId === 'pc-017' && f.mount === 'C:')!
    expect(fs.growthPerDay).toBeCloseTo(spec.slope, 6)
    expect(fs.daysUntilFull!).toBeCloseTo(expected, 3)
    expect(zh.sections.computers.filesystems[0]!.deviceId).toBe('pc-017')
    const finding = (r: ReportData) => r.sections.findings.findings.find((f) => f.key === 'fs:pc-017:C:')!
    expect(finding(en).text).toBe(`Disk C: on PC-017 will be full in about ${Math.round(expected)} days`)
    expect(finding(zh).text).toBe(`PC-017 的磁盘 C: 预计约 ${Math.round(expected)} 天后写满`)
  })

  it('CPU average and peak over the quarter match the seeded readings', () => {
    // The seed: every 6 h, 30 + 25·sin(day phase) + (position % 17) for CPU; PC-001 is position 1.
    const values: number[] = []
    for (let t = facts.from.getTime(); t < facts.to.getTime(); t += 6 * 3_600_000) values.push(Math.max(0, Math.min(100, 30 + 25 * Math.sin((t / 1000 / 86400) * 2 * Math.PI) + 1)))
    const load = zh.sections.computers.load.find((l) => l.deviceId === 'pc-001')!
    expect(load.cpuAvg!).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6)
    expect(load.cpuMax!).toBeCloseTo(Math.max(...values), 6)
    expect(zh.sections.computers.cpuTrend.length).toBeGreaterThanOrEqual(92)
  })

  it('flags the degrading and failing disks, the tired UPS and the toner running out', () => {
    const disks = zh.sections.computers.disks.filter((d) => d.verdict !== 'ok').map((d) => `${d.deviceId}:${d.verdict}`)
    expect(disks.sort()).toEqual(['pc-005:warning', 'srv-03:failing'])
    expect(zh.sections.ups.devices.find((u) => u.deviceId === 'ups-02')!.lastRuntimeMin).toBe(Math.round((1800 - (1380 * 91) / 92) / 60))
    const toner = facts.supplies.find((s) => s.id === 'prn-001' && s.supply.includes('Toner'))!
    const s = zh.sections.printers.supplies.find((x) => x.deviceId === 'prn-001' && x.supply === toner.supply)!
    expect(s.usedPerMonth).toBeCloseTo(toner.perDay * 30, 6)
  })

  it('supplies used per month, switch port peaks, UPS events and self-tests', () => {
    // Daily readings from the facts; every drop counts in the month (Shanghai time) it was seen.
    const monthOf = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit' }).format(new Date(ms)).slice(0, 7)
    const used = new Map<string, number>()
    for (const supply of facts.supplies) {
      let previous: number | null = null
      for (let k = 0; facts.from.getTime() + k * DAY < facts.to.getTime(); k++) {
        const level = Math.max(0, supply.start - supply.perDay * k)
        const month = monthOf(facts.from.getTime() + k * DAY)
        if (previous !== null && level < previous) used.set(month, (used.get(month) ?? 0) + (previous - level) / 100)
        previous = level
      }
    }
    const monthly = zh.sections.printers.monthly
    expect(monthly.map((m) => m.month)).toEqual(['2026-07', '2026-08', '2026-09'])
    for (const m of monthly) expect(m.cartridges, m.month).toBeCloseTo(used.get(m.month)!, 6)
    // Port peaks: the seed's bytes/s follow 1.2e7 × (1 + daily sine), read at UTC hours 0, 6, 12, 18.
    const hours = Array.from({ length: 92 * 24 }, (_, i) => facts.from.getTime() + i * 3_600_000).filter((t) => new Date(t).getUTCHours() % 6 === 0)
    const peak = Math.max(...hours.map((t) => 1.2e7 * (1 + Math.sin((t / 1000 / 86400) * 2 * Math.PI))))
    const port = zh.sections.network.ports.find((p) => p.deviceId === 'sw-core' && p.port === 'GE1/0/1')!
    expect(port.peakBps).toBeCloseTo(peak, 0)
    expect(port.peakPercent).toBeCloseTo((100 * peak * 8) / 1e9, 6) // 1 Gbit/s port in the device state
    const ups = Object.fromEntries(zh.sections.ups.devices.map((u) => [u.deviceId, u]))
    expect(ups['ups-02']).toMatchObject({ selfTest: 'doneError', selfTestDate: '09/15/2026', onBatteryEvents: 0 })
    expect(ups['ups-01']!.selfTest).toBeNull()
    // ups-01 is on battery on every day of the year divisible by 30 (one daily reading each).
    const onBatteryDays = Array.from({ length: 92 }, (_, k) => new Date(facts.from.getTime() + k * DAY)).filter((d) => dayOfYear(d) % 30 === 0).length
    expect(ups['ups-01']!.onBatteryEvents).toBe(onBatteryDays)
    expect(en.sections.ups.devices.length).toBe(2)
    const html = renderHtml(zh)
    expect(html).toContain('耗材月消耗')
    expect(html).toContain('端口利用率峰值')
    expect(html).toMatch(/<span class="w-expired">失败<\/span> 09\/15\/2026/)
  })

  it('names the devices on an operating system past its end of support', () => {
    // The seed gives every fifth PC Windows 7.
    const expected = facts.devices.filter((d) => d.category === 'pc' && Number(d.id.slice(3)) % 5 === 0).map((d) => d.hostname).sort()
    const finding = en.sections.findings.findings.find((f) => f.key === 'os:Microsoft Windows 7 Professional 10.0.19045')!
    expect(finding.text).toBe(`${expected.length} device(s) still run Microsoft Windows 7 Professional 10.0.19045, which no longer receives security updates: ${expected.join(', ')}`)
    expect(zh.sections.computers.outdatedOs.map((d) => d.name).sort()).toEqual(expected)
  })

  it("applies an engineer's edits to the findings by key", () => {
    const before = en.sections.findings.findings
    const edited = applyEdits(en, {
      findings: [{ key: 'fs:pc-017:C:', recommendation: 'Move the scans to the file server.' }, { key: 'smart:srv-03:sdb', remove: true }],
      add: [{ severity: 'info', deviceId: null, text: 'Machine room door does not lock', recommendation: 'Fit a lock.' }],
    }).sections.findings.findings
    expect(edited).toHaveLength(before.length)
    expect(edited.find((f) => f.key === 'fs:pc-017:C:')!.recommendation).toBe('Move the scans to the file server.')
    expect(edited.some((f) => f.key === 'smart:srv-03:sdb')).toBe(false)
    expect(edited.at(-1)).toMatchObject({ key: 'engineer:1', text: 'Machine room door does not lock' })
    expect(en.sections.findings.findings).toBe(before) // the built report is left as it was
  })

  it('lists warranties ending within six months of the quarter end', () => {
    const end = facts.to
    const horizon = new Date(end)
    horizon.setUTCMonth(horizon.getUTCMonth() + 6)
    const expected = facts.devices.filter((d) => d.warrantyEnd && Date.parse(`${d.warrantyEnd}T23:59:59Z`) >= end.getTime() && Date.parse(`${d.warrantyEnd}T23:59:59Z`) <= horizon.getTime())
    expect(zh.sections.inventory.endingSoon).toBe(expected.length)
    expect(expected.length).toBeGreaterThan(0)
  })

  it('renders self-contained HTML in both languages', () => {
    const htmlZh = renderHtml(zh)
    const htmlEn = renderHtml(en)
    expect(htmlZh).toContain('<html lang="zh-CN">')
    expect(htmlZh).toContain('巡检报告')
    expect(htmlZh).toContain('发现与服务建议')
    expect(htmlEn).toContain('Inspection report')
    expect(htmlEn).toContain('Findings and service suggestions')
    expect(htmlEn).not.toContain('巡检报告')
    for (const html of [htmlZh, htmlEn]) {
      expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i)
      expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//)
      expect(html).toContain('<svg')
    }
    // Numbers in each locale's own format.
    expect(htmlEn).toContain(new Intl.NumberFormat('en', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(zh.sections.availability.overallPercent / 100))
  })
})
