import { slopePerDay } from '../../rules/support/trend.js'
import { esc } from '../format.js'
import { HOURLY } from '../hourly.js'
import { section, sub, table } from '../html-parts.js'
import type { Section, SectionContext, SupplyForecast } from '../model.js'
import { barChart, levelColor } from '../svg.js'

function periodEnd(ctx: SectionContext): Date {
  return ctx.meta.generatedAt < ctx.meta.period.to ? ctx.meta.generatedAt : ctx.meta.period.to
}

/**
 * Level and consumption of each supply. A cartridge swap makes the level jump up, so the rate is
 * taken over the readings since the last refill only.
 */
export async function supplyForecasts(ctx: SectionContext, ids: string[]): Promise<SupplyForecast[]> {
  return (await supplyReadings(ctx, ids)).forecasts
}

/** "2026-08" of an instant in the customer's time zone. */
function monthOf(tz: string): (ts: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' })
  return (ts) => f.format(new Date(ts)).slice(0, 7)
}

/**
 * Forecasts per supply, and what was used per month: every drop in a supply's level counts as
 * consumption, a rise (a new cartridge) does not.
 */
export async function supplyReadings(ctx: SectionContext, ids: string[]): Promise<{ forecasts: SupplyForecast[]; monthly: { month: string; cartridges: number }[] }> {
  const { rows } = await ctx.db.query<{ device_id: string; instance: string; bucket: Date; avg: number }>(
    `select device_id, instance, bucket, avg from ${ctx.hourly ?? HOURLY}
      where device_id = any($1) and metric = 'printer.supply_percent' and bucket >= $2 and bucket < $3
      order by device_id, instance, bucket`,
    [ids, ctx.meta.period.from, periodEnd(ctx)],
  )
  const series = new Map<string, { ts: number; value: number }[]>()
  const month = monthOf(ctx.meta.tz)
  const used = new Map<string, number>()
  let previous = null as { key: string; value: number } | null
  for (const r of rows) {
    const key = `${r.device_id}\u0000${r.instance}`
    const list = series.get(key) ?? []
    const point = { ts: new Date(r.bucket).getTime(), value: Number(r.avg) }
    if (previous?.key === key && point.value < previous.value) {
      const m = month(point.ts)
      used.set(m, (used.get(m) ?? 0) + previous.value - point.value)
    }
    previous = { key, value: point.value }
    if (list.length && point.value > list.at(-1)!.value + 20) list.length = 0 // refilled
    list.push(point)
    series.set(key, list)
  }
  const monthly = [...used].sort((a, b) => a[0].localeCompare(b[0])).map(([m, points]) => ({ month: m, cartridges: points / 100 }))
  const forecasts = [...series].map(([key, points]) => {
    const [deviceId, supply] = key.split('\u0000') as [string, string]
    const slope = slopePerDay(points)
    const percent = points.at(-1)!.value
    const perDay = slope !== null && slope < 0 ? -slope : 0
    return { deviceId, name: ctx.byId.get(deviceId)?.name ?? deviceId, supply, percent, usedPerMonth: perDay * 30, daysUntilEmpty: perDay > 0 ? percent / perDay : null }
  })
  return { forecasts, monthly }
}

export const printersSection: Section<'printers'> = {
  id: 'printers',
  async collect(ctx) {
    const devices = ctx.devices.filter((d) => d.category === 'printer')
    const ids = devices.map((d) => d.id)
    const readings = await supplyReadings(ctx, ids)
    const supplies = readings.forecasts.sort((a, b) => a.percent - b.percent)
    const pages = await ctx.db.query<{ device_id: string; pages: number }>(
      `select device_id, max(max) - min(min) as pages from ${ctx.hourly ?? HOURLY}
        where device_id = any($1) and metric = 'printer.page_count' and bucket >= $2 and bucket < $3 group by device_id`,
      [ids, ctx.meta.period.from, periodEnd(ctx)],
    )
    const events = await ctx.db.query<{ device_id: string; jams: number; errors: number }>(
      `select device_id, count(*) filter (where code ilike '%jam%')::int as jams,
              count(*) filter (where severity in ('error', 'critical'))::int as errors
         from device_event where device_id = any($1) and time >= $2 and time < $3 group by device_id`,
      [ids, ctx.meta.period.from, periodEnd(ctx)],
    )
    const pageList = pages.rows.map((r) => ({ deviceId: r.device_id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, pages: Math.round(Number(r.pages)) }))
    return {
      devices: devices.length,
      supplies,
      pages: pageList.sort((a, b) => b.pages - a.pages),
      errors: events.rows.map((r) => ({ deviceId: r.device_id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, jams: r.jams, errors: r.errors })).filter((e) => e.jams || e.errors),
      totalPages: pageList.reduce((s, p) => s + p.pages, 0),
      monthly: readings.monthly,
    }
  },
  render(data, fmt) {
    const { t } = fmt
    if (!data.devices) return ''
    // The chart shows what needs attention; long-lasting parts (drums) stay in the table only.
    const urgent = data.supplies.filter((s) => s.percent < 50 || (s.daysUntilEmpty !== null && s.daysUntilEmpty < 365))
    const chart = barChart(urgent.slice(0, 15).map((s) => ({ label: `${s.name} ${s.supply}`.slice(0, 34), value: s.percent, text: fmt.percent(s.percent, 0) })), { max: 100, color: (b) => levelColor(b.value, 25, 10) })
    const supplies = table(
      [t.device, t.supply, t.level, t.perMonth, t.runsOutIn],
      data.supplies.map((s) => [esc(s.name), esc(s.supply), esc(fmt.percent(s.percent, 0)), esc(fmt.percent(s.usedPerMonth, 0)), esc(s.daysUntilEmpty === null ? '—' : fmt.number(s.daysUntilEmpty))]),
    )
    const pages = table([t.device, t.pagesPrinted], data.pages.map((p) => [esc(p.name), esc(fmt.number(p.pages))]))
    const errors = table([t.device, t.printerErrors, t.errors], data.errors.map((e) => [esc(e.name), esc(fmt.number(e.jams)), esc(fmt.number(e.errors))]))
    return section(
      'printers',
      `${t.printers} (${fmt.number(data.devices)})`,
      sub(t.supply, chart + supplies, t.noData) +
      sub(t.supplyPerMonth, barChart(data.monthly.map((m) => ({ label: m.month, value: m.cartridges, text: fmt.number(m.cartridges, 1) }))), t.noData) + sub(`${t.pagesPrinted}: ${fmt.number(data.totalPages)}`, pages, t.noData) + sub(t.printerErrors, errors, t.none),
    )
  },
}
