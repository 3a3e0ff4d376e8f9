import { esc } from '../format.js'
import { HOURLY } from '../hourly.js'
import { section, sub, table } from '../html-parts.js'
import type { Section } from '../model.js'
import { barChart } from '../svg.js'

export const upsSection: Section<'ups'> = {
  id: 'ups',
  async collect(ctx) {
    const devices = ctx.devices.filter((d) => d.category === 'ups')
    const end = ctx.meta.generatedAt < ctx.meta.period.to ? ctx.meta.generatedAt : ctx.meta.period.to
    const { rows } = await ctx.db.query<{ device_id: string; min_charge: number | null; runtime: number | null; on_battery: number; battery_low: number }>(
      `select device_id,
              min(min) filter (where metric = 'ups.charge_percent') as min_charge,
              (array_agg(avg order by bucket desc) filter (where metric = 'ups.runtime_seconds'))[1] as runtime,
              count(*) filter (where metric = 'ups.on_battery' and max = 1)::int as on_battery,
              count(*) filter (where metric = 'ups.battery_low' and max = 1)::int as battery_low
         from ${ctx.hourly ?? HOURLY} where device_id = any($1) and metric like 'ups.%' and bucket >= $2 and bucket < $3
        group by device_id`,
      [devices.map((d) => d.id), ctx.meta.period.from, end],
    )
    const found = new Map(rows.map((r) => [r.device_id, r]))
    return {
      devices: devices.map((d) => {
        const r = found.get(d.id)
        const ups = d.state?.ups as { lastSelfTest?: unknown; lastSelfTestDate?: unknown } | undefined
        return {
          deviceId: d.id,
          name: d.name,
          minCharge: r?.min_charge == null ? null : Number(r.min_charge),
          lastRuntimeMin: r?.runtime == null ? null : Math.round(Number(r.runtime) / 60),
          onBatteryEvents: r?.on_battery ?? 0,
          batteryLowHours: r?.battery_low ?? 0,
          selfTest: typeof ups?.lastSelfTest === 'string' ? ups.lastSelfTest : null,
          selfTestDate: typeof ups?.lastSelfTestDate === 'string' ? ups.lastSelfTestDate : null,
        }
      }),
    }
  },
  render(data, fmt) {
    const { t } = fmt
    if (!data.devices.length) return ''
    const rows = data.devices.map((u) => [
      esc(u.name),
      esc(u.minCharge === null ? '—' : fmt.percent(u.minCharge, 0)),
      esc(u.lastRuntimeMin === null ? '—' : fmt.number(u.lastRuntimeMin)),
      esc(fmt.number(u.onBatteryEvents)),
      esc(fmt.number(u.batteryLowHours)),
      u.selfTest === null ? '—' : `<span class="${/Error|Warning|aborted/.test(u.selfTest) ? 'w-expired' : ''}">${esc(t.selfTestResult[u.selfTest] ?? u.selfTest)}</span>${u.selfTestDate ? ` ${esc(u.selfTestDate)}` : ''}`,
    ])
    // Hours on battery and with a low battery: where the power or the battery needs a look.
    const events = barChart(
      data.devices.filter((u) => u.onBatteryEvents + u.batteryLowHours > 0).map((u) => ({ label: u.name, value: u.onBatteryEvents + u.batteryLowHours, text: `${fmt.number(u.onBatteryEvents)} / ${fmt.number(u.batteryLowHours)} ${t.hours}` })),
      { color: (b) => (b.value > 24 ? '#c0392b' : '#e0a100') },
    )
    return section(
      'ups',
      `${t.ups} (${fmt.number(data.devices.length)})`,
      table([t.device, t.charge, t.runtime, `${t.onBatteryEvents} (${t.hours})`, `${t.batteryLowHours} (${t.hours})`, t.selfTest], rows) + sub(t.upsEvents, events, t.none),
    )
  },
}
