/**
 * The pre-inspection review (巡检前检查单): one page per site for the engineer before the visit —
 * what is wrong, what is open, what has gone quiet, and what to bring. It reuses the report's
 * readings (supply and disk forecasts) over the last weeks instead of a quarter.
 */
import type { Queryable } from '../store/db.js'
import { loadCustomer, loadDevices } from './build.js'
import { esc, makeFormatter } from './format.js'
import { section, sub, table } from './html-parts.js'
import { REPORT_CSS } from './html.js'
import type { Lang } from './i18n.js'
import type { ReportDevice, SectionContext } from './model.js'
import { customPeriod } from './period.js'
import { diskVerdicts, filesystemForecasts } from './sections/computers.js'
import { supplyForecasts } from './sections/printers.js'

/** How far back the review looks for readings and recently resolved tickets. */
const LOOKBACK_DAYS = 30
/** A device silent this long is "not seen for a while". */
const NOT_SEEN_HOURS = 24
/** Supplies to bring: will run out before the visit after this one. */
const BRING_IF_EMPTY_WITHIN_DAYS = 90
const BRING_IF_BELOW_PERCENT = 20

export interface ReviewOptions {
  customerId: string
  site: string
  lang: Lang
  tz: string
  now?: Date
}

export interface BringItem {
  kind: 'toner' | 'disk' | 'battery'
  item: string
  quantity: number
  /** The devices it is for. */
  for: string[]
}

export interface SiteReview {
  customer: string
  site: { id: string; name: string }
  lang: Lang
  tz: string
  generatedAt: Date
  problems: { deviceId: string; name: string; problem: string }[]
  tickets: { id: number; name: string; level: string; title: string; status: string; openedAt: Date }[]
  notSeen: { deviceId: string; name: string; lastSeen: Date | null }[]
  toReplace: { deviceId: string; name: string; part: string; why: string }[]
  bringList: BringItem[]
  checklist: string[]
}

interface InventoryDisk {
  device?: string
  name?: string
  type?: string
  sizeBytes?: number
  interface?: string
}

/** "SSD 256 GB SATA": what to take off the shelf, from what the agent reported about the disk. */
export function diskDescription(device: ReportDevice, diskName: string): string {
  const disks = ((device.inventory?.disks ?? []) as InventoryDisk[]).filter((d) => d && typeof d === 'object')
  const disk = disks.find((d) => d.device === diskName || d.name === diskName || (d.device && diskName.endsWith(d.device))) ?? disks[0]
  if (!disk) return diskName
  const size = disk.sizeBytes ? (disk.sizeBytes >= 1e12 ? `${Math.round(disk.sizeBytes / 1e11) / 10} TB` : `${Math.round(disk.sizeBytes / 1e9)} GB`) : ''
  return [disk.type, size, disk.interface].filter(Boolean).join(' ')
}

function addToList(list: BringItem[], kind: BringItem['kind'], item: string, forName: string) {
  const found = list.find((b) => b.kind === kind && b.item === item)
  if (found) {
    found.quantity++
    found.for.push(forName)
  } else list.push({ kind, item, quantity: 1, for: [forName] })
}

