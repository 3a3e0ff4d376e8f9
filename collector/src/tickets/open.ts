/**
 * Opening a ticket: everything it needs gathered in one query (asset record, earlier tickets of
 * the same problem, the valid contract, the site's distance, the last error-log entries), then
 * one short transaction: the insert that the partial unique index makes the only one (a second
 * collector racing on the same fault gets nothing back and opens nothing) with its history entry,
 * and the notifications. Few round trips: this is the fault-to-ticket latency.
 */
import { raiseForCriticality, type DeviceSnapshot, type Finding, type Rule } from '../rules/support/rule.js'
import { enqueueNotification } from '../notify/outbox.js'
import type { Db } from '../store/db.js'
import { deadlinesFor, type ContractRow } from './contract.js'
import { buildDiagnostics, ERROR_EVENTS, type ErrorLogEntry } from './diagnostics.js'
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

interface Context {
  model: string | null
  serial: string | null
  repeats: number
  distance_km: number | null
  contract: ContractRow | null
  errors: ErrorLogEntry[]
}

const CONTEXT_SQL = `
  select d.model, d.serial,
    (select count(*)::int from ticket t where t.device_id = d.id and t.problem_key = $2 and t.status in ('resolved', 'closed')) as repeats,
    (select s.distance_km from site s where s.customer_id = d.customer and s.id = d.site) as distance_km,
    (select row_to_json(c) from (select id, calendar, targets, escalation_contacts from contract
       where customer_id = d.customer and valid_from <= $3::date and valid_to >= $3::date order by valid_from desc limit 1) c) as contract,
    (select coalesce(json_agg(e), '[]'::json) from (select to_char(time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as time, severity, code, message from device_event
       where device_id = d.id and severity in ('error', 'critical', 'warning') order by time desc limit ${ERROR_EVENTS}) e) as errors
  from device d where d.id = $1`

/** The new ticket, or null when one was already open (another collector won the race). */
export async function openTicket(db: Db, req: OpenRequest): Promise<TicketRow | null> {
  const { snapshot, finding, rule, now } = req
  const device = snapshot.device
  const level = raiseForCriticality(finding.level ?? rule.level, device.criticality)
  const { rows } = await db.query<Context>(CONTEXT_SQL, [device.id, req.problemKey, new Date(now).toISOString().slice(0, 10)])
  const ctx = rows[0] ?? { model: null, serial: null, repeats: 0, distance_km: null, contract: null, errors: [] }
  const diagnostics = buildDiagnostics(snapshot, finding, ctx, ctx.errors)
  const deadlines = ctx.contract ? deadlinesFor(ctx.contract, level, now, ctx.distance_km) : null
  const outsideWarranty = device.warrantyEnd !== null && Date.parse(`${device.warrantyEnd}T00:00:00Z`) + 86_400_000 <= now
  const title = ctx.repeats >= REPEAT_FAULT_AFTER ? `${finding.title} — repeat fault (${ctx.repeats + 1}×), consider replacement` : finding.title
  const opened = new Date(now)
  const history = JSON.stringify({ level, ruleLevel: finding.level ?? rule.level, criticality: device.criticality, readings: finding.readings })
  return db.transaction(async (tx) => {
    const { rows: inserted } = await tx.query<TicketRow>(
      `with t as (
         insert into ticket (device_id, customer, site, rule_id, problem_key, level, initial_level, title, opened_at, last_occurrence_at,
                             flapping, repeat_count, dependents, diagnostics, contract_id, outside_contract, outside_warranty,
                             response_due, onsite_due, resolve_due)
         values ($1, $2, $3, $4, $5, $6, $6, $7, $8, $8, $9, $10, $11::text[], $12::jsonb, $13, $14, $15, $16, $17, $18)
         on conflict (device_id, problem_key) where status in ('open', 'acknowledged', 'in_progress') do nothing
         returning *),
       e as (insert into ticket_event (ticket_id, time, kind, actor, text, data) select id, $8, 'opened', 'rules', $7, $19::jsonb from t)
       select * from t`,
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
        ctx.repeats,
        req.dependents,
        JSON.stringify(diagnostics),
        ctx.contract?.id ?? null,
        ctx.contract === null,
        outsideWarranty,
        deadlines ? new Date(deadlines.responseDue) : null,
        deadlines ? new Date(deadlines.onsiteDue) : null,
        deadlines ? new Date(deadlines.resolveDue) : null,
        history,
      ],
    )
    const ticket = inserted[0]
    if (!ticket) return null
    await enqueueNotification(tx, { key: `ticket:${ticket.id}:opened`, kind: 'opened', ticketId: Number(ticket.id), customer: ticket.customer, ticket: ticketJson(ticket, now), at: now })
    return ticket
  })
}
