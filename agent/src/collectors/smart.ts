// Each physical disk's health, hourly. Source: smartctl --json -x (smartmontools) where installed,
// systeminformation diskLayout() smartStatus otherwise. The verdict is computed with the same
// shared code the collector's SMART rule runs (@patrol/shared smart/), and sent as disk.smart_ok
// with the raw figures behind it.
import {
  assessDiskHealth,
  deniedPermission,
  diskHealthToPoints,
  diskInstance,
  type DeviceEvent,
  type DiskHealth,
  type MetricPoint,
  type Severity,
  type Verdict,
  type VerdictLevel,
} from '@patrol/shared'
import { defineCollector, NotApplicable, type CollectContext, type CollectorOutput } from './collector.js'
import { PERMISSION_HINT, readAllDisks, SmartUnavailable, type SmartctlOptions } from '../smart/smartctl.js'

interface Remembered {
  health: DiskHealth
  verdict: VerdictLevel
}

const SEVERITY: Record<VerdictLevel, Severity> = { failing: 'critical', warning: 'warning', unknown: 'info', healthy: 'info' }

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

function verdictEvent(ts: number, health: DiskHealth, verdict: Verdict, before: VerdictLevel | undefined): DeviceEvent {
  const instance = diskInstance(health)
  const what = health.model ? `${instance} (${health.model})` : instance
  const change = before ? `${before} → ${verdict.verdict}` : verdict.verdict
  const why = verdict.reasons.length > 0 ? `: ${verdict.reasons.join('; ')}` : ''
  return {
    ts,
    severity: SEVERITY[verdict.verdict],
    code: 'disk.smart_verdict_changed',
    message: truncate(`disk ${what} SMART ${change}${why}`, 4096),
    source: health.source,
    data: {
      device: truncate(instance, 1024),
      verdict: verdict.verdict,
      previous: before ?? null,
      model: health.model ? truncate(health.model, 1024) : null,
      serial: health.serial ? truncate(health.serial, 1024) : null,
      reasons: truncate(verdict.reasons.join('\n'), 1024),
    },
  }
}

/**
 * One SMART cycle over the disks given. Kept apart from the reading so tests can feed it recorded
 * smartctl outputs. An event goes out when a disk's verdict differs from the previous run's, and on
 * the first run for a disk that is not healthy (a failing disk must not wait for a change to be seen).
 */
export function judgeDisks(disks: DiskHealth[], ctx: Pick<CollectContext, 'now' | 'state'>): Required<Pick<CollectorOutput, 'points' | 'events'>> {
  const points: MetricPoint[] = []
  const events: DeviceEvent[] = []
  for (const health of disks) {
    const key = `disk:${diskInstance(health)}`
    const remembered = ctx.state.get(key) as Remembered | undefined
    const verdict = assessDiskHealth(health, remembered?.health)
    points.push(...diskHealthToPoints(health, verdict, ctx.now))
    const changed = remembered ? remembered.verdict !== verdict.verdict : verdict.verdict !== 'healthy'
    if (changed) events.push(verdictEvent(ctx.now, health, verdict, remembered?.verdict))
    // An unreadable run must not erase the last real reading the growth check compares against.
    const keep = verdict.verdict === 'unknown' && remembered ? remembered.health : health
    ctx.state.set(key, { health: keep, verdict: verdict.verdict } satisfies Remembered)
  }
  return { points, events }
}

export async function collectSmart(ctx: CollectContext, options: SmartctlOptions = {}): Promise<CollectorOutput> {
  let disks: DiskHealth[]
  try {
    ;({ disks } = await readAllDisks({ smartctlPath: ctx.settings.smartctlPath, ...options }))
  } catch (error) {
    if (error instanceof SmartUnavailable) throw new NotApplicable(error.message)
    throw error
  }
  if (disks.length > 0 && disks.every(deniedPermission)) {
    throw new Error(`smartctl could not open ${disks.map((d) => d.device).join(', ')}: ${PERMISSION_HINT}`)
  }
  return judgeDisks(disks, ctx)
}

export const smart = defineCollector({
  name: 'smart',
  // SMART counters move over days; hourly catches a degrading disk while costing a few smartctl runs.
  every: { seconds: 3600 },
  collect: (ctx) => collectSmart(ctx),
})
