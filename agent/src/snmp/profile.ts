import type { MetricPoint, SnmpResult } from '@patrol/shared'
import type { VarbindMap } from './values.js'

/** The system group (RFC 3418), read before anything else; profiles are chosen from it. */
export interface SystemInfo {
  sysDescr?: string
  sysObjectID?: string
  sysName?: string
  sysLocation?: string
  sysContact?: string
  /** sysUpTime in seconds (the agent's clock, not the host's: it restarts with the agent). */
  sysUpTimeS?: number
}

export interface ProfileContext {
  /** Wall-clock time of this poll, ms since epoch; `ts` of every point. */
  now: number
  system: SystemInfo
  /** What this profile returned as `state` for the same device last time (previous counters). */
  previous: unknown
}

export type ProfileOutput = Pick<SnmpResult, 'printer' | 'interfaces' | 'ups' | 'hostResources'> & {
  points: MetricPoint[]
  /** Kept by the poller per device and handed back as `previous` next time. */
  state?: unknown
}

/**
 * A kind of device: which OIDs identify it, which subtrees to walk, and a pure function from the
 * walked varbinds to the contract's shapes. `parse` must never throw, whatever the varbinds hold.
 */
export interface Profile {
  /** Equals the file name under profiles/. */
  name: string
  /** When several profiles match, the highest wins (a printer also has an ifTable). */
  priority: number
  /** OIDs a GETNEXT probes: the agent "has" one when the answer lands inside it. */
  probes: string[]
  matches(system: SystemInfo, present: ReadonlySet<string>): boolean
  /** Subtrees to walk for a poll. */
  roots: string[]
  parse(walked: VarbindMap, ctx: ProfileContext): ProfileOutput
}
