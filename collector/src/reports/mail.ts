/**
 * E-mailing an archived report to the customer: to `customer.report_recipients`, or its
 * `contact_email` when none are set; subject and body in the report's language; the PDF attached,
 * or the HTML when the archive has no PDF. The outcome is written on the archive row.
 *
 * Why not the notification outbox (notify/): its rows are ticket events sent to configured
 * targets, with the ticket as payload. A report mail goes to the customer's own contacts and
 * carries a file that already lives in the archive, so the archive row is its own outbox:
 * `email_next_at` says a mail is wanted and when to try, failures back off with the outbox's
 * schedule (notify/dispatcher.ts backoffMs) and keep the last error, and a round leases due rows
 * with `for update skip locked` so two collectors never send one report twice at once.
 */
import nodemailer from 'nodemailer'
import type { Db, Queryable } from '../store/db.js'
import { backoffMs } from '../notify/dispatcher.js'
import { archiveFileNames, ENTRY_COLUMNS, toEntry, type ArchiveEntry, type EntryRow } from './archive.js'
import { MAIL } from './i18n.js'

export interface ReportMailSettings {
  /** smtp://user:pass@host:port or smtps://… */
  smtpUrl: string
  from: string
}

/** After this many failed attempts a report mail is given up (the error stays for a person to see). */
export const MAX_MAIL_ATTEMPTS = 8
const LEASE_MS = 10 * 60_000
const TIMEOUT_MS = 20_000
const RETRY_BASE_MS = 60_000

export interface MailOutcome {
  entry: ArchiveEntry
  sent: boolean
  error: string | null
}

/** The customer's report recipients: report_recipients, else contact_email (which may list several). */
export async function reportRecipients(db: Queryable, customer: string): Promise<{ name: string; to: string[] }> {
  const { rows } = await db.query<{ name: string; contact_email: string | null; report_recipients: string[] | null }>('select name, contact_email, report_recipients from customer where id = $1', [customer])
  const row = rows[0]
  if (!row) return { name: customer, to: [] }
  const listed = (row.report_recipients ?? []).map((s) => s.trim()).filter(Boolean)
  const to = listed.length ? listed : (row.contact_email ?? '').split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean)
  return { name: row.name, to: [...new Set(to)] }
}

async function deliver(db: Queryable, id: string, settings: ReportMailSettings): Promise<string[]> {
  const { rows } = await db.query<EntryRow & { html: string; pdf: Buffer | null }>(`select ${ENTRY_COLUMNS}, html, pdf from report_archive where id = $1`, [id])
  const row = rows[0]
  if (!row) throw new Error(`report ${id} is no longer in the archive`)
  const entry = toEntry(row)
  const { name, to } = await reportRecipients(db, entry.customer)
  if (!to.length) throw new Error(`customer "${entry.customer}" has no report_recipients and no contact_email`)
  const kind = row.pdf ? 'pdf' : 'html'
  const names = archiveFileNames(entry, name, kind)
  const words = MAIL[entry.lang]
  const transport = nodemailer.createTransport({ url: settings.smtpUrl, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS } as Parameters<typeof nodemailer.createTransport>[0])
  try {
    await transport.sendMail({
      from: settings.from,
      to,
      subject: words.subject(name, entry.periodLabel, entry.version),
      text: words.body(name, entry.periodLabel, kind),
      // One id per archived version: a receiver (or a mail log) can tell a resend from a new report.
      messageId: `<report.${entry.id}@patrol>`,
      headers: { 'X-Patrol-Report': `${entry.id} v${entry.version}` },
      attachments: [
        kind === 'pdf'
          ? { filename: names.utf8, content: Buffer.from(row.pdf!), contentType: 'application/pdf' }
          : { filename: names.utf8, content: row.html, contentType: 'text/html; charset=utf-8' },
      ],
    })
  } finally {
    transport.close()
  }
  return to
}

/**
 * Sends one archived report now, whatever its schedule, and records the outcome. A failure keeps
 * the row due for a retry (backoff) until MAX_MAIL_ATTEMPTS. A report the customer was sent is
 * issued: what they hold is final, a correction is a new version.
 */
export async function sendReportMail(db: Queryable, id: string, settings: ReportMailSettings, now = new Date(), by = 'scheduler'): Promise<MailOutcome> {
  try {
    const to = await deliver(db, id, settings)
    const { rows } = await db.query<EntryRow>(
      `update report_archive set emailed_at = $2, emailed_to = $3, email_attempts = email_attempts + 1, email_next_at = null, email_error = null,
              status = 'issued', issued_at = coalesce(issued_at, $2), issued_by = coalesce(issued_by, $4)
        where id = $1 returning ${ENTRY_COLUMNS}`,
      [id, now, to, by],
    )
    return { entry: toEntry(rows[0]!), sent: true, error: null }
  } catch (error) {
    // nodemailer's messages name the server and the SMTP answer, never the URL's password.
    const message = (error as Error).message.slice(0, 1000)
    // The outbox's backoff (notify/dispatcher.ts backoffMs) with a one-minute base: 1, 2, 4 … 60 min.
    const { rows } = await db.query<EntryRow>(
      `update report_archive set email_attempts = email_attempts + 1, email_error = $2,
              email_next_at = case when email_attempts + 1 >= $3 then null
                                   else $4::timestamptz + make_interval(secs => least($5::float8, $6::float8 * power(2, email_attempts))) end
        where id = $1 returning ${ENTRY_COLUMNS}`,
      [id, message, MAX_MAIL_ATTEMPTS, now, backoffMs(Infinity, RETRY_BASE_MS) / 1000, RETRY_BASE_MS / 1000],
    )
    if (!rows[0]) throw new Error(`report ${id} is no longer in the archive`, { cause: error })
    const entry = toEntry(rows[0])
    return { entry, sent: false, error: message }
  }
}

/** Sends every report mail that is due; leases rows first so collectors do not send one twice. */
export async function sendDueReportMails(db: Db, settings: ReportMailSettings, now = new Date(), limit = 20): Promise<MailOutcome[]> {
  const { rows } = await db.query<{ id: string }>(
    `update report_archive set email_next_at = $2 where id in (
       select id from report_archive where email_next_at is not null and emailed_at is null and email_next_at <= $1
        order by email_next_at limit $3 for update skip locked)
     returning id::text as id`,
    [now, new Date(now.getTime() + LEASE_MS), limit],
  )
  const outcomes: MailOutcome[] = []
  for (const { id } of rows) outcomes.push(await sendReportMail(db, id, settings, now))
  return outcomes
}
