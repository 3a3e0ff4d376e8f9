/** A ticket as stored, and as the API and notifications show it (deadlines as time left or overdue). */
import { remaining } from './sla/deadlines.js'

export interface TicketRow {
  id: number
  device_id: string
  customer: string
  site: string
  rule_id: string
  problem_key: string
  status: 'open' | 'acknowledged' | 'in_progress' | 'resolved' | 'closed'
  level: string
  initial_level: string
  title: string
  opened_at: Date
  acknowledged_at: Date | null
  in_progress_at: Date | null
  resolved_at: Date | null
  closed_at: Date | null
  condition_cleared_at: Date | null
  last_occurrence_at: Date
  occurrences: number
  assignee: string | null
  flapping: boolean
  repeat_count: number
  dependents: string[]
  diagnostics: Record<string, unknown>
  contract_id: string | null
  outside_contract: boolean
  outside_warranty: boolean
  response_due: Date | null
  onsite_due: Date | null
  resolve_due: Date | null
  waiting_since: Date | null
  paused_business_ms: number
  escalation_stage: number
  problem_type: string | null
  cause: string | null
  method: string | null
  loss: string | null
  external_ref: string | null
}

export const OPEN_STATUSES = ['open', 'acknowledged', 'in_progress'] as const
export const REPEAT_FAULT_AFTER = 2

const iso = (d: Date | null) => d?.toISOString() ?? null

export function ticketJson(t: TicketRow, now: number, { withDiagnostics = true } = {}) {
  const paused = t.waiting_since !== null
  const clock = (due: Date | null) => (paused ? (due ? { dueAt: due.toISOString(), paused: true } : null) : remaining(due?.getTime() ?? null, now))
  return {
    id: Number(t.id),
    deviceId: t.device_id,
    customer: t.customer,
    site: t.site,
    ruleId: t.rule_id,
    problemKey: t.problem_key,
    status: t.status,
    level: t.level,
    initialLevel: t.initial_level,
    title: t.title,
    openedAt: t.opened_at.toISOString(),
    acknowledgedAt: iso(t.acknowledged_at),
    inProgressAt: iso(t.in_progress_at),
    resolvedAt: iso(t.resolved_at),
    closedAt: iso(t.closed_at),
    conditionClearedAt: iso(t.condition_cleared_at),
    lastOccurrenceAt: t.last_occurrence_at.toISOString(),
    occurrences: t.occurrences,
    assignee: t.assignee,
    flapping: t.flapping,
    repeatCount: t.repeat_count,
    repeatFault: t.repeat_count >= REPEAT_FAULT_AFTER,
    dependents: t.dependents,
    contractId: t.contract_id,
    outsideContract: t.outside_contract,
    outsideWarranty: t.outside_warranty,
    sla: {
      response: t.acknowledged_at ? { metAt: t.acknowledged_at.toISOString(), met: !t.response_due || t.acknowledged_at <= t.response_due } : clock(t.response_due),
      onsite: clock(t.onsite_due),
      resolve: t.resolved_at ? { metAt: t.resolved_at.toISOString(), met: !t.resolve_due || t.resolved_at <= t.resolve_due } : clock(t.resolve_due),
      waitingOnCustomerSince: iso(t.waiting_since),
      pausedBusinessMs: Number(t.paused_business_ms),
      escalationStage: t.escalation_stage,
    },
    problemReport: { problemType: t.problem_type, cause: t.cause, method: t.method, loss: t.loss },
    externalRef: t.external_ref,
    ...(withDiagnostics ? { diagnostics: t.diagnostics } : {}),
  }
}
export type TicketJson = ReturnType<typeof ticketJson>
