/**
 * Escalation (DOMAIN.md, 003: "not solved in time → the level is raised and reported"): a ticket
 * whose response or resolve deadline is near (stage 1, `approachingShare` of the time used) or
 * passed (stage 2) is raised one level and its contract's escalation contacts are notified.
 * The stage only ever grows, in one conditional UPDATE: with several collectors each stage
 * happens once.
 */
import { LEVELS, type FaultLevel } from '../rules/support/rule.js'
import { enqueueNotification } from '../notify/outbox.js'
import type { Db } from '../store/db.js'
import { businessTimeBetween, type ServiceCalendar } from './sla/calendar.js'
import { ticketJson, type TicketRow } from './ticket-row.js'

/**
 * 0, 1 (approaching) or 2 (breached). "Approaching" is a share of the time allowed, measured with
 * `measure`: the contract's service time, so a weekend does not use up a weekday contract's clock.
 */
export function escalationStage(
  t: Pick<TicketRow, 'opened_at' | 'acknowledged_at' | 'response_due' | 'resolve_due' | 'waiting_since'>,
  now: number,
  approachingShare = 0.8,
  measure: (from: number, to: number) => number = (from, to) => to - from,
): number {
  if (t.waiting_since) return 0
  const clocks: [number, number][] = []
  if (t.response_due && !t.acknowledged_at) clocks.push([t.opened_at.getTime(), t.response_due.getTime()])
  if (t.resolve_due) clocks.push([t.opened_at.getTime(), t.resolve_due.getTime()])
  let stage = 0
  for (const [from, due] of clocks) {
    if (now > due) stage = 2
    else if (measure(from, now) >= measure(from, due) * approachingShare) stage = Math.max(stage, 1)
  }
  return stage
}

export function raiseOne(level: string): FaultLevel {
  const i = LEVELS.indexOf(level as FaultLevel)
  return LEVELS[Math.max(0, (i < 0 ? LEVELS.length : i) - 1)]!
}

export async function escalateDue(db: Db, now: number, approachingShare = 0.8): Promise<number[]> {
  const { rows } = await db.query<TicketRow & { calendar: ServiceCalendar | null }>(
    `select t.*, c.calendar from ticket t left join contract c on c.id = t.contract_id
     where t.status in ('open', 'acknowledged', 'in_progress') and t.waiting_since is null
       and t.escalation_stage < 2 and (t.response_due is not null or t.resolve_due is not null)`,
  )
  const escalated: number[] = []
  for (const t of rows) {
    const calendar = t.calendar
    const stage = escalationStage(t, now, approachingShare, calendar ? (from, to) => businessTimeBetween(calendar, from, to) : undefined)
    if (stage <= t.escalation_stage) continue
    const done = await db.transaction(async (tx) => {
      const { rows: updated } = await tx.query<TicketRow>('update ticket set escalation_stage = $2, level = $3 where id = $1 and escalation_stage < $2 returning *', [t.id, stage, raiseOne(t.level)])
      const ticket = updated[0]
      if (!ticket) return false
      const { rows: contract } = await tx.query<{ escalation_contacts: string[] }>('select escalation_contacts from contract where id = $1', [t.contract_id])
      const contacts = contract[0]?.escalation_contacts ?? []
      const what = stage === 2 ? 'deadline breached' : 'deadline approaching'
      await tx.query('insert into ticket_event (ticket_id, time, kind, actor, text, data) values ($1, $2, $3, $4, $5, $6::jsonb)', [t.id, new Date(now), 'escalated', 'sla', `${what}: level ${t.level} → ${ticket.level}`, JSON.stringify({ stage, contacts })])
      await enqueueNotification(tx, { key: `ticket:${t.id}:escalated:${stage}`, kind: 'escalated', ticketId: Number(t.id), customer: t.customer, ticket: ticketJson(ticket, now), contacts, at: now })
      return true
    })
    if (done) escalated.push(Number(t.id))
  }
  return escalated
}
