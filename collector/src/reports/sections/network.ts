import { esc } from '../format.js'
import { HOURLY } from '../hourly.js'
import { section, sub, table } from '../html-parts.js'
import type { Section } from '../model.js'
import { barChart, levelColor } from '../svg.js'

export const NETWORK_CATEGORIES = new Set(['network-core', 'network-access'])

export const networkSection: Section<'network'> = {
  id: 'network',
  async collect(ctx) {
    const devices = ctx.devices.filter((d) => NETWORK_CATEGORIES.has(d.category))
    const end = ctx.meta.generatedAt < ctx.meta.period.to ? ctx.meta.generatedAt : ctx.meta.period.to
    // Errors are per-poll deltas, so the sum is the period's count. A flap is an hour in which the
    // port was both up and down (min 0, max 1): hourly resolution is what the report can afford.
    const { rows } = await ctx.db.query<{ device_id: string; instance: string; errors: number; flaps: number; peak: number }>(
      `select device_id, instance,
              coalesce(sum(avg * samples) filter (where metric in ('if.in_errors', 'if.out_errors')), 0) as errors,
              count(*) filter (where metric = 'if.oper_up' and min = 0 and max = 1)::int as flaps,
              coalesce(max(max) filter (where metric in ('if.in_bytes_per_second', 'if.out_bytes_per_second')), 0) as peak
         from ${ctx.hourly ?? HOURLY}
        where device_id = any($1) and metric like 'if.%' and bucket >= $2 and bucket < $3
        group by device_id, instance`,
      [devices.map((d) => d.id), ctx.meta.period.from, end],
    )
    // Link speed from the last poll (ifHighSpeed/ifSpeed): the peak as a share of what the port can carry.
    const speedOf = (deviceId: string, port: string): number | null => {
      const list = ctx.byId.get(deviceId)?.state?.interfaces
      const found = Array.isArray(list) ? (list as { name?: string; speedBps?: number }[]).find((i) => i?.name === port) : undefined
      return typeof found?.speedBps === 'number' && found.speedBps > 0 ? found.speedBps : null
    }
    return {
      devices: devices.length,
      ports: rows
        .map((r) => {
          const peakBps = Number(r.peak)
          const speedBps = speedOf(r.device_id, r.instance)
          return {
            deviceId: r.device_id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, port: r.instance, errors: Math.round(Number(r.errors)), flaps: r.flaps,
            peakBps, speedBps, peakPercent: speedBps ? Math.min(100, (100 * peakBps * 8) / speedBps) : null,
          }
        })
        .sort((a, b) => b.errors + b.flaps * 100 - (a.errors + a.flaps * 100)),
    }
  },
  render(data, fmt) {
    const { t } = fmt
    if (!data.devices) return ''
    const worst = data.ports.filter((p) => p.errors > 0 || p.flaps > 0).slice(0, 20)
    const rows = worst.map((p) => [esc(p.name), esc(p.port), esc(fmt.number(p.errors)), esc(fmt.number(p.flaps)), esc(`${fmt.number(p.peakBps * 8 / 1e6, 1)} Mbit/s`)])
    // Busiest ports: by share of link speed where the speed is known, else by bits per second.
    const busiest = [...data.ports].sort((a, b) => (b.peakPercent ?? -1) - (a.peakPercent ?? -1) || b.peakBps - a.peakBps).slice(0, 12)
    const anyPercent = busiest.some((p) => p.peakPercent !== null)
    const peaks = barChart(
      busiest.filter((p) => p.peakBps > 0).map((p) => ({
        label: `${p.name} ${p.port}`,
        value: anyPercent ? (p.peakPercent ?? 0) : (p.peakBps * 8) / 1e6,
        text: `${fmt.number((p.peakBps * 8) / 1e6, 1)} Mbit/s${p.peakPercent === null ? '' : ` (${fmt.percent(p.peakPercent, 0)})`}`,
      })),
      anyPercent ? { max: 100, color: (b) => levelColor(100 - b.value, 30, 10) } : {},
    )
    return section('network', `${t.network} (${fmt.number(data.devices)})`, sub(t.portErrors, table([t.device, t.port, t.errors, t.flaps, t.peak], rows), t.none) + sub(t.portPeaks, peaks, t.noData))
  },
}
