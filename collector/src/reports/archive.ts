/**
 * The customer's report archive (维护档案): every generated report with its files, kept in the
 * database (table report_archive, migration 005) so several collectors serve one archive and a
 * database backup holds every report ever sent.
 *
 * Versions: regenerating a report for the same customer, site, period and language adds version
 * n + 1; earlier versions stay, so what a customer was sent can always be shown again. The version
 * is taken under a transaction-scoped advisory lock keyed on that combination (PostgreSQL; the
 * embedded database has one connection), and the unique index is the second guard.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { Db, Queryable } from '../store/db.js'
import type { ReportEdits } from './edits.js'
import type { Finding } from './model.js'
import type { ProducedReport } from './produce.js'

export type ReportTrigger = 'scheduled' | 'api' | 'cli'
export type ReportStatus = 'draft' | 'issued'

export interface ArchiveEntry {
  id: string
  customer: string
  site: string | null
  periodLabel: string
  periodFrom: string
  periodTo: string
  lang: 'zh-CN' | 'en'
  timeZone: string
  version: number
  status: ReportStatus
  issuedAt: string | null
  issuedBy: string | null
  generatedAt: string
  generatedBy: string
  trigger: ReportTrigger
  grade: string | null
  devices: number
  htmlBytes: number
  htmlSha256: string
  pdfBytes: number | null
  pdfSha256: string | null
  pdfPages: number | null
  /** Why the archive has no PDF for this version (no renderer on the collector that made it). */
  pdfMissing: string | null
  emailedAt: string | null
  emailedTo: string[] | null
  emailAttempts: number
  emailNextAt: string | null
  emailError: string | null
}

export interface ArchiveDetail extends ArchiveEntry {
  findings: Finding[]
  edits: ReportEdits | null
}

const LOCK_NAMESPACE = 7_201_931 // "patrol report archive"

/** The columns of an entry, file bodies left out (lists must stay small). */
export const ENTRY_COLUMNS = `id::text as id, customer_id, site_id, period_label, period_from, period_to, lang, time_zone, version, status, issued_at, issued_by,
  generated_at, generated_by, trigger, grade, devices, html_bytes, html_sha256, pdf_bytes, pdf_sha256, pdf_pages, pdf_missing,
  emailed_at, emailed_to, email_attempts, email_next_at, email_error`

export interface EntryRow {
  id: string
  customer_id: string
  site_id: string | null
  period_label: string
  period_from: Date
  period_to: Date
  lang: 'zh-CN' | 'en'
  time_zone: string
  version: number
  status: ReportStatus
  issued_at: Date | null
  issued_by: string | null
  generated_at: Date
  generated_by: string
  trigger: ReportTrigger
  grade: string | null
  devices: number
  html_bytes: number
  html_sha256: string
  pdf_bytes: number | null
  pdf_sha256: string | null
  pdf_pages: number | null
  pdf_missing: string | null
  emailed_at: Date | null
  emailed_to: string[] | null
  email_attempts: number
  email_next_at: Date | null
  email_error: string | null
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())

export function toEntry(r: EntryRow): ArchiveEntry {
  return {
    id: r.id,
    customer: r.customer_id,
    site: r.site_id,
    periodLabel: r.period_label,
    periodFrom: iso(r.period_from)!,
    periodTo: iso(r.period_to)!,
    lang: r.lang,
    timeZone: r.time_zone,
    version: r.version,
    status: r.status,
    issuedAt: iso(r.issued_at),
    issuedBy: r.issued_by,
    generatedAt: iso(r.generated_at)!,
    generatedBy: r.generated_by,
    trigger: r.trigger,
    grade: r.grade,
    devices: r.devices,
    htmlBytes: r.html_bytes,
    htmlSha256: r.html_sha256,
    pdfBytes: r.pdf_bytes,
    pdfSha256: r.pdf_sha256,
    pdfPages: r.pdf_pages,
    pdfMissing: r.pdf_missing,
    emailedAt: iso(r.emailed_at),
    emailedTo: r.emailed_to,
    emailAttempts: r.email_attempts,
    emailNextAt: iso(r.email_next_at),
    emailError: r.email_error,
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

export interface ArchiveOptions {
  trigger: ReportTrigger
  /** Username, or 'scheduler'. */
  generatedBy: string
  edits?: ReportEdits | undefined
  /** Queue the e-mail to the customer's recipients at once (the scheduler does). */
  emailDue?: Date | undefined
}

/** Stores a produced report as the next version; returns the entry. */
export async function archiveReport(db: Db, produced: ProducedReport, options: ArchiveOptions): Promise<ArchiveEntry> {
  const { report, html, pdf } = produced
  const { meta } = report
  const site = meta.site
  const html_bytes = Buffer.byteLength(html)
  return db.transaction(async (tx) => {
    if (db.engine === 'postgres') {
      await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, JSON.stringify([meta.customer.id, site ?? '', meta.period.label, meta.lang])])
    }
    const { rows: last } = await tx.query<{ v: number }>(
      `select coalesce(max(version), 0)::int as v from report_archive where customer_id = $1 and coalesce(site_id, '') = $2 and period_label = $3 and lang = $4`,
      [meta.customer.id, site ?? '', meta.period.label, meta.lang],
    )
    const { rows } = await tx.query<EntryRow>(
      `insert into report_archive (id, customer_id, site_id, period_label, period_from, period_to, lang, time_zone, version, generated_at, generated_by, trigger,
                                   grade, devices, html, html_bytes, html_sha256, pdf, pdf_bytes, pdf_sha256, pdf_pages, pdf_missing, findings, edits, email_next_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23::jsonb, $24::jsonb, $25)
       returning ${ENTRY_COLUMNS}`,
      [
        randomUUID(), meta.customer.id, site, meta.period.label, meta.period.from, meta.period.to, meta.lang, meta.tz, (last[0]?.v ?? 0) + 1, meta.generatedAt, options.generatedBy, options.trigger,
        report.sections.summary.grade, meta.devices, html, html_bytes, sha256(html), pdf, pdf?.length ?? null, pdf ? sha256(pdf) : null, produced.pdfPages, pdf ? null : (produced.pdfMissing ?? 'no PDF'),
        JSON.stringify(report.sections.findings.findings), options.edits ? JSON.stringify(options.edits) : null, options.emailDue ?? null,
      ],
    )
    return toEntry(rows[0]!)
  })
}

