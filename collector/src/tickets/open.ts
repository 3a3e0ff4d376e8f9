/**
 * Opening a ticket, in one transaction: the insert that the partial unique index makes the only
 * one (a second collector racing on the same fault gets nothing back and opens nothing), its SLA
 * deadlines from the contract, the repeat count, the diagnostics, the history entry and the
 * notifications.
 */
import { raiseForCriticality, type DeviceSnapshot, type Finding, type Rule } from '../rules/support/rule.js'
import { enqueueNotification } from '../notify/outbox.js'
import type { Queryable } from '../store/db.js'
import { deadlinesFor, siteDistance, validContract } from './contract.js'
import { gatherDiagnostics } from './diagnostics.js'
import { REPEAT_FAULT_AFTER, ticketJson, type TicketRow } from './ticket-row.js'

export interface OpenRequest {
  rule: Rule
  finding: Finding
  problemKey: string
  snapshot: DeviceSnapshot
  flapping: boolean
  /** Devices behind this one that are down with it (dependencies). */
  dependents: string[]
  now: number
}

export function problemKey(ruleId: string, instance: string): string {
  return instance ? `${ruleId}:${instance}` : ruleId
}

/** The new ticket, or null when one was already open (another collector won the race). */
export async function openTicket(tx: Queryable, req: OpenRequest): Promise<TicketRow | null> {
  const { snapshot, finding, rule, now } = req
  const device = snapshot.device
  const level = raiseForCriticality(finding.level ?? rule.level, device.criticality)
  const { rows: assetRows } = await tx.query<{ model: string | null; serial: string | null }>('select model, serial from device where id = $1', [device.id])
  const [repeats, contract, distance, diagnostics] = await Promise.all([
    tx.query<{ n: number }>("select count(*)::int as n from ticket where device_id = $1 and problem_key = $2 and status in ('resolved', 'closed')", [device.id, req.problemKey]),
    validContract(tx, device.customer, now),
    siteDistance(tx, device.customer, device.site),
    gatherDiagnostics(tx, snapshot, finding, assetRows[0] ?? { model: null, serial: null }),
  ])
  const repeatCount = repeats.rows[0]?.n ?? 0
  const deadlines = contract ? deadlinesFor(contract, level, now, distance) : null
  const outsideWarranty = device.warrantyEnd !== null && Date.parse(`${device.warrantyEnd}T00:00:00Z`) + 86_400_000 <= now
  const title = repeatCount >= REPEAT_FAULT_AFTER ? `${finding.title} — repeat fault (${repeatCount + 1}×), consider replacement` : finding.title
  const opened = new Date(now)
  const { rows } = await tx.query<TicketRow>(
    `insert into ticket (device_id, customer, site, rule_id, problem_key, level, initial_level, title, opened_at, last_occurrence_at,
                         flapping, repeat_count, dependents, diagnostics, contract_id, outside_contract, outside_warranty,
                         response_due, onsite_due, resolve_due)
     values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $8, $9, $10, $11::text[], $12::jsonb, $13, $14, $15, $16, $17, $18)
     on conflict (device_id, problem_key) where status in ('open', 'acknowledged', 'in_progress') do nothing
     returning *`,
    [
      device.id,
      device.customer,
      device.site,
      rule.id,
      req.problemKey,
      level,
      title,
      opened,
      req.flapping,
      repeatCount,
      req.dependents,
      JSON.stringify(diagnostics),
      contract?.id ?? null,
      contract === null,
      outsideWarranty,
      deadlines ? new Date(deadlines.responseDue) : null,
      deadlines ? new Date(deadlines.onsiteDue) : null,
      deadlines ? new Date(deadlines.resolveDue) : null,
    ],
  )
  const ticket = rows[0]
  if (!ticket) return null
  await tx.query('insert into ticket_event (ticket_id, time, kind, actor, text, data) values ($1, $2, $3, $4, $5, $6::jsonb)', [
    ticket.id,
    opened,
    'opened',
    'rules',
    title,
    JSON.stringify({ level, ruleLevel: finding.level ?? rule.level, criticality: device.criticality, readings: finding.readings }),
  ])
  await enqueueNotification(tx, { key: `ticket:${ticket.id}:opened`, kind: 'opened', ticketId: Number(ticket.id), customer: ticket.customer, ticket: ticketJson(ticket, now), at: now })
  return ticket
}