export async function buildSiteReview(db: Queryable, options: ReviewOptions): Promise<SiteReview> {
  const now = options.now ?? new Date()
  const customer = await loadCustomer(db, options.customerId)
  const site = customer.sites.find((s) => s.id === options.site)
  if (!site) throw new Error(`customer "${options.customerId}" has no site "${options.site}"`)
  const devices = await loadDevices(db, options.customerId, options.site)
  const fmt = makeFormatter(options.lang, options.tz)
  const t = fmt.t
  const period = customPeriod(new Date(now.getTime() - LOOKBACK_DAYS * 86_400_000), now)
  const ctx: SectionContext = {
    db,
    meta: { customer, site: options.site, period, lang: options.lang, tz: options.tz, generatedAt: now, devices: devices.length },
    devices,
    byId: new Map(devices.map((d) => [d.id, d])),
    fmt,
    done: {},
  }
  const problems: SiteReview['problems'] = []
  const toReplace: SiteReview['toReplace'] = []
  const bringList: BringItem[] = []

  for (const d of await diskVerdicts(ctx, devices.filter((x) => x.inventory))) {
    if (d.verdict !== 'warning' && d.verdict !== 'failing') continue
    const device = ctx.byId.get(d.deviceId)!
    problems.push({ deviceId: d.deviceId, name: d.name, problem: `${t.diskHealth}: ${d.disk} ${t.smartVerdict[d.verdict]}` })
    const description = diskDescription(device, d.disk)
    toReplace.push({ deviceId: d.deviceId, name: d.name, part: `${t.diskItem} ${description}`, why: `SMART ${t.smartVerdict[d.verdict]}` })
    addToList(bringList, 'disk', `${t.diskItem} ${description}`, d.name)
  }
  for (const f of await filesystemForecasts(ctx, devices)) {
    if (f.usedPercent >= 90 || (f.daysUntilFull !== null && f.daysUntilFull < 30)) {
      problems.push({ deviceId: f.deviceId, name: f.name, problem: `${f.mount} ${t.used} ${fmt.percent(f.usedPercent)}${f.daysUntilFull === null ? '' : `, ${t.daysUntilFull} ${fmt.number(f.daysUntilFull)}`}` })
    }
  }
  for (const s of await supplyForecasts(ctx, devices.filter((d) => d.category === 'printer').map((d) => d.id))) {
    const soon = s.daysUntilEmpty !== null && s.daysUntilEmpty <= BRING_IF_EMPTY_WITHIN_DAYS
    if (!soon && s.percent >= BRING_IF_BELOW_PERCENT) continue
    // The supply's own description is what the printer calls it: the cartridge to order.
    addToList(bringList, 'toner', s.supply, s.name)
    if (s.percent < BRING_IF_BELOW_PERCENT) problems.push({ deviceId: s.deviceId, name: s.name, problem: `${s.supply} ${fmt.percent(s.percent, 0)}` })
  }
  const ups = await db.query<{ device_id: string; runtime: number | null; low: number | null }>(
    `select device_id,
            (array_agg(avg order by bucket desc) filter (where metric = 'ups.runtime_seconds'))[1] as runtime,
            max(max) filter (where metric = 'ups.battery_low') as low
       from metric_hourly where device_id = any($1) and metric in ('ups.runtime_seconds', 'ups.battery_low') and bucket >= $2 and bucket < $3
      group by device_id`,
    [devices.filter((d) => d.category === 'ups').map((d) => d.id), period.from, now],
  )
  for (const u of ups.rows) {
    const device = ctx.byId.get(u.device_id)!
    const minutes = u.runtime === null ? null : Math.round(Number(u.runtime) / 60)
    if (!(Number(u.low) === 1 || (minutes !== null && minutes < 10))) continue
    const why = minutes === null ? 'battery low' : `${t.runtime}: ${fmt.number(minutes)}`
    problems.push({ deviceId: device.id, name: device.name, problem: why })
    toReplace.push({ deviceId: device.id, name: device.name, part: `${t.batteryItem} ${device.model ?? device.name}`, why })
    addToList(bringList, 'battery', `${t.batteryItem} ${device.model ?? device.name}`, device.name)
  }
  const notSeen = devices
    .filter((d) => !d.lastSeen || now.getTime() - d.lastSeen.getTime() > NOT_SEEN_HOURS * 3_600_000)
    .map((d) => ({ deviceId: d.id, name: d.name, lastSeen: d.lastSeen }))
  const tickets = await db.query<{ id: number; device_id: string; level: string; title: string; status: string; opened_at: Date }>(
    `select id, device_id, level, title, status, opened_at from ticket
      where customer = $1 and site = $2 and (status in ('open', 'acknowledged', 'in_progress') or resolved_at >= $3)
      order by status in ('resolved', 'closed'), level, opened_at desc limit 50`,
    [options.customerId, options.site, period.from],
  )
  const checklist = [...t.checks, ...problems.map((p) => `${p.name}: ${p.problem}`)]
  return {
    customer: customer.name,
    site,
    lang: options.lang,
    tz: options.tz,
    generatedAt: now,
    problems,
    tickets: tickets.rows.map((r) => ({ id: r.id, name: ctx.byId.get(r.device_id)?.name ?? r.device_id, level: r.level, title: r.title, status: r.status, openedAt: new Date(r.opened_at) })),
    notSeen,
    toReplace,
    bringList,
    checklist,
  }
}

export function renderReviewHtml(review: SiteReview): string {
  const fmt = makeFormatter(review.lang, review.tz)
  const { t } = fmt
  const body = [
    `<h1>${esc(t.preInspectionTitle)}</h1><p>${esc(t.customer)}: ${esc(review.customer)} · ${esc(t.site)}: ${esc(review.site.name)} · ${esc(fmt.dateTime(review.generatedAt))}</p>`,
    section('bring', t.bringList, table([t.item, t.quantity, t.devices], review.bringList.map((b) => [esc(b.item), esc(fmt.number(b.quantity)), esc(b.for.join(', '))])) || `<p>${esc(t.none)}</p>`),
    section('problems', t.problemsAndWarnings, table([t.device, t.finding], review.problems.map((p) => [esc(p.name), esc(p.problem)])) || `<p>${esc(t.none)}</p>`),
    section('tickets', t.openTickets, table(['#', t.device, t.faultLevel, t.finding, t.status, t.opened], review.tickets.map((k) => [esc(k.id), esc(k.name), esc(k.level), esc(k.title), esc(t.ticketStatus[k.status] ?? k.status), esc(fmt.dateTime(k.openedAt))])) || `<p>${esc(t.none)}</p>`),
    sub(t.notSeen, table([t.device, t.lastSeen], review.notSeen.map((n) => [esc(n.name), esc(fmt.dateTime(n.lastSeen))])), t.none),
    sub(t.toReplace, table([t.device, t.item, t.reason], review.toReplace.map((r) => [esc(r.name), esc(r.part), esc(r.why)])), t.none),
    section('checklist', t.checklist, `<ul class="checklist">${review.checklist.map((c) => `<li>${esc(c)}</li>`).join('')}</ul>`),
  ].join('\n')
  return `<!doctype html><html lang="${esc(review.lang)}"><head><meta charset="utf-8"><title>${esc(`${t.preInspectionTitle} · ${review.site.name}`)}</title><style>${REPORT_CSS} body{font-size:9.5pt} h2{margin-top:4mm}</style></head><body><main>${body}</main></body></html>`
}
