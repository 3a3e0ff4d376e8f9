/**
 * The quarter-end run: when a quarter has closed in a group customer's own time zone
 * (customer.time_zone) and a grace period has passed (late readings from agents that were offline,
 * tickets closed on the last evening), the previous quarter's report is generated in the
 * customer's language, archived (trigger 'scheduled', by 'scheduler') and e-mailed.
 *
 * - Idempotent: a customer whose scheduled report for that period exists is skipped; the unique
 *   index report_archive_scheduled makes that hold even if two rounds raced.
 * - Catches up: every round looks for the last closed quarter, so a collector that was down at
 *   quarter end generates it at its next start. Only the last closed quarter is caught up: after a
 *   longer outage older quarters are generated on demand (API or CLI), not mailed unasked.
 * - Not for quarters before the customer existed (customer.created_at after the quarter's end).
 * - Runs once across collectors: a round holds a transaction-scoped advisory lock (the pattern of
 *   store/maintenance.ts); the embedded database belongs to one process and needs none.
 * - Checks every `reportCheckIntervalS` and at start. The clock is injected so tests move time
 *   instead of waiting for timers.
 * - Then sends the report mails that are due (new ones, and retries of failed ones).
 */
import type { Logger } from 'pino'
import { tryXactLock, type Db } from '../store/db.js'
import { archiveReport, type ArchiveEntry } from './archive.js'
import { parseLang } from './i18n.js'
import { sendDueReportMails, type MailOutcome, type ReportMailSettings } from './mail.js'
import { lastClosedQuarter, parseQuarter } from './period.js'
import { produceReport } from './produce.js'

const LOCK_KEY = 7_201_932 // "patrol report scheduler"

export interface SchedulerSettings {
  /** Hours after the local quarter end before the report is made. */
  graceHours: number
  checkIntervalS: number
  /** null: reports are archived but not mailed (no SMTP server configured). */
  mail: ReportMailSettings | null
  /** false: HTML only (tests without Chromium time). */
  pdf?: boolean
}

export interface SchedulerRound {
  /** Another collector holds the round. */
  locked: boolean
  generated: ArchiveEntry[]
  skipped: { customer: string; period: string; why: 'exists' | 'customer-newer' }[]
  failed: { customer: string; period: string | null; error: string }[]
  mailed: MailOutcome[]
}

interface GroupCustomer {
  id: string
  language: string
  time_zone: string
  created_at: Date
}

export class ReportScheduler {
  private timer: NodeJS.Timeout | undefined
  private first: NodeJS.Timeout | undefined
  private running: Promise<SchedulerRound> | undefined

  constructor(
    private readonly db: Db,
    private readonly settings: SchedulerSettings,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  start(): void {
    const run = () => void this.tick().catch((error: Error) => this.logger.warn({ err: error.message }, 'report scheduler round failed'))
    // First round soon after start (the catch-up), not inside start-up itself.
    this.first = setTimeout(run, 5_000)
    this.first.unref()
    this.timer = setInterval(run, this.settings.checkIntervalS * 1000)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearTimeout(this.first)
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.running?.catch(() => undefined)
  }

  /** One round at `now` (the injected clock's time by default). Concurrent calls share a round. */
  tick(now = this.clock()): Promise<SchedulerRound> {
    this.running ??= this.round(now).finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async round(now: Date): Promise<SchedulerRound> {
    if (this.db.engine !== 'postgres') return this.work(now)
    return this.db.transaction(async (tx) => {
      if (!(await tryXactLock(tx, LOCK_KEY))) return { locked: true, generated: [], skipped: [], failed: [], mailed: [] }
      // The lock is held by this transaction's connection while the work runs on the pool.
      return this.work(now)
    })
  }

  private async work(now: Date): Promise<SchedulerRound> {
    const result: SchedulerRound = { locked: false, generated: [], skipped: [], failed: [], mailed: [] }
    const { rows: customers } = await this.db.query<GroupCustomer>("select id, language, time_zone, created_at from customer where class = 'group' order by id")
    const cutoff = new Date(now.getTime() - this.settings.graceHours * 3_600_000)
    for (const c of customers) {
      let label: string | null = null
      try {
        label = lastClosedQuarter(cutoff, c.time_zone)
        const period = parseQuarter(label, c.time_zone)
        const lang = parseLang(c.language)
        if (new Date(c.created_at) >= period.to) {
          result.skipped.push({ customer: c.id, period: label, why: 'customer-newer' })
          continue
        }
        const exists = await this.db.query(
          "select 1 from report_archive where customer_id = $1 and period_label = $2 and lang = $3 and trigger = 'scheduled' and site_id is null",
          [c.id, label, lang],
        )
        if (exists.rows.length) {
          result.skipped.push({ customer: c.id, period: label, why: 'exists' })
          continue
        }
        const produced = await produceReport(this.db, { customerId: c.id, period: label, lang, tz: c.time_zone, now, pdf: this.settings.pdf })
        const entry = await archiveReport(this.db, produced, { trigger: 'scheduled', generatedBy: 'scheduler', emailDue: this.settings.mail ? now : undefined })
        result.generated.push(entry)
        this.logger.info({ customer: c.id, period: label, lang, version: entry.version, report: entry.id, pdf: entry.pdfBytes !== null }, 'quarterly report archived')
      } catch (error) {
        const message = (error as Error).message
        result.failed.push({ customer: c.id, period: label, error: message })
        this.logger.warn({ customer: c.id, period: label, err: message }, 'quarterly report not generated; will retry next round')
      }
    }
    if (this.settings.mail) {
      result.mailed = await sendDueReportMails(this.db, this.settings.mail, now)
      for (const m of result.mailed.filter((o) => !o.sent)) {
        this.logger.warn({ report: m.entry.id, customer: m.entry.customer, attempts: m.entry.emailAttempts, err: m.error }, 'report e-mail not delivered; will retry')
      }
    }
    return result
  }
}
