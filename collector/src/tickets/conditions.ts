/**
 * Hysteresis and flapping, per device and problem, pure: given what the rule saw now and what
 * it saw before (`rule_condition`), what the ticket should do. Kept apart from the database so
 * the timing rules are tested on their own.
 */
export interface ConditionRow {
  active: boolean
  since: number
  flips: number[]
}

export interface ConditionTiming {
  forS: number
  clearS: number
  flapChanges: number
  flapWindowS: number
}

export interface ConditionStep {
  /** The row to store (null: forget it, nothing left to remember). */
  next: ConditionRow | null
  /** Whether the row changed and must be written. */
  changed: boolean
  /** Held long enough (or flapping): a ticket should be open. */
  shouldOpen: boolean
  /** Clear long enough: the open ticket records recovery. */
  recovered: boolean
  flapping: boolean
}

export function stepCondition(previous: ConditionRow | undefined, truth: boolean, now: number, timing: ConditionTiming): ConditionStep {
  const windowStart = now - timing.flapWindowS * 1000
  let row: ConditionRow
  let changed = false
  if (!previous) {
    if (!truth) return { next: null, changed: false, shouldOpen: false, recovered: false, flapping: false }
    row = { active: true, since: now, flips: [] }
    changed = true
  } else if (previous.active !== truth) {
    row = { active: truth, since: now, flips: [...previous.flips.filter((t) => t >= windowStart), now] }
    changed = true
  } else {
    row = previous
  }
  const flapping = row.flips.filter((t) => t >= windowStart).length >= timing.flapChanges
  const heldMs = now - row.since
  const shouldOpen = truth && (heldMs >= timing.forS * 1000 || flapping)
  const recovered = !truth && heldMs >= timing.clearS * 1000 && !flapping
  return { next: row, changed, shouldOpen, recovered, flapping }
}