export interface ListFilter {
  /** null: every customer. */
  scope: string[] | null
  customer?: string | undefined
  site?: string | undefined
  period?: string | undefined
  lang?: string | undefined
  limit: number
  offset: number
}

export async function listArchive(db: Queryable, f: ListFilter): Promise<{ total: number; items: ArchiveEntry[] }> {
  const where = `($1::text[] is null or customer_id = any($1)) and ($2::text is null or customer_id = $2) and ($3::text is null or site_id = $3)
                 and ($4::text is null or period_label = $4) and ($5::text is null or lang = $5)`
  const params = [f.scope, f.customer ?? null, f.site ?? null, f.period ?? null, f.lang ?? null]
  const total = await db.query<{ n: number }>(`select count(*)::int as n from report_archive where ${where}`, params)
  const { rows } = await db.query<EntryRow>(
    `select ${ENTRY_COLUMNS} from report_archive where ${where} order by generated_at desc, version desc, id limit $6 offset $7`,
    [...params, f.limit, f.offset],
  )
  return { total: total.rows[0]?.n ?? 0, items: rows.map(toEntry) }
}

export async function getArchived(db: Queryable, id: string): Promise<ArchiveDetail | null> {
  const { rows } = await db.query<EntryRow & { findings: Finding[]; edits: ReportEdits | null }>(`select ${ENTRY_COLUMNS}, findings, edits from report_archive where id = $1`, [id])
  const r = rows[0]
  return r ? { ...toEntry(r), findings: r.findings, edits: r.edits } : null
}

export async function archivedFile(db: Queryable, id: string, kind: 'html' | 'pdf'): Promise<{ entry: ArchiveEntry; body: Buffer | null } | null> {
  const { rows } = await db.query<EntryRow & { body: string | Buffer | null }>(`select ${ENTRY_COLUMNS}, ${kind === 'html' ? 'html' : 'pdf'} as body from report_archive where id = $1`, [id])
  const r = rows[0]
  if (!r) return null
  const body = r.body === null ? null : typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body)
  return { entry: toEntry(r), body }
}

/** Marks a draft issued (idempotent: an issued report keeps its first issue time and issuer). */
export async function issueArchived(db: Queryable, id: string, by: string, at = new Date()): Promise<ArchiveEntry | null> {
  const { rows } = await db.query<EntryRow>(
    `update report_archive set status = 'issued', issued_at = coalesce(issued_at, $2), issued_by = coalesce(issued_by, $3) where id = $1 returning ${ENTRY_COLUMNS}`,
    [id, at, by],
  )
  return rows[0] ? toEntry(rows[0]) : null
}

/**
 * Download names of an archived file: a safe ASCII name (ids and labels only: no path, no quotes,
 * no control characters) and a readable UTF-8 one with the customer's own name, for RFC 5987's
 * `filename*`. Clients that understand filename* show the second; the rest the first.
 */
export function archiveFileNames(entry: ArchiveEntry, customerName: string, ext: 'html' | 'pdf'): { ascii: string; utf8: string } {
  const ascii = (s: string) => s.normalize('NFKD').replace(/[^0-9A-Za-z._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'report'
  const site = entry.site ? `-${entry.site}` : ''
  const base = `${entry.customer}${site}-${entry.periodLabel}-${entry.lang}-v${entry.version}`
  const readable = `${customerName}${site} ${entry.periodLabel} ${entry.lang === 'zh-CN' ? '巡检报告' : 'inspection report'} v${entry.version}`
  // Path separators and controls out of the readable name too: it is still a file name.
  const utf8 = [...readable].map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' || '\\/:*?"<>|'.includes(c) ? '_' : c)).join('').slice(0, 120)
  return { ascii: `inspection-${ascii(base)}.${ext}`, utf8: `${utf8}.${ext}` }
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 / 5987). */
export function contentDisposition(names: { ascii: string; utf8: string }): string {
  const encoded = encodeURIComponent(names.utf8).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${names.ascii}"; filename*=UTF-8''${encoded}`
}
