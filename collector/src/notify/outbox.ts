/**
 * Queuing a notification: one outbox row per target that wants it, written in the same
 * transaction as the ticket change it reports, so a committed change is never left unannounced
 * and a rolled-back one is never announced. (target, event key) is unique: the same event is
 * queued once however many collectors see it.
 */
import type { Queryable } from '../store/db.js'

export type TicketEventKind = 'opened' | 'escalated' | 'resolved' | 'recurred'

export interface NotificationEvent {
  /** Stable per event: "ticket:42:opened", "ticket:42:escalated:2". */
  key: string
  kind: TicketEventKind
  ticketId: number
  customer: string
  ticket: Record<string, unknown>
  /** People to tell besides the target's own recipients (escalation contacts). */
  contacts?: string[]
  /** When it happened: due for sending from then (the caller's clock, like the ticket's times). */
  at: number
}

export async function enqueueNotification(tx: Queryable, event: NotificationEvent): Promise<number> {
  const payload = { event: event.kind, eventKey: event.key, ticket: event.ticket, contacts: event.contacts ?? [] }
  const { rowCount } = await tx.query(
    `insert into notification_outbox (target_id, event_key, ticket_id, payload, created_at, next_attempt_at)
     select id, $1, $2, $3::jsonb, $5, $5 from notification_target where enabled and (customer is null or customer = $4)
     on conflict (target_id, event_key) do nothing`,
    [event.key, event.ticketId, JSON.stringify(payload), event.customer, new Date(event.at)],
  )
  return rowCount
}
