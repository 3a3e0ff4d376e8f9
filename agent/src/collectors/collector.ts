import type { DeviceEvent, Inventory, MetricPoint } from '@patrol/shared'

/**
 * One kind of reading the agent takes (CPU, filesystems, SMART...). A collector measures; it
 * never judges: thresholds live in the collector's rules, so changing one needs no agent release.
 *
 * Contract:
 * - return the readings; `ts` on each point is the time of the reading;
 * - throw `NotApplicable` when the machine does not have the thing (no battery, no smartctl):
 *   reported as such, never as a failure;
 * - throw anything else for a real failure (no permission, a command that broke); the runner
 *   records it in the batch's `collectors` list and the other collectors carry on.
 */
export interface Collector {
  /** Equals the file name. */
  name: string
  /** How often it runs, by default; `cycle` means every metric cycle (the agent's interval). */
  every: 'cycle' | { seconds: number }
  collect(ctx: CollectContext): Promise<CollectorOutput>
}

export interface CollectorOutput {
  points?: MetricPoint[]
  events?: DeviceEvent[]
  /** A part of the inventory this collector knows; merged into the inventory message. */
  inventory?: Partial<Inventory>
}

export interface CollectContext {
  /** Wall-clock time of this cycle, ms since epoch: use it as `ts` so one cycle lines up. */
  now: number
  /** Settings that collectors read (watched services...). */
  settings: CollectorSettings
  /** Per-collector memory between cycles (previous counters for rates, last seen values). */
  state: Map<string, unknown>
}

export interface CollectorSettings {
  watchedServices: string[]
  smartctlPath?: string
}

export class NotApplicable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NotApplicable'
  }
}

export function defineCollector(collector: Collector): Collector {
  return collector
}
