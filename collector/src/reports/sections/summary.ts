import { esc } from '../format.js'
import { section, table } from '../html-parts.js'
import type { Section, SummaryData } from '../model.js'

/**
 * One letter a customer can read at a glance. Availability and unresolved critical findings weigh
 * most: they are what the customer felt or is about to feel.
 */
export function healthGrade(availability: number, criticalFindings: number, sla: number | null): SummaryData['grade'] {
  const slaOk = sla === null || sla >= 95
  if (availability >= 99.9 && criticalFindings === 0 && slaOk) return 'A'
  if (availability >= 99.5 && criticalFindings <= 3) return 'B'
  if (availability >= 98) return 'C'
  return 'D'
}

export const summarySection: Section<'summary'> = {
  id: 'summary',
  after: ['availability', 'tickets', 'printers', 'findings'],
  async collect({ done, meta }) {
    const availability = done.availability?.overallPercent ?? 100
    const findings = done.findings?.findings ?? []
    const critical = findings.filter((f) => f.severity === 'critical').length
    const sla = done.tickets?.slaCompliance ?? null
    return {
      grade: healthGrade(availability, critical, sla),
      devices: meta.devices,
      keyNumbers: [
        { key: 'availability', current: availability, previous: done.availability?.previousOverallPercent ?? null, unit: 'percent' },
        { key: 'tickets', current: done.tickets?.opened ?? 0, previous: done.tickets?.previousOpened ?? null, unit: 'count' },
        { key: 'slaCompliance', current: sla, previous: null, unit: 'percent' },
        { key: 'findings', current: findings.length, previous: null, unit: 'count' },
        { key: 'pagesPrinted', current: done.printers?.totalPages ?? 0, previous: null, unit: 'count' },
      ],
    }
  },
  render(data, fmt, report) {
    const { t } = fmt
    const label = { availability: t.availability, tickets: t.tickets, slaCompliance: t.slaCompliance, findings: t.findings, pagesPrinted: t.pagesPrinted }
    const show = (v: number | null, unit: 'percent' | 'count') => (v === null ? '—' : unit === 'percent' ? fmt.percent(v, 2) : fmt.number(v))
    const rows = data.keyNumbers.map((k) => [esc(label[k.key]), `<b>${esc(show(k.current, k.unit))}</b>`, esc(show(k.previous, k.unit))])
    return section(
      'summary',
      t.summary,
      `<div class="grade grade-${data.grade}"><span class="letter">${data.grade}</span><span>${esc(t.healthGrade)}: ${esc(t.grade[data.grade])}</span></div>` +
        `<p>${esc(t.devicesCovered)}: ${esc(fmt.number(data.devices))} · ${esc(t.sites)}: ${esc(report.meta.customer.sites.map((s) => s.name).join(t.listSeparator))}</p>` +
        `<h3>${esc(t.keyNumbers)}</h3>` + table(['', `${t.thisPeriod} (${report.meta.period.label})`, `${t.previousPeriod} (${report.meta.period.previous.label})`], rows),
    )
  },
}
