import { slopePerDay } from '../../rules/support/trend.js'
import { esc } from '../format.js'
import { BUCKET_ORIGIN, HOURLY } from '../hourly.js'
import { section, sub, table } from '../html-parts.js'
import type { ComputersData, ReportDevice, Section, SectionContext } from '../model.js'
import { barChart, levelColor, lineChart } from '../svg.js'

export const COMPUTER_CATEGORIES = new Set(['pc', 'server-windows', 'server-unix'])
/** The trend for days-until-full looks back this far from the period's end, like an engineer would. */
export const FORECAST_WINDOW_DAYS = 14
/** Filesystems shown: fuller than this, or full within the forecast horizon. */
const SHOW_USED_PERCENT = 80
const SHOW_DAYS = 90

function periodEnd(ctx: SectionContext): Date {
  return ctx.meta.generatedAt < ctx.meta.period.to ? ctx.meta.generatedAt : ctx.meta.period.to
}

/** Operating systems past their vendor's end of support: worth a line in the findings. */
export const OUTDATED_OS = /windows (xp|vista|7|8(\.1)?)\b|windows server (2003|2008|2012)|centos( linux)? [5-8]\b/i

export function osName(device: ReportDevice): string {
  const os = (device.inventory?.os ?? null) as { distro?: string; release?: string } | null
  if (!os?.distro) return '—'
  return [os.distro, os.release].filter(Boolean).join(' ')
}

/** Days until 100 % at the least-squares growth rate of the hourly averages; null when not growing. */
export function daysUntilFull(points: { ts: number; value: number }[]): { slope: number | null; days: number | null } {
  const slope = slopePerDay(points)
  const last = points.at(-1)?.value
  if (slope === null || slope <= 0 || last === undefined) return { slope, days: null }
  return { slope, days: Math.max(0, (100 - last) / slope) }
}

export async function filesystemForecasts(ctx: SectionContext, devices: ReportDevice[]) {
  const end = periodEnd(ctx)
  const start = new Date(Math.max(ctx.meta.period.from.getTime(), end.getTime() - FORECAST_WINDOW_DAYS * 86_400_000))
  const { rows } = await ctx.db.query<{ device_id: string; instance: string; bucket: Date; avg: number }>(
    `select device_id, instance, bucket, avg from ${ctx.hourly ?? HOURLY}
      where device_id = any($1) and metric = 'fs.used_percent' and bucket >= $2 and bucket < $3
      order by device_id, instance, bucket`,
    [devices.map((d) => d.id), start, end],
  )
  const series = new Map<string, { ts: number; value: number }[]>()
  for (const r of rows) {
    const key = `${r.device_id}\u0000${r.instance}`
    const list = series.get(key) ?? []
    list.push({ ts: new Date(r.bucket).getTime(), value: Number(r.avg) })
    series.set(key, list)
  }
  return [...series].map(([key, points]) => {
    const [deviceId, mount] = key.split('\u0000') as [string, string]
    const { slope, days } = daysUntilFull(points)
    return { deviceId, name: ctx.byId.get(deviceId)?.name ?? deviceId, mount, usedPercent: points.at(-1)!.value, growthPerDay: slope ?? 0, daysUntilFull: days }
  })
}

export async function diskVerdicts(ctx: SectionContext, devices: ReportDevice[]) {
  const { rows } = await ctx.db.query<{ device_id: string; instance: string; value: number }>(
    `select distinct on (device_id, instance) device_id, instance, min as value from ${ctx.hourly ?? HOURLY}
      where device_id = any($1) and metric = 'disk.smart_ok' and bucket >= $2 and bucket < $3
      order by device_id, instance, bucket desc`,
    [devices.map((d) => d.id), ctx.meta.period.from, periodEnd(ctx)],
  )
  // disk.smart_ok: 1 healthy, 0.5 warning, 0 failing, -1 unknown (metrics catalogue).
  const verdict = (v: number) => (v < 0 ? 'unknown' : v === 0 ? 'failing' : v < 1 ? 'warning' : 'ok') as 'ok' | 'warning' | 'failing' | 'unknown'
  return rows.map((r) => ({ deviceId: r.device_id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, disk: r.instance, verdict: verdict(Number(r.value)) }))
}

