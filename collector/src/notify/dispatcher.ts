/**
 * Sends the outbox. Each round leases due rows (so two collectors never send one row at once),
 * sends them, and marks them sent, or schedules the next attempt with exponential backoff and
 * the error. Nothing is ever deleted unsent: a row that keeps failing stays, with its last error,
 * for the API to show.
 */
import type { Logger } from 'pino'
import type { Db } from '../store/db.js'
import { sendEmail, sendExternal, sendWebhook, type EmailConfig, type ExternalConfig, type OutboxPayload, type WebhookConfig } from './channels.js'

export interface DispatchReport {
  sent: number
  failed: number
}

interface DueRow {
  id: number
  ticket_id: number | null
  payload: OutboxPayload
  attempts: number
  kind: 'webhook' | 'email' | 'external'
  config: Record<string, unknown>
}

const LEASE_S = 60

/** Backoff after `attempts` failures: 5 s, 10 s, 20 s … capped at an hour. */
export function backoffMs(attempts: number, baseMs = 5000): number {
  return Math.min(3_600_000, baseMs * 2 ** Math.max(0, attempts - 1))
}

export class Dispatcher {
  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly baseBackoffMs = 5000,
  ) {}

  async round(now = Date.now(), limit = 50): Promise<DispatchReport> {
    const { rows } = await this.db.query<DueRow>(
      `update notification_outbox o set leased_until = $1::timestamptz + make_interval(secs => ${LEASE_S})
       from notification_target t
       where o.target_id = t.id and o.id in (
         select id from notification_outbox where sent_at is null and next_attempt_at <= $1 and (leased_until is null or leased_until < $1)
         order by id limit $2 for update skip locked)
       returning o.id, o.ticket_id, o.payload, o.attempts, t.kind, t.config`,
      [new Date(now), limit],
    )
    const report: DispatchReport = { sent: 0, failed: 0 }
    for (const row of rows.sort((a, b) => a.id - b.id)) {
      try {
        const ref = await this.send(row)
        await this.db.query('update notification_outbox set sent_at = now(), attempts = attempts + 1, leased_until = null, last_error = null where id = $1', [row.id])
        if (ref && row.ticket_id) await this.db.query('update ticket set external_ref = $2 where id = $1 and external_ref is null', [row.ticket_id, ref])
        report.sent++
      } catch (error) {
        const attempts = row.attempts + 1
        const message = `${row.kind} ${(error as Error).message}`.slice(0, 1000)
        await this.db.query('update notification_outbox set attempts = $2, next_attempt_at = $3, leased_until = null, last_error = $4 where id = $1', [row.id, attempts, new Date(now + backoffMs(attempts, this.baseBackoffMs)), message])
        this.logger.warn({ outbox: row.id, attempts, err: message }, 'notification not delivered; will retry')
        report.failed++
      }
    }
    return report
  }

  private async send(row: DueRow): Promise<string | null> {
    switch (row.kind) {
      case 'webhook':
        await sendWebhook(row.config as unknown as WebhookConfig, row.payload)
        return null
      case 'email':
        await sendEmail(row.config as unknown as EmailConfig, row.payload)
        return null
      case 'external':
        return sendExternal(row.config as unknown as ExternalConfig, row.payload)
    }
  }
}
