/**
 * buildReport: gathers every registered section's data for one customer (or one site) and period.
 * Rendering is separate (html.ts, pdf.ts) so the numbers can be tested and edited before printing.
 */
import type { Queryable } from '../store/db.js'
import { makeFormatter } from './format.js'
import { hourlySource } from './hourly.js'
import type { Lang } from './i18n.js'
import type { ReportCustomer, ReportData, ReportDevice, ReportMeta, ReportSections, Section, SectionContext, SectionId } from './model.js'
import { customPeriod, parseQuarter, type ReportPeriod } from './period.js'
import { SECTIONS } from './sections/index.js'

export interface BuildOptions {
  customerId: string
  /** "2026Q3", or an explicit span. */
  period: string | { from: Date; to: Date }
  lang: Lang
  /** IANA time zone of the customer: quarters start at its midnight. */
  tz: string
  site?: string | undefined
  /** The report's "now": data after it is not read (defaults to the clock). */
  now?: Date
  /** Called as each section finishes, for progress output. */
  onProgress?: (done: number, total: number, section: SectionId) => void
}

export async function loadCustomer(db: Queryable, customerId: string): Promise<ReportCustomer> {
  const customer = await db.query<{ id: string; name: string; engineer: string | null }>('select id, name, engineer from customer where id = $1', [customerId])
  const sites = await db.query<{ id: string; name: string }>('select id, name from site where customer_id = $1 order by id', [customerId])
  const row = customer.rows[0]
  if (!row) {
    // Devices report before anyone enters the customer record: report on them under the id.
    const found = await db.query<{ site: string }>('select distinct site from device where customer = $1 order by site', [customerId])
    if (!found.rows.length) throw new Error(`no customer "${customerId}" and no devices reporting for it`)
    return { id: customerId, name: customerId, engineer: null, sites: found.rows.map((s) => ({ id: s.site, name: s.site })) }
  }
  return { ...row, sites: sites.rows }
}

export async function loadDevices(db: Queryable, customerId: string, site?: string): Promise<ReportDevice[]> {
  const { rows } = await db.query<{
    id: string; hostname: string | null; site: string; category: string | null; kind: string; model: string | null; serial: string | null
    asset_tag: string | null; warranty_end: string | null; status: string; last_seen: Date | null; inventory: Record<string, unknown> | null; state: Record<string, unknown> | null
  }>(
    `select id, hostname, site, category, kind, model, serial, asset_tag, to_char(warranty_end, 'YYYY-MM-DD') as warranty_end, status, last_seen, inventory, state
       from device where customer = $1 and ($2::text is null or site = $2) order by site, coalesce(hostname, id)`,
    [customerId, site ?? null],
  )
  return rows.map((r) => ({
    id: r.id,
    name: r.hostname ?? r.id,
    site: r.site,
    category: r.category ?? (r.kind === 'agent' ? 'pc' : 'other'),
    model: r.model,
    serial: r.serial,
    assetTag: r.asset_tag,
    warrantyEnd: r.warranty_end,
    status: r.status,
    lastSeen: r.last_seen ? new Date(r.last_seen) : null,
    inventory: r.inventory,
    state: r.state,
  }))
}

/** Sections in an order where each runs after the ones it reads. */
export function collectionOrder(sections: readonly Section<SectionId>[]): Section<SectionId>[] {
  const ordered: Section<SectionId>[] = []
  const placed = new Set<SectionId>()
  const present = new Set(sections.map((s) => s.id))
  let pending = [...sections]
  while (pending.length) {
    const ready = pending.filter((s) => (s.after ?? []).every((id) => placed.has(id) || !present.has(id)))
    if (!ready.length) throw new Error(`report sections depend on each other in a circle: ${pending.map((s) => s.id).join(', ')}`)
    for (const s of ready) {
      ordered.push(s)
      placed.add(s.id)
    }
    pending = pending.filter((s) => !placed.has(s.id))
  }
  return ordered
}

/** The collection order cut into waves: each wave reads only sections of earlier waves. */
export function collectionWaves(sections: readonly Section<SectionId>[]): Section<SectionId>[][] {
  const waves: Section<SectionId>[][] = []
  const placed = new Set<SectionId>()
  for (const section of collectionOrder(sections)) {
    const needs = (section.after ?? []).filter((id) => sections.some((s) => s.id === id))
    const current = waves.at(-1)
    // Joins the last wave unless it needs something collected in that very wave.
    if (current && needs.every((id) => placed.has(id) && !current.some((s) => s.id === id))) current.push(section)
    else waves.push([section])
    placed.add(section.id)
  }
  return waves
}

export async function buildReport(db: Queryable, options: BuildOptions): Promise<ReportData> {
  const period: ReportPeriod = typeof options.period === 'string' ? parseQuarter(options.period, options.tz) : customPeriod(options.period.from, options.period.to)
  const customer = await loadCustomer(db, options.customerId)
  const devices = await loadDevices(db, options.customerId, options.site)
  const meta: ReportMeta = {
    customer: options.site ? { ...customer, sites: customer.sites.filter((s) => s.id === options.site) } : customer,
    site: options.site ?? null,
    period,
    lang: options.lang,
    tz: options.tz,
    generatedAt: options.now ?? new Date(),
    devices: devices.length,
  }
  const end = meta.generatedAt < period.to ? meta.generatedAt : period.to
  const hourly = await hourlySource(db, period.from, end > period.from ? end : period.to)
  const ctx: SectionContext = { db, meta, devices, byId: new Map(devices.map((d) => [d.id, d])), fmt: makeFormatter(options.lang, options.tz), done: {}, hourly }
  let count = 0
  // Sections that do not read each other are collected at the same time: on PostgreSQL each query
  // gets its own pooled connection (and core); the embedded database queues them, at no cost.
  for (const wave of collectionWaves(SECTIONS)) {
    await Promise.all(
      wave.map(async (section) => {
        const data = await section.collect(ctx)
        ;(ctx.done as Record<SectionId, unknown>)[section.id] = data
        options.onProgress?.(++count, SECTIONS.length, section.id)
      }),
    )
  }
  return { meta, sections: ctx.done as ReportSections }
}
