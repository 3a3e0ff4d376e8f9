/** The contract that covers a customer at an instant, and the site's distance, for SLA deadlines. */
import type { FaultLevel } from '../rules/support/rule.js'
import type { Queryable } from '../store/db.js'
import type { ServiceCalendar } from './sla/calendar.js'
import { computeDeadlines, type ContractTargets, type Deadlines } from './sla/deadlines.js'

export interface ContractRow {
  id: string
  calendar: ServiceCalendar
  targets: ContractTargets
  escalation_contacts: string[]
}

export async function validContract(db: Queryable, customer: string, at: number): Promise<ContractRow | null> {
  const { rows } = await db.query<ContractRow>(
    `select id, calendar, targets, escalation_contacts from contract
     where customer_id = $1 and valid_from <= $2::date and valid_to >= $2::date order by valid_from desc limit 1`,
    [customer, new Date(at).toISOString().slice(0, 10)],
  )
  return rows[0] ?? null
}

export async function siteDistance(db: Queryable, customer: string, site: string): Promise<number | null> {
  const { rows } = await db.query<{ distance_km: number | null }>('select distance_km from site where customer_id = $1 and id = $2', [customer, site])
  return rows[0]?.distance_km ?? null
}

/** Deadlines for a level under a contract; null when the contract promises nothing for that level. */
export function deadlinesFor(contract: ContractRow, level: FaultLevel, openedAt: number, distanceKm: number | null, pausedBusinessMs = 0): Deadlines | null {
  const targets = contract.targets[level]
  if (!targets) return null
  return computeDeadlines(contract.calendar, targets, openedAt, { distanceKm, pausedBusinessMs })
}
