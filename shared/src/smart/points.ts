import type { MetricPoint } from '../schemas/common.js'
import { verdictToSmartOk } from './assess.js'
import type { AtaAttributeFailure, AtaHealth, DiskHealth, NvmeHealth, ScsiHealth, Verdict } from './types.js'

/**
 * The metric instance that names a disk. The device path alone is ambiguous behind a RAID
 * controller (every MegaRAID disk is `/dev/bus/0`), so a type carrying a controller index is
 * kept: `/dev/bus/0 [megaraid,1]`.
 */
export function diskInstance(health: Pick<DiskHealth, 'device' | 'type'>): string {
  return health.type?.includes(',') ? `${health.device} [${health.type}]` : health.device
}

export function parseDiskInstance(instance: string): { device: string; type?: string } {
  const m = /^(.*) \[([^\]]+)\]$/.exec(instance)
  return m ? { device: m[1]!, type: m[2]! } : { device: instance }
}

type Reader = (h: DiskHealth) => number | undefined
type Writer = (h: DiskHealth, value: number) => void

function ataOf(h: DiskHealth): AtaHealth {
  return (h.ata ??= { failingNow: [], failedInPast: [] })
}
function nvmeOf(h: DiskHealth): NvmeHealth {
  return (h.nvme ??= {})
}
function scsiOf(h: DiskHealth): ScsiHealth {
  return (h.scsi ??= {})
}

/** Stored points only carry how many attributes failed, not which: enough for the verdict. */
function placeholders(n: number): AtaAttributeFailure[] {
  return Array.from({ length: Math.min(Math.max(0, Math.round(n)), 255) }, () => ({ id: 0, name: 'attribute (not named in stored readings)' }))
}

/** Metric name ↔ DiskHealth field, in one table so the two directions cannot drift apart. */
const FIELDS: { metric: string; read: Reader; write: Writer }[] = [
  { metric: 'smart.passed', read: (h) => (h.passed === undefined ? undefined : h.passed ? 1 : 0), write: (h, v) => (h.passed = v !== 0) },
  { metric: 'smart.exit_status', read: (h) => h.exitStatus, write: (h, v) => (h.exitStatus = v) },
  { metric: 'smart.attributes_failing_now', read: (h) => h.ata?.failingNow.length, write: (h, v) => (ataOf(h).failingNow = placeholders(v)) },
  { metric: 'smart.attributes_failed_past', read: (h) => h.ata?.failedInPast.length, write: (h, v) => (ataOf(h).failedInPast = placeholders(v)) },
  { metric: 'smart.reallocated_sectors', read: (h) => h.ata?.reallocatedSectors, write: (h, v) => (ataOf(h).reallocatedSectors = v) },
  { metric: 'smart.reported_uncorrectable', read: (h) => h.ata?.reportedUncorrectable, write: (h, v) => (ataOf(h).reportedUncorrectable = v) },
  { metric: 'smart.command_timeouts', read: (h) => h.ata?.commandTimeouts, write: (h, v) => (ataOf(h).commandTimeouts = v) },
  { metric: 'smart.pending_sectors', read: (h) => h.ata?.pendingSectors, write: (h, v) => (ataOf(h).pendingSectors = v) },
  { metric: 'smart.offline_uncorrectable', read: (h) => h.ata?.offlineUncorrectable, write: (h, v) => (ataOf(h).offlineUncorrectable = v) },
  { metric: 'smart.temperature_celsius', read: (h) => h.temperatureCelsius, write: (h, v) => (h.temperatureCelsius = v) },
  { metric: 'smart.temperature_limit_celsius', read: (h) => h.temperatureLimitCelsius, write: (h, v) => (h.temperatureLimitCelsius = v) },
  { metric: 'smart.power_on_hours', read: (h) => h.powerOnHours, write: (h, v) => (h.powerOnHours = v) },
  { metric: 'nvme.critical_warning', read: (h) => h.nvme?.criticalWarning, write: (h, v) => (nvmeOf(h).criticalWarning = v) },
  { metric: 'nvme.media_errors', read: (h) => h.nvme?.mediaErrors, write: (h, v) => (nvmeOf(h).mediaErrors = v) },
  { metric: 'nvme.percentage_used', read: (h) => h.nvme?.percentageUsed, write: (h, v) => (nvmeOf(h).percentageUsed = v) },
  { metric: 'nvme.available_spare_percent', read: (h) => h.nvme?.availableSpare, write: (h, v) => (nvmeOf(h).availableSpare = v) },
  {
    metric: 'nvme.available_spare_threshold_percent',
    read: (h) => h.nvme?.availableSpareThreshold,
    write: (h, v) => (nvmeOf(h).availableSpareThreshold = v),
  },
  { metric: 'scsi.grown_defects', read: (h) => h.scsi?.grownDefects, write: (h, v) => (scsiOf(h).grownDefects = v) },
  { metric: 'scsi.uncorrected_errors', read: (h) => h.scsi?.uncorrectedErrors, write: (h, v) => (scsiOf(h).uncorrectedErrors = v) },
]

/** Every metric name the SMART code emits (all listed in the metrics catalogue). */
export const SMART_METRICS = ['disk.smart_ok', ...FIELDS.map((f) => f.metric)] as const

/**
 * The points of one disk reading: the verdict as `disk.smart_ok` plus every raw figure the
 * verdict was drawn from, so the collector can rebuild the DiskHealth and judge it again.
 */
export function diskHealthToPoints(health: DiskHealth, verdict: Verdict, ts: number): MetricPoint[] {
  // The contract caps an instance at 256 characters; real device paths are far shorter.
  const instance = diskInstance(health).slice(0, 256)
  const points: MetricPoint[] = [{ ts, metric: 'disk.smart_ok', instance, value: verdictToSmartOk(verdict.verdict) }]
  for (const f of FIELDS) {
    const value = f.read(health)
    if (value !== undefined && Number.isFinite(value)) points.push({ ts, metric: f.metric, instance, value })
  }
  return points
}

/**
 * The inverse of `diskHealthToPoints`: one DiskHealth per disk instance, from the latest point of
 * each metric. Names, serials and smartctl's messages are not in points; the verdict needs none.
 */
export function diskHealthFromPoints(points: readonly MetricPoint[]): DiskHealth[] {
  const byMetric = new Map(FIELDS.map((f) => [f.metric, f]))
  const latest = new Map<string, Map<string, MetricPoint>>()
  for (const p of points) {
    if (p.instance === undefined || (!byMetric.has(p.metric) && p.metric !== 'disk.smart_ok')) continue
    let disk = latest.get(p.instance)
    if (!disk) latest.set(p.instance, (disk = new Map()))
    const seen = disk.get(p.metric)
    if (!seen || p.ts >= seen.ts) disk.set(p.metric, p)
  }
  const out: DiskHealth[] = []
  for (const [instance, metrics] of latest) {
    const health: DiskHealth = { ...parseDiskInstance(instance), source: 'points', messages: [] }
    for (const [metric, p] of metrics) {
      if (Number.isFinite(p.value)) byMetric.get(metric)?.write(health, p.value)
    }
    out.push(health)
  }
  return out
}
