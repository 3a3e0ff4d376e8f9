import { esc } from '../format.js'
import { listInspections } from '../inspections.js'
import { section, table } from '../html-parts.js'
import type { Section } from '../model.js'

/** The site visits engineers saved from the pre-inspection checklist during the period. */
export const inspectionsSection: Section<'inspections'> = {
  id: 'inspections',
  async collect(ctx) {
    const { meta } = ctx
    const { items } = await listInspections(ctx.db, { customer: meta.customer.id, site: meta.site, from: meta.period.from, to: meta.period.to })
    const siteName = new Map(meta.customer.sites.map((s) => [s.id, s.name]))
    return {
      visits: items.reverse().map((r) => ({
        id: r.id,
        site: r.site,
        siteName: siteName.get(r.site) ?? r.site,
        engineer: r.engineer,
        visitedAt: new Date(r.visitedAt),
        done: r.items.filter((i) => i.done).length,
        total: r.items.length,
        open: r.items.filter((i) => !i.done).map((i) => (i.notes ? `${i.item} (${i.notes})` : i.item)),
        notes: r.notes,
      })),
    }
  },
  render(data, fmt) {
    const { t } = fmt
    const rows = data.visits.map((v) => [
      esc(fmt.dateTime(v.visitedAt)),
      esc(v.siteName),
      esc(v.engineer),
      esc(`${fmt.number(v.done)} / ${fmt.number(v.total)}`),
      esc(v.open.join(t.listSeparator)),
      esc(v.notes ?? ''),
    ])
    return section('inspections', t.inspections, table([t.visitedAt, t.site, t.engineer, t.checklistDone, t.openItems, t.notes], rows) || `<p class="muted">${esc(t.none)}</p>`)
  },
}
