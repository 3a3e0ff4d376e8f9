import type { Queryable } from '../../store/db.js'
import { esc } from '../format.js'
import { section, sub, table } from '../html-parts.js'
import type { AvailabilityData, DowntimeIncident, ReportDevice, Section } from '../model.js'
import { barChart, levelColor } from '../svg.js'

/** Device states that count as down. "unknown" (never reported) is not downtime: no evidence. */
const DOWN = new Set(['offline'])

interface Change {
  device_id: string
  time: Date
  state: string
  reason: string | null
}

/**
 * Down intervals per device within [from, to), from the status changes (heartbeats and ping decide
 * them in the collector). The state at `from` is the last change before it; none means up.
 */
export async function downtime(db: Queryable, devices: ReportDevice[], from: Date, to: Date): Promise<DowntimeIncident[]> {
  if (!devices.length) return []
  const ids = devices.map((d) => d.id)
  const { rows } = await db.query<Change>(
    `select device_id, time, state, reason from (
       select device_id, time, state, reason from device_status_change where device_id = any($1) and time >= $2 and time < $3
       union all
       select distinct on (device_id) device_id, time, state, reason from device_status_change
        where device_id = any($1) and time < $2 order by device_id, time desc
     ) c order by device_id, time`,
    [ids, from, to],
  )
  const names = new Map(devices.map((d) => [d.id, d.name]))
  const incidents: DowntimeIncident[] = []
  let open: { id: string; start: Date; reason: string | null } | null = null
  const close = (end: Date | null) => {
    if (!open) return
    const stop = end ?? to
    incidents.push({ deviceId: open.id, name: names.get(open.id) ?? open.id, start: open.start, end, durationMs: stop.getTime() - open.start.getTime(), reason: open.reason })
    open = null
  }
  let current = ''
  for (const row of rows) {
    const time = new Date(row.time)
    if (row.device_id !== current) {
      close(null)
      current = row.device_id
    }
    const at = time < from ? from : time
    if (DOWN.has(row.state)) {
      if (!open) open = { id: row.device_id, start: at, reason: row.reason }
    } else if (open) close(at)
  }
  close(null)
  return incidents
}

export function availabilityPercent(downMs: number, spanMs: number): number {
  return spanMs <= 0 ? 100 : Math.max(0, 100 * (1 - downMs / spanMs))
}

async function summarise(db: Queryable, devices: ReportDevice[], from: Date, to: Date) {
  const incidents = await downtime(db, devices, from, to)
  const span = to.getTime() - from.getTime()
  const downBy = new Map<string, number>()
  for (const i of incidents) downBy.set(i.deviceId, (downBy.get(i.deviceId) ?? 0) + i.durationMs)
  const perDevice = devices.map((d) => {
    const downMs = downBy.get(d.id) ?? 0
    return { deviceId: d.id, name: d.name, site: d.site, downMs, percent: availabilityPercent(downMs, span) }
  })
  const totalDown = perDevice.reduce((s, d) => s + d.downMs, 0)
  const overall = availabilityPercent(totalDown, span * devices.length)
  return { incidents, perDevice, overall, span }
}

export const availabilitySection: Section<'availability'> = {
  id: 'availability',
  async collect({ db, devices, meta }) {
    const end = meta.generatedAt < meta.period.to ? meta.generatedAt : meta.period.to
    const now = await summarise(db, devices, meta.period.from, end)
    const before = await summarise(db, devices, meta.period.previous.from, meta.period.previous.to)
    const hadHistory = await db.query<{ n: number }>('select count(*)::int as n from device_status_change where device_id = any($1) and time < $2', [devices.map((d) => d.id), meta.period.from])
    const perSite = meta.customer.sites
      .map((site) => {
        const here = now.perDevice.filter((d) => d.site === site.id)
        const down = here.reduce((s, d) => s + d.downMs, 0)
        return { site: site.id, name: site.name, devices: here.length, percent: availabilityPercent(down, now.span * here.length) }
      })
      .filter((s) => s.devices > 0)
    return {
      overallPercent: now.overall,
      previousOverallPercent: hadHistory.rows[0]?.n ? before.overall : null,
      perSite,
      perDevice: now.perDevice.sort((a, b) => a.percent - b.percent),
      incidents: now.incidents.sort((a, b) => b.durationMs - a.durationMs),
    }
  },
  render(data: AvailabilityData, fmt) {
    const { t } = fmt
    const sites = barChart(
      data.perSite.map((s) => ({ label: s.name, value: s.percent, text: fmt.percent(s.percent, 2) })),
      { max: 100, color: (b) => levelColor(b.value, 99.9, 99) },
    )
    const low = data.perDevice.filter((d) => d.percent < 99.9)
    const devices = table(
      [t.device, t.site, t.downtime, t.availability],
      low.map((d) => [esc(d.name), esc(d.site), esc(fmt.duration(d.downMs)), esc(fmt.percent(d.percent, 2))]),
    )
    const incidents = table(
      [t.device, t.start, t.end, t.duration, t.reason],
      data.incidents.slice(0, 30).map((i) => [esc(i.name), esc(fmt.dateTime(i.start)), esc(i.end ? fmt.dateTime(i.end) : t.stillDown), esc(fmt.duration(i.durationMs)), esc(i.reason ?? '')]),
    )
    return section(
      'availability',
      t.availability,
      `<p class="big">${esc(fmt.percent(data.overallPercent, 2))}</p>` + sub(t.availabilityPerSite, sites, t.noData) + sub(t.availabilityPerDevice, devices, t.none) + sub(t.downtimeIncidents, incidents, t.none),
    )
  },
}
