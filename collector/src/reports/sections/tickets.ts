import { esc } from '../format.js'
import { section, sub, table } from '../html-parts.js'
import type { Section } from '../model.js'
import { barChart } from '../svg.js'

interface TicketRow {
  id: number
  device_id: string
  level: string
  title: string
  problem_key: string
  opened_at: Date
  acknowledged_at: Date | null
  resolved_at: Date | null
  response_due: Date | null
  resolve_due: Date | null
  repeat_count: number
  problem_type: string | null
  cause: string | null
  method: string | null
}

const ms = (d: Date | null) => (d ? new Date(d).getTime() : null)

/**
 * A deadline counts once it has passed or been met: met when the ticket was acknowledged (or
 * resolved) by it. The contract calendar is already in the due times (the ticket engine computed
 * them with the contract's service hours), so no calendar is needed here.
 */
export function deadlineOutcome(done: Date | null, due: Date | null, end: Date): 'met' | 'missed' | 'pending' | 'none' {
  const d = ms(due)
  if (d === null) return 'none'
  const at = ms(done)
  if (at !== null) return at <= d ? 'met' : 'missed'
  return d < end.getTime() ? 'missed' : 'pending'
}

function median(values: number[]): number | null {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const pct = (met: number, all: number) => (all ? (100 * met) / all : null)

export const ticketsSection: Section<'tickets'> = {
  id: 'tickets',
  async collect(ctx) {
    const { period } = ctx.meta
    const end = ctx.meta.generatedAt < period.to ? ctx.meta.generatedAt : period.to
    const ids = ctx.devices.map((d) => d.id)
    const { rows } = await ctx.db.query<TicketRow>(
      `select id, device_id, level, title, problem_key, opened_at, acknowledged_at, resolved_at, response_due, resolve_due, repeat_count, problem_type, cause, method
         from ticket where customer = $1 and device_id = any($2) and opened_at >= $3 and opened_at < $4 order by opened_at`,
      [ctx.meta.customer.id, ids, period.from, end],
    )
    const previous = await ctx.db.query<{ n: number }>('select count(*)::int as n from ticket where customer = $1 and device_id = any($2) and opened_at >= $3 and opened_at < $4', [ctx.meta.customer.id, ids, period.previous.from, period.previous.to])
    const resolvedInPeriod = (r: TicketRow) => r.resolved_at !== null && new Date(r.resolved_at) < end
    const levels = ['L1', 'L2', 'L3', 'L4']
    let responseMet = 0, responseAll = 0, resolveMet = 0, resolveAll = 0, compliant = 0, judged = 0
    for (const r of rows) {
      const response = deadlineOutcome(r.acknowledged_at ?? r.resolved_at, r.response_due, end)
      const resolve = deadlineOutcome(r.resolved_at, r.resolve_due, end)
      if (response === 'met' || response === 'missed') responseAll++
      if (response === 'met') responseMet++
      if (resolve === 'met' || resolve === 'missed') resolveAll++
      if (resolve === 'met') resolveMet++
      const outcomes = [response, resolve].filter((o) => o === 'met' || o === 'missed')
      if (outcomes.length) {
        judged++
        if (outcomes.every((o) => o === 'met')) compliant++
      }
    }
    const repeats = new Map<string, { deviceId: string; name: string; title: string; count: number }>()
    for (const r of rows.filter((x) => x.repeat_count > 0)) {
      const key = `${r.device_id}\u0000${r.problem_key}`
      const entry = repeats.get(key) ?? { deviceId: r.device_id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, title: r.title, count: 0 }
      entry.count = Math.max(entry.count, r.repeat_count + 1)
      repeats.set(key, entry)
    }
    return {
      opened: rows.length,
      resolved: rows.filter(resolvedInPeriod).length,
      previousOpened: previous.rows[0]?.n ?? null,
      byLevel: levels.map((level) => ({ level, opened: rows.filter((r) => r.level === level).length, resolved: rows.filter((r) => r.level === level && resolvedInPeriod(r)).length })),
      medianResponseMs: median(rows.filter((r) => r.acknowledged_at).map((r) => ms(r.acknowledged_at)! - ms(r.opened_at)!)),
      medianResolveMs: median(rows.filter(resolvedInPeriod).map((r) => ms(r.resolved_at)! - ms(r.opened_at)!)),
      responseCompliance: pct(responseMet, responseAll),
      resolveCompliance: pct(resolveMet, resolveAll),
      slaCompliance: pct(compliant, judged),
      repeats: [...repeats.values()].sort((a, b) => b.count - a.count),
      problemReports: rows.filter((r) => r.problem_type).map((r) => ({ id: r.id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, title: r.title, problemType: r.problem_type, cause: r.cause, method: r.method })),
    }
  },
  render(data, fmt) {
    const { t } = fmt
    const p = (v: number | null) => (v === null ? '—' : fmt.percent(v, 1))
    const d = (v: number | null) => (v === null ? '—' : fmt.duration(v))
    const key = table(
      [t.opened, t.resolved, t.responseTime, t.resolutionTime, t.responseMet, t.resolveMet, t.slaCompliance],
      [[fmt.number(data.opened), fmt.number(data.resolved), d(data.medianResponseMs), d(data.medianResolveMs), p(data.responseCompliance), p(data.resolveCompliance), `<b>${p(data.slaCompliance)}</b>`].map(esc).map((c, i) => (i === 6 ? `<b>${esc(p(data.slaCompliance))}</b>` : c))],
    )
    const levels = barChart(data.byLevel.map((l) => ({ label: `${t.faultLevel} ${l.level}`, value: l.opened, text: `${fmt.number(l.opened)} / ${fmt.number(l.resolved)}` })))
    const repeats = table([t.device, t.finding, t.repeatFaults], data.repeats.map((r) => [esc(r.name), esc(r.title), esc(fmt.number(r.count))]))
    const reports = table([t.device, t.finding, t.reason, t.recommendation], data.problemReports.map((r) => [esc(r.name), esc(r.problemType ?? r.title), esc(r.cause ?? ''), esc(r.method ?? '')]))
    return section('tickets', t.tickets, key + sub(t.faultLevel, levels, t.none) + sub(t.repeatFaults, repeats, t.none) + sub(t.problemReports, reports, t.none))
  },
}
