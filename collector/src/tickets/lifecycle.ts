/**
 * A ticket's life: open → acknowledged → in progress → resolved → closed, assignment, comments,
 * waiting on the customer (SLA clocks paused), and the problem report on resolution. Every change
 * is one transaction that also writes the history entry (and the notification where one is due);
 * a change that does not fit the current status is refused with both statuses named.
 */
import { ApiError } from '../api/errors.js'
import { enqueueNotification } from '../notify/outbox.js'
import type { FaultLevel } from '../rules/support/rule.js'
import type { Db, Queryable } from '../store/db.js'
import { deadlinesFor, siteDistance, validContract } from './contract.js'
import { businessTimeBetween } from './sla/calendar.js'
import { raiseOne } from './escalation.js'
import { ticketJson, type TicketRow } from './ticket-row.js'

export type Action =
  | { kind: 'acknowledge'; actor: string }
  | { kind: 'start'; actor: string }
  | { kind: 'assign'; actor: string; assignee: string }
  | { kind: 'comment'; actor: string; text: string }
  | { kind: 'wait'; actor: string; text?: string }
  | { kind: 'resume'; actor: string }
  | { kind: 'resolve'; actor: string; problemType: string; cause: string; method: string; loss: string; auto?: boolean }
  | { kind: 'close'; actor: string }
  /** DOMAIN.md (000): technical (needs another skill), device (send-in repair), capability (customer asks for another engineer). */
  | { kind: 'escalate'; actor: string; escalation: 'technical' | 'device' | 'capability'; text: string; raiseLevel: boolean }

const FROM: Record<Action['kind'], readonly TicketRow['status'][]> = {
  acknowledge: ['open'],
  start: ['open', 'acknowledged'],
  assign: ['open', 'acknowledged', 'in_progress'],
  comment: ['open', 'acknowledged', 'in_progress', 'resolved', 'closed'],
  wait: ['open', 'acknowledged', 'in_progress'],
  resume: ['open', 'acknowledged', 'in_progress'],
  resolve: ['open', 'acknowledged', 'in_progress'],
  close: ['resolved'],
  escalate: ['open', 'acknowledged', 'in_progress'],
}

async function lockTicket(tx: Queryable, id: number): Promise<TicketRow> {
  const { rows } = await tx.query<TicketRow>('select * from ticket where id = $1 for update', [id])
  if (!rows[0]) throw new ApiError(404, 'NOT_FOUND', `ticket ${id} not found`)
  return rows[0]
}

export async function applyAction(db: Db | Queryable, id: number, action: Action, now: number): Promise<TicketRow> {
  const run = async (tx: Queryable) => {
    const t = await lockTicket(tx, id)
    if (!FROM[action.kind].includes(t.status)) throw new ApiError(409, 'CONFLICT', `ticket ${id} is ${t.status}; cannot ${action.kind} it (allowed from: ${FROM[action.kind].join(', ')})`)
    if (action.kind === 'wait' && t.waiting_since) throw new ApiError(409, 'CONFLICT', `ticket ${id} is already waiting on the customer since ${t.waiting_since.toISOString()}`)
    if (action.kind === 'resume' && !t.waiting_since) throw new ApiError(409, 'CONFLICT', `ticket ${id} is not waiting on the customer`)
    const at = new Date(now)
    let sets = ''
    let params: unknown[] = []
    let text: string | null = null
    let data: Record<string, unknown> | null = null
    switch (action.kind) {
      case 'acknowledge':
        sets = "status = 'acknowledged', acknowledged_at = $2"
        params = [at]
        break
      case 'start':
        sets = "status = 'in_progress', in_progress_at = $2, acknowledged_at = coalesce(acknowledged_at, $2)"
        params = [at]
        break
      case 'assign':
        sets = 'assignee = $2'
        params = [action.assignee]
        data = { assignee: action.assignee, previous: t.assignee }
        break
      case 'comment':
        text = action.text
        break
      case 'wait':
        sets = 'waiting_since = $2'
        params = [at]
        text = action.text ?? null
        break
      case 'resume': {
        // The paused stretch, counted in service time, moves every deadline out by as much.
        const contract = t.contract_id ? await validContract(tx, t.customer, t.opened_at.getTime()) : null
        const pausedMs = contract ? businessTimeBetween(contract.calendar, t.waiting_since!.getTime(), now) : now - t.waiting_since!.getTime()
        const total = Number(t.paused_business_ms) + pausedMs
        const distance = await siteDistance(tx, t.customer, t.site)
        const deadlines = contract ? deadlinesFor(contract, t.level as FaultLevel, t.opened_at.getTime(), distance, total) : null
        sets = 'waiting_since = null, paused_business_ms = $2, response_due = coalesce($3, response_due), onsite_due = coalesce($4, onsite_due), resolve_due = coalesce($5, resolve_due)'
        params = [total, deadlines && new Date(deadlines.responseDue), deadlines && new Date(deadlines.onsiteDue), deadlines && new Date(deadlines.resolveDue)]
        data = { pausedBusinessMs: pausedMs }
        break
      }
      case 'resolve':
        sets = "status = 'resolved', resolved_at = $2, waiting_since = null, problem_type = $3, cause = $4, method = $5, loss = $6"
        params = [at, action.problemType, action.cause, action.method, action.loss]
        data = { problemType: action.problemType, cause: action.cause, method: action.method, loss: action.loss, auto: Boolean(action.auto) }
        break
      case 'close':
        sets = "status = 'closed', closed_at = $2"
        params = [at]
        break
      case 'escalate':
        if (action.raiseLevel) {
          sets = 'level = $2'
          params = [raiseOne(t.level)]
        }
        text = action.text
        data = { escalation: action.escalation, from: t.level, to: action.raiseLevel ? raiseOne(t.level) : t.level }
        break
    }
    let updated = t
    if (sets) {
      const { rows } = await tx.query<TicketRow>(`update ticket set ${sets} where id = $1 returning *`, [id, ...params])
      updated = rows[0]!
    }
    await tx.query('insert into ticket_event (ticket_id, time, kind, actor, text, data) values ($1, $2, $3, $4, $5, $6::jsonb)', [id, at, action.kind, action.actor, text, data && JSON.stringify(data)])
    if (action.kind === 'resolve') {
      await enqueueNotification(tx, { key: `ticket:${id}:resolved`, kind: 'resolved', ticketId: id, customer: updated.customer, ticket: ticketJson(updated, now), at: now })
    }
    if (action.kind === 'escalate') {
      const { rows: events } = await tx.query<{ id: number }>("select id from ticket_event where ticket_id = $1 and kind = 'escalate' order by id desc limit 1", [id])
      const contacts = t.contract_id ? ((await tx.query<{ escalation_contacts: string[] }>('select escalation_contacts from contract where id = $1', [t.contract_id])).rows[0]?.escalation_contacts ?? []) : []
      await enqueueNotification(tx, { key: `ticket:${id}:escalate:${events[0]?.id}`, kind: 'escalated', ticketId: id, customer: updated.customer, ticket: ticketJson(updated, now), contacts, at: now })
    }
    return updated
  }
  return 'transaction' in db ? db.transaction(run) : run(db)
}