export const computersSection: Section<'computers'> = {
  id: 'computers',
  async collect(ctx) {
    const devices = ctx.devices.filter((d) => COMPUTER_CATEGORIES.has(d.category))
    const ids = devices.map((d) => d.id)
    const filesystems = (await filesystemForecasts(ctx, devices))
      .filter((f) => f.usedPercent >= SHOW_USED_PERCENT || (f.daysUntilFull !== null && f.daysUntilFull <= SHOW_DAYS))
      .sort((a, b) => (a.daysUntilFull ?? Infinity) - (b.daysUntilFull ?? Infinity))
    const disks = await diskVerdicts(ctx, devices)
    // One pass over CPU and memory, in daily buckets per device: the per-device average and peak
    // and the fleet's daily CPU trend all come from it (the hourly view is the costly part).
    const daily = await ctx.db.query<{ device_id: string; metric: string; day: Date; total: number; samples: number; max: number }>(
      `select device_id, metric, date_bin('1 day', bucket, ${BUCKET_ORIGIN}) as day, sum(avg * samples) as total, sum(samples) as samples, max(max) as max
         from ${ctx.hourly ?? HOURLY}
        where device_id = any($1) and metric in ('cpu.load_percent', 'mem.used_percent') and bucket >= $2 and bucket < $3
        group by 1, 2, 3`,
      [ids, ctx.meta.period.from, periodEnd(ctx)],
    )
    const sums = new Map<string, { total: number; samples: number; max: number }>()
    const cpuDays = new Map<number, { total: number; samples: number }>()
    for (const r of daily.rows) {
      const key = `${r.device_id}\u0000${r.metric}`
      const s = sums.get(key) ?? { total: 0, samples: 0, max: -Infinity }
      s.total += Number(r.total)
      s.samples += Number(r.samples)
      s.max = Math.max(s.max, Number(r.max))
      sums.set(key, s)
      if (r.metric === 'cpu.load_percent') {
        const day = new Date(r.day).getTime()
        const d = cpuDays.get(day) ?? { total: 0, samples: 0 }
        d.total += Number(r.total)
        d.samples += Number(r.samples)
        cpuDays.set(day, d)
      }
    }
    const byDevice = new Map<string, ComputersData['load'][number]>()
    for (const [key, s] of sums) {
      const [deviceId, metric] = key.split('\u0000') as [string, string]
      const entry = byDevice.get(deviceId) ?? { deviceId, name: ctx.byId.get(deviceId)?.name ?? deviceId, cpuAvg: null, cpuMax: null, memAvg: null, memMax: null }
      if (metric === 'cpu.load_percent') Object.assign(entry, { cpuAvg: s.total / s.samples, cpuMax: s.max })
      else Object.assign(entry, { memAvg: s.total / s.samples, memMax: s.max })
      byDevice.set(deviceId, entry)
    }
    const trend = { rows: [...cpuDays].sort((a, b) => a[0] - b[0]).map(([day, d]) => ({ day: new Date(day), value: d.total / d.samples })) }
    const os = new Map<string, number>()
    for (const d of devices) os.set(osName(d), (os.get(osName(d)) ?? 0) + 1)
    return {
      devices: devices.length,
      filesystems,
      disks: disks.sort((a, b) => a.verdict.localeCompare(b.verdict)),
      load: [...byDevice.values()].sort((a, b) => (b.cpuMax ?? 0) - (a.cpuMax ?? 0)),
      osVersions: [...os].map(([name, n]) => ({ os: name, devices: n, outdated: OUTDATED_OS.test(name) })).sort((a, b) => b.devices - a.devices),
      outdatedOs: devices.filter((d) => OUTDATED_OS.test(osName(d))).map((d) => ({ deviceId: d.id, name: d.name, os: osName(d) })),
      cpuTrend: trend.rows.map((r) => ({ day: new Date(r.day), value: Number(r.value) })),
    }
  },
  render(data, fmt) {
    const { t } = fmt
    if (!data.devices) return ''
    const fs = table(
      [t.device, t.mount, t.used, t.growthPerDay, t.daysUntilFull],
      data.filesystems.map((f) => [esc(f.name), esc(f.mount), esc(fmt.percent(f.usedPercent)), esc(fmt.percent(f.growthPerDay, 2)), esc(f.daysUntilFull === null ? '—' : fmt.number(f.daysUntilFull, 0))]),
    )
    const fsChart = barChart(data.filesystems.slice(0, 12).map((f) => ({ label: `${f.name} ${f.mount}`, value: f.usedPercent, text: fmt.percent(f.usedPercent) })), { max: 100, color: (b) => levelColor(100 - b.value, 20, 10) })
    const bad = data.disks.filter((d) => d.verdict !== 'ok')
    const disks = table([t.device, t.mount, t.status], bad.map((d) => [esc(d.name), esc(d.disk), esc(t.smartVerdict[d.verdict] ?? d.verdict)]))
    const loadRows = data.load.slice(0, 10).map((l) => [esc(l.name), esc(l.cpuAvg === null ? '—' : `${fmt.percent(l.cpuAvg, 0)} / ${fmt.percent(l.cpuMax ?? 0, 0)}`), esc(l.memAvg === null ? '—' : `${fmt.percent(l.memAvg, 0)} / ${fmt.percent(l.memMax ?? 0, 0)}`)])
    const trend = lineChart(data.cpuTrend.map((p) => ({ x: p.day.getTime(), y: p.value })), { yMax: 100, label: (y) => fmt.percent(y, 0), xLabel: (x) => fmt.date(new Date(x)) })
    const os = table([t.osVersions, t.devices], data.osVersions.map((o) => [o.outdated ? `<span class="w-expired">${esc(o.os)}</span>` : esc(o.os), esc(fmt.number(o.devices))]))
    return section(
      'computers',
      `${t.computers} (${fmt.number(data.devices)})`,
      sub(t.filesystemsNearFull, fsChart + fs, t.none) + sub(t.diskHealth, disks, t.none) + sub(t.cpuMemory, trend + table([t.device, t.cpu, t.memory], loadRows), t.noData) + sub(t.osVersions, os, t.noData),
    )
  },
}
