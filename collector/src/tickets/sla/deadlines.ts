/**
 * A ticket's response, on-site and resolve deadlines from its contract: targets per fault level,
 * counted on the contract's service calendar, minus the time spent waiting on the customer.
 */
import type { FaultLevel } from '../../rules/support/rule.js'
import { addBusinessTime, type ServiceCalendar } from './calendar.js'

export interface LevelTargets {
  responseMin: number
  onsiteMin: number
  resolveMin: number
}
export type ContractTargets = Partial<Record<FaultLevel, LevelTargets>>

export interface Deadlines {
  responseDue: number
  onsiteDue: number
  resolveDue: number
}

/**
 * DOMAIN.md (001): the on-site promise grows with the site's distance from the service office:
 * ≤50 km 2 h, ≤100 km 4 h, ≤400 km 8 h, ≤800 km 12 h, beyond 24 h. A contract target shorter than
 * the distance allows is stretched to it.
 */
export function onsiteMinutesForDistance(distanceKm: number | null | undefined): number {
  if (distanceKm === null || distanceKm === undefined) return 0
  if (distanceKm <= 50) return 120
  if (distanceKm <= 100) return 240
  if (distanceKm <= 400) return 480
  if (distanceKm <= 800) return 720
  return 1440
}

export function computeDeadlines(
  calendar: ServiceCalendar,
  targets: LevelTargets,
  openedAt: number,
  options: { pausedBusinessMs?: number; distanceKm?: number | null } = {},
): Deadlines {
  const paused = options.pausedBusinessMs ?? 0
  const due = (min: number) => addBusinessTime(calendar, openedAt, min * 60_000 + paused)
  return {
    responseDue: due(targets.responseMin),
    onsiteDue: due(Math.max(targets.onsiteMin, onsiteMinutesForDistance(options.distanceKm))),
    resolveDue: due(targets.resolveMin),
  }
}

/** Time left (positive) or overdue (negative), as the API shows it. */
export function remaining(due: number | null, now: number): { dueAt: string; remainingMs: number; overdue: boolean } | null {
  if (due === null) return null
  return { dueAt: new Date(due).toISOString(), remainingMs: due - now, overdue: now > due }
}
