import { esc } from '../format.js'
import { PHRASES } from '../i18n.js'
import { section, table } from '../html-parts.js'
import type { Finding, Section } from '../model.js'

/** The horizon of "soon": within the next quarter, the time until the next inspection. */
export const FINDING_HORIZON_DAYS = 90
const SLA_TARGET = 95

/**
 * Service suggestions (服务建议) drawn from the other sections, each with the reading that caused
 * it. Keys are stable so an engineer's edits can be applied on top before the report is issued.
 */
export const findingsSection: Section<'findings'> = {
  id: 'findings',
  after: ['availability', 'computers', 'printers', 'ups', 'tickets', 'inventory'],
  async collect(ctx) {
    const p = PHRASES[ctx.meta.lang]
    const { done, fmt } = ctx
    const out: Finding[] = []
    for (const f of done.computers?.filesystems ?? []) {
      if (f.daysUntilFull === null || f.daysUntilFull > FINDING_HORIZON_DAYS) continue
      const days = Math.round(f.daysUntilFull)
      out.push({ severity: days <= 30 ? 'critical' : 'warning', deviceId: f.deviceId, key: `fs:${f.deviceId}:${f.mount}`, text: p.fsFull(f.mount, f.name, days), recommendation: p.fsFullDo })
    }
    for (const d of done.computers?.disks ?? []) {
      if (d.verdict === 'warning') out.push({ severity: 'warning', deviceId: d.deviceId, key: `smart:${d.deviceId}:${d.disk}`, text: p.smartDegrading(d.disk, d.name), recommendation: p.smartDo })
      if (d.verdict === 'failing') out.push({ severity: 'critical', deviceId: d.deviceId, key: `smart:${d.deviceId}:${d.disk}`, text: p.smartFailing(d.disk, d.name), recommendation: p.smartDo })
    }
    const byOs = new Map<string, string[]>()
    for (const d of done.computers?.outdatedOs ?? []) byOs.set(d.os, [...(byOs.get(d.os) ?? []), d.name])
    for (const [os, names] of byOs) out.push({ severity: 'warning', deviceId: null, key: `os:${os}`, text: p.outdatedOs(os, names.sort()), recommendation: p.outdatedOsDo })
    for (const s of done.printers?.supplies ?? []) {
      if (s.daysUntilEmpty === null || s.daysUntilEmpty > FINDING_HORIZON_DAYS) continue
      out.push({ severity: 'info', deviceId: s.deviceId, key: `supply:${s.deviceId}:${s.supply}`, text: p.supplyOut(s.supply, s.name, Math.round(s.daysUntilEmpty)), recommendation: p.supplyDo })
    }
    for (const d of done.availability?.perDevice ?? []) {
      if (d.percent >= 99) continue
      out.push({ severity: d.percent < 95 ? 'critical' : 'warning', deviceId: d.deviceId, key: `availability:${d.deviceId}`, text: p.lowAvailability(d.name, fmt.percent(d.percent, 2)), recommendation: p.lowAvailabilityDo })
    }
    for (const u of done.ups?.devices ?? []) {
      if (u.lastRuntimeMin === null || u.lastRuntimeMin >= 10) continue
      out.push({ severity: 'warning', deviceId: u.deviceId, key: `ups:${u.deviceId}`, text: p.upsBattery(u.name, u.lastRuntimeMin), recommendation: p.upsDo })
    }
    for (const d of done.inventory?.devices ?? []) {
      if (d.warranty !== 'ending') continue
      out.push({ severity: 'info', deviceId: d.deviceId, key: `warranty:${d.deviceId}`, text: p.warrantyEnding(d.name, fmt.date(d.warrantyEnd)), recommendation: p.warrantyDo })
    }
    for (const r of done.tickets?.repeats ?? []) {
      out.push({ severity: r.count >= 3 ? 'critical' : 'warning', deviceId: r.deviceId, key: `repeat:${r.deviceId}:${r.title}`, text: p.repeatFault(r.name, r.title, r.count), recommendation: p.repeatDo })
    }
    const sla = done.tickets?.slaCompliance
    if (sla != null && sla < SLA_TARGET) out.push({ severity: 'warning', deviceId: null, key: 'sla', text: p.sla(fmt.percent(sla, 1)), recommendation: p.slaDo })
    const rank = { critical: 0, warning: 1, info: 2 }
    return { findings: out.sort((a, b) => rank[a.severity] - rank[b.severity]) }
  },
  render(data, fmt) {
    const { t } = fmt
    const rows = data.findings.map((f, i) => [esc(String(i + 1)), `<span class="sev-${f.severity}">●</span> ${esc(f.text)}`, esc(f.recommendation)])
    return section('findings', t.findings, table(['#', t.finding, t.recommendation], rows) || `<p>${esc(t.none)}</p>`)
  },
}
