/**
 * What a rule is: a pure function from a device snapshot (latest readings, a recent history,
 * inventory, poll state, status, asset record) and its parameters to the faults it sees now.
 * No database, no clock: `now` is passed in, so every rule is tested on recorded readings.
 * Hysteresis, flapping, dependencies and tickets are the engine's business (tickets/), not the
 * rule's.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { Inventory } from '@patrol/shared'

/** DOMAIN.md fault levels: L1 whole system down … L4 intermittent or indirect impact. */
export type FaultLevel = 'L1' | 'L2' | 'L3' | 'L4'
export const LEVELS: readonly FaultLevel[] = ['L1', 'L2', 'L3', 'L4']

export type Criticality = 'low' | 'normal' | 'high' | 'critical'

export interface HistoryPoint {
  ts: number
  value: number
}

export interface DeviceSnapshot {
  device: {
    id: string
    customer: string
    site: string
    kind: string
    category: string | null
    criticality: Criticality
    status: string
    statusReason: string | null
    statusChangedAt: number | null
    lastSeen: number | null
    reportIntervalS: number | null
    warrantyEnd: string | null
    importantPorts: string[] | null
  }
  /** "metric|instance" → [epoch ms, value]: the newest reading of every series. */
  latest: Record<string, [number, number]>
  /** "metric|instance" → readings in time order, over the window the rules asked for. */
  history: Record<string, HistoryPoint[]>
  inventory: Inventory | null
  /** The last SNMP poll of this device (SnmpResult without points), when it is polled. */
  state: Record<string, unknown> | null
}

export interface Finding {
  /** What distinguishes two faults of one rule on one device: a mount point, a disk, a supply. '' when there is one. */
  instance: string
  title: string
  /** Overrides the rule's level (critical vs warning thresholds). */
  level?: FaultLevel
  /** The readings that triggered it, attached to the ticket. */
  readings: Record<string, unknown>
  /** Series whose recent history belongs in the ticket's diagnostics ("metric|instance"). */
  series?: string[]
}

/** Parameters every rule has: hysteresis and recovery, overridable like the rest. */
export const CommonParams = {
  enabled: Type.Boolean({ default: true }),
  /** The condition must hold this long before a ticket opens. */
  forS: Type.Number({ minimum: 0, default: 0 }),
  /** …and stay clear this long before the ticket records recovery. */
  clearS: Type.Number({ minimum: 0, default: 300 }),
  /** Resolve the ticket automatically on recovery; otherwise it waits for an engineer. */
  autoResolve: Type.Boolean({ default: false }),
  /** This many condition changes within flapWindowS mark the problem as flapping. */
  flapChanges: Type.Integer({ minimum: 2, default: 4 }),
  flapWindowS: Type.Number({ minimum: 1, default: 3600 }),
}

export function ruleParams<P extends TProperties>(own: P) {
  return Type.Object({ ...CommonParams, ...own }, { additionalProperties: false })
}

export type CommonParamValues = Static<TObject<typeof CommonParams>>

export interface Rule<S extends TObject = TObject> {
  /** Equals the file name (a contract test checks). */
  id: string
  title: string
  /** The level when the rule does not say otherwise. */
  level: FaultLevel
  params: S
  /** Series and window the rule wants in `snapshot.history` (metric names; every instance). */
  history?: { metrics: string[]; windowS: (params: Static<S>) => number }
  /** True for rules about reachability: suppressed behind a parent that is down. */
  reachability?: boolean
  evaluate(snapshot: DeviceSnapshot, params: Static<S>, now: number): Finding[]
}

export function defineRule<S extends TObject>(rule: Rule<S>): Rule<S> {
  return rule
}

/** Defaults, then overrides from the widest scope to the narrowest; anything invalid is refused with the reason. */
export function resolveParams<S extends TObject>(rule: Rule<S>, ...overrides: (Record<string, unknown> | undefined)[]): Static<S> {
  const merged = Object.assign({}, ...overrides.filter(Boolean)) as Record<string, unknown>
  const value = Value.Default(rule.params, Value.Clone(merged)) as Static<S>
  if (!Value.Check(rule.params, value)) {
    const first = [...Value.Errors(rule.params, value)][0]
    throw new Error(`rule ${rule.id}: parameter ${first?.path ?? ''} ${first?.message ?? 'invalid'} (got ${JSON.stringify(merged)})`)
  }
  return value
}

/** Criticality raises the level: high by one step, critical by two (never above L1). */
export function raiseForCriticality(level: FaultLevel, criticality: Criticality): FaultLevel {
  const steps = criticality === 'critical' ? 2 : criticality === 'high' ? 1 : 0
  return LEVELS[Math.max(0, LEVELS.indexOf(level) - steps)]!
}

/** Latest readings of one metric, by instance. */
export function latestOf(snapshot: DeviceSnapshot, metric: string): { instance: string; ts: number; value: number }[] {
  const out: { instance: string; ts: number; value: number }[] = []
  const prefix = `${metric}|`
  for (const [key, [ts, value]] of Object.entries(snapshot.latest)) if (key.startsWith(prefix)) out.push({ instance: key.slice(prefix.length), ts, value })
  return out
}

/** History of one metric, by instance. */
export function historyOf(snapshot: DeviceSnapshot, metric: string): Map<string, HistoryPoint[]> {
  const out = new Map<string, HistoryPoint[]>()
  const prefix = `${metric}|`
  for (const [key, points] of Object.entries(snapshot.history)) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), points)
  return out
}

/**
 * Whether every reading of the last `windowS` is above `threshold`, and the window is covered
 * (its oldest reading is at least `windowS` old): "high for a sustained period", not one spike.
 */
export function sustainedAbove(points: HistoryPoint[] | undefined, threshold: number, windowS: number, now: number): { sustained: boolean; min: number; samples: number } {
  const from = now - windowS * 1000
  const inWindow = (points ?? []).filter((p) => p.ts >= from && p.ts <= now)
  const min = inWindow.reduce((m, p) => Math.min(m, p.value), Number.POSITIVE_INFINITY)
  const covered = inWindow.length > 0 && inWindow[0]!.ts - from <= Math.max(60_000, windowS * 1000 * 0.2)
  return { sustained: covered && min > threshold, min, samples: inWindow.length }
}
