import { EXIT_BITS } from './parse.js'
import type { DiskHealth, Verdict, VerdictLevel } from './types.js'

/**
 * What growth of a counter between two readings means:
 * - `escalate`: first appearance (0 → n) is a warning; growth on a disk that already had some is
 *   failing: the disk is losing media right now, the pattern that precedes most failures;
 * - `warn`: growth is worth a look but not a replacement (timeouts that a bad cable also causes);
 * - `ignore`: it always grows (wear).
 */
type Growth = 'escalate' | 'warn' | 'ignore'

export interface CounterThreshold {
  /** Shown in reasons: the attribute as smartctl names it. */
  label: string
  read: (h: DiskHealth) => number | undefined
  /** Warning at or above this value. */
  warnAt: number
  /** Failing at or above this value; null: the value alone never means failing. */
  failAt: number | null
  growth: Growth
  /** How a value reads in a reason; ATA counts are raw values, as smartctl prints them. */
  show?: (n: number) => string
  /** Where the numbers come from. */
  basis: string
}

/**
 * The counters and their limits. Backblaze's drive-stats analyses ("What SMART stats tell us about
 * hard drives", 2016) single out ATA 5, 187, 188, 197 and 198: any non-zero raw value is far more
 * common on drives that went on to fail. Scrutiny turns Backblaze's data into annual failure rates
 * (AFR) per raw-value bucket and fails a critical attribute once its bucket's AFR reaches 10 %;
 * the bucket figures quoted below are Scrutiny's (webapp/backend/pkg/thresholds). We warn at the
 * first count and fail a little later than Scrutiny for one-off events (a single uncorrectable read
 * after a power cut), relying on the growth rule to catch a disk that keeps degrading.
 */
export const COUNTER_THRESHOLDS: readonly CounterThreshold[] = [
  {
    label: '5 Reallocated_Sector_Ct',
    read: (h) => h.ata?.reallocatedSectors,
    warnAt: 1,
    failAt: 16,
    growth: 'escalate',
    basis: 'Scrutiny AFR: 0 → 2.5 %, 1–4 → 2.7 %, 4–16 → 7.5 %, 16–70 → 23.6 %',
  },
  {
    label: '187 Reported_Uncorrect',
    read: (h) => h.ata?.reportedUncorrectable,
    warnAt: 1,
    failAt: 10,
    growth: 'escalate',
    basis: 'Scrutiny AFR: 0 → 2.8 %, 1 → 34 %, 6–11 → 38 %, 11–20 → 53 %',
  },
  {
    label: '188 Command_Timeout',
    read: (h) => h.ata?.commandTimeouts,
    warnAt: 100,
    failAt: null,
    growth: 'warn',
    basis: 'Scrutiny AFR: 0–100 → 2.5 % (cables and power cause these too), above 100 → 10 %',
  },
  {
    label: '197 Current_Pending_Sector',
    read: (h) => h.ata?.pendingSectors,
    warnAt: 1,
    failAt: 3,
    growth: 'escalate',
    basis: 'Scrutiny AFR: 0 → 2.6 %, 1–2 → 34 %, 2–6 → 68 %',
  },
  {
    label: '198 Offline_Uncorrectable',
    read: (h) => h.ata?.offlineUncorrectable,
    warnAt: 1,
    failAt: 3,
    growth: 'escalate',
    basis: 'the offline scan finds the same unreadable sectors as 197; judged alike',
  },
  {
    label: 'NVMe media_errors',
    read: (h) => h.nvme?.mediaErrors,
    warnAt: 1,
    failAt: null,
    growth: 'escalate',
    show: String,
    basis: 'NVMe 1.4 §5.14.1.2: unrecovered data integrity errors; any is abnormal (Scrutiny: critical)',
  },
  {
    label: 'NVMe percentage_used',
    read: (h) => h.nvme?.percentageUsed,
    warnAt: 90,
    failAt: 100,
    growth: 'ignore',
    show: (n) => `${n}%`,
    basis: "NVMe 1.4: 100 means the vendor's endurance estimate is used up",
  },
  {
    label: 'SCSI grown defect list',
    read: (h) => h.scsi?.grownDefects,
    warnAt: 1,
    failAt: null,
    growth: 'escalate',
    show: String,
    basis: 'blocks remapped since shipping, the SAS analogue of ATA 5; no public failure-rate table, so growth decides',
  },
  {
    label: 'SCSI total uncorrected errors',
    read: (h) => h.scsi?.uncorrectedErrors,
    warnAt: 1,
    failAt: null,
    growth: 'escalate',
    show: String,
    basis: 'data the drive could not deliver; any is abnormal',
  },
]

/** NVMe available spare this many points above its threshold is a warning: replacement is near. */
export const NVME_SPARE_MARGIN = 10
/** Without a limit from the drive: most 3.5"/2.5" disks are specified for 55–60 °C operating. */
export const DEFAULT_TEMPERATURE_LIMIT_CELSIUS = 60

/** NVMe critical_warning bits (NVMe 1.4, SMART / Health Information log, byte 0). */
const NVME_CRITICAL_BITS: { bit: number; level: VerdictLevel; text: string }[] = [
  { bit: 0, level: 'failing', text: 'available spare below threshold' },
  { bit: 1, level: 'warning', text: 'temperature outside its limits' },
  { bit: 2, level: 'failing', text: 'reliability degraded by media or internal errors' },
  { bit: 3, level: 'failing', text: 'media placed in read-only mode' },
  { bit: 4, level: 'failing', text: 'volatile memory backup device failed' },
  { bit: 5, level: 'failing', text: 'persistent memory region read-only' },
]

const RANK: Record<VerdictLevel, number> = { unknown: -1, healthy: 0, warning: 1, failing: 2 }

interface Finding {
  level: 'failing' | 'warning' | 'note'
  text: string
}

function hasSmartData(h: DiskHealth): boolean {
  if (h.passed !== undefined || h.nvme || h.scsi) return true
  const ata = h.ata
  if (!ata) return false
  return (
    ata.failingNow.length > 0 ||
    ata.failedInPast.length > 0 ||
    [ata.reallocatedSectors, ata.reportedUncorrectable, ata.commandTimeouts, ata.pendingSectors, ata.offlineUncorrectable].some((v) => v !== undefined)
  )
}

const PERMISSION = /permission denied|operation not permitted|access is denied|error=5\b/i

/** smartctl could not open the disk for lack of privileges (Unix errno text, or Windows error 5). */
export function deniedPermission(h: Pick<DiskHealth, 'messages'>): boolean {
  return h.messages.some((m) => PERMISSION.test(m))
}

function whyNoData(h: DiskHealth): string[] {
  const reasons = h.messages.map((m) => `smartctl: ${m}`)
  const exit = h.exitStatus ?? 0
  const what = h.model ? `${h.device} (${h.model})` : h.device
  if (h.source === 'systeminformation') {
    reasons.push(`${what}: no SMART status from systeminformation (install smartmontools for a full reading)`)
  } else if (deniedPermission(h)) {
    reasons.push(`${what}: smartctl was not allowed to open the device: it needs root (Linux, macOS) or Administrator (Windows)`)
  } else if (exit & EXIT_BITS.deviceOpenFailed) {
    reasons.push(`${what}: smartctl could not open the device (exit status ${exit}, bit 1)`)
  } else if (exit & EXIT_BITS.commandLine) {
    reasons.push(`${what}: smartctl could not address the device (exit status ${exit}, bit 0): a virtual disk, or a device type it needs told with -d`)
  } else {
    reasons.push(
      `${what} reports no SMART data: RAID volumes, USB bridges and virtual disks hide the physical disks' health; read the member disks through the controller (e.g. smartctl -d megaraid,N)`,
    )
  }
  return reasons
}

function sameDisk(a: DiskHealth, b: DiskHealth): boolean {
  if (a.serial && b.serial) return a.serial === b.serial
  return a.device === b.device
}

function label(a: { id: number; name: string }): string {
  return a.id ? `${a.id} ${a.name}` : a.name
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

/**
 * The verdict on one disk. `previous` is the last reading of the same disk: counts that grew since
 * then mean the disk is degrading. Pure and total: whatever it is given, it returns a verdict.
 */
export function assessDiskHealth(health: DiskHealth, previous?: DiskHealth): Verdict {
  try {
    return assess(health, previous)
  } catch (error) {
    // A DiskHealth built by hand or from damaged points must still give an answer, not a crash.
    return { verdict: 'unknown', reasons: [`could not judge ${String(health?.device)}: ${(error as Error).message}`] }
  }
}

function assess(h: DiskHealth, previous?: DiskHealth): Verdict {
  if (!hasSmartData(h)) return { verdict: 'unknown', reasons: whyNoData(h) }
  const findings: Finding[] = []
  const exit = h.exitStatus ?? 0

  if (h.passed === false) findings.push({ level: 'failing', text: 'SMART overall-health self-assessment: FAILED' })
  if (exit & EXIT_BITS.diskFailing && h.passed !== false) findings.push({ level: 'failing', text: `smartctl exit status ${exit}: disk failing (bit 3)` })
  const ata = h.ata
  for (const a of ata?.failingNow ?? []) {
    findings.push({ level: 'failing', text: `${label(a)} normalized ${a.value ?? '?'} at or below threshold ${a.threshold ?? '?'} now` })
  }
  if (exit & EXIT_BITS.prefailBelowThreshold && !(ata?.failingNow.length)) {
    findings.push({ level: 'failing', text: `smartctl exit status ${exit}: a pre-fail attribute is at or below its threshold (bit 4)` })
  }
  for (const a of ata?.failedInPast ?? []) {
    findings.push({ level: 'warning', text: `${label(a)} was at or below threshold ${a.threshold ?? '?'} in the past` })
  }
  if (exit & EXIT_BITS.belowThresholdInPast && !(ata?.failedInPast.length)) {
    findings.push({ level: 'warning', text: `smartctl exit status ${exit}: an attribute was at or below its threshold in the past (bit 5)` })
  }
  if (exit & EXIT_BITS.selfTestLogHasErrors) {
    findings.push({ level: 'warning', text: `smartctl exit status ${exit}: the self-test log records failed tests (bit 7)` })
  }
  // Old, recovered errors (a cable pulled once) are common on healthy disks: tell, do not alarm.
  if (exit & EXIT_BITS.errorLogHasErrors) findings.push({ level: 'note', text: `smartctl exit status ${exit}: the device error log has entries (bit 6)` })
  if (exit & EXIT_BITS.smartCommandFailed) {
    findings.push({ level: 'note', text: `smartctl exit status ${exit}: a SMART command failed (bit 2); the reading may be partial` })
  }

  const before = previous && sameDisk(h, previous) ? previous : undefined
  for (const t of COUNTER_THRESHOLDS) {
    const value = t.read(h)
    if (value === undefined) continue
    const was = before ? t.read(before) : undefined
    const show = t.show ?? ((n: number) => `raw ${fmt(n)}`)
    const shown = `${t.label} ${show(value)}${was !== undefined && was !== value ? ` (was ${show(was).replace(/^raw /, '')})` : ''}`
    if (t.failAt !== null && value >= t.failAt) {
      findings.push({ level: 'failing', text: `${shown}: at or above ${t.failAt}` })
    } else if (was !== undefined && value > was && t.growth === 'escalate' && was > 0) {
      findings.push({ level: 'failing', text: `${shown}: still growing` })
    } else if (value >= t.warnAt) {
      findings.push({ level: 'warning', text: shown })
    } else if (was !== undefined && value > was && t.growth !== 'ignore') {
      findings.push({ level: 'warning', text: `${shown}: growing` })
    }
  }

  const nvme = h.nvme
  if (nvme?.criticalWarning) {
    for (const b of NVME_CRITICAL_BITS) {
      if (nvme.criticalWarning & (1 << b.bit)) {
        findings.push({ level: b.level === 'failing' ? 'failing' : 'warning', text: `NVMe critical_warning 0x${nvme.criticalWarning.toString(16)}: ${b.text} (bit ${b.bit})` })
      }
    }
  }
  if (nvme?.availableSpare !== undefined && nvme.availableSpareThreshold !== undefined) {
    const { availableSpare: spare, availableSpareThreshold: threshold } = nvme
    if (spare < threshold) {
      findings.push({ level: 'failing', text: `NVMe available_spare ${spare}% below its threshold ${threshold}%` })
    } else if (spare <= threshold + NVME_SPARE_MARGIN) {
      findings.push({ level: 'warning', text: `NVMe available_spare ${spare}% within ${NVME_SPARE_MARGIN} points of its threshold ${threshold}%` })
    }
  }

  const temperature = h.temperatureCelsius
  const limit = h.temperatureLimitCelsius ?? (nvme ? undefined : DEFAULT_TEMPERATURE_LIMIT_CELSIUS)
  if (temperature !== undefined && limit !== undefined && temperature >= limit) {
    findings.push({ level: 'warning', text: `temperature ${fmt(temperature)} °C at or above ${h.temperatureLimitCelsius !== undefined ? "the drive's limit" : 'the usual limit'} ${fmt(limit)} °C` })
  }
  for (const m of h.messages) findings.push({ level: 'note', text: `smartctl: ${m}` })
  if (h.passed === undefined && h.source === 'smartctl') {
    findings.push({ level: 'note', text: 'no overall SMART self-assessment reported; judged on the attributes alone' })
  }

  const level: VerdictLevel = findings.some((f) => f.level === 'failing') ? 'failing' : findings.some((f) => f.level === 'warning') ? 'warning' : 'healthy'
  const order = { failing: 0, warning: 1, note: 2 }
  const reasons = findings.sort((a, b) => order[a.level] - order[b.level]).map((f) => (f.level === 'note' ? `note: ${f.text}` : f.text))
  return { verdict: level, reasons }
}

/** `disk.smart_ok`: 1 healthy, 0.5 warning, 0 failing, −1 unknown (see the metrics catalogue). */
export function verdictToSmartOk(verdict: VerdictLevel): number {
  return { healthy: 1, warning: 0.5, failing: 0, unknown: -1 }[verdict]
}

export function smartOkToVerdict(value: number): VerdictLevel {
  if (value === 1) return 'healthy'
  if (value === 0.5) return 'warning'
  if (value === 0) return 'failing'
  return 'unknown'
}

/** The worse of two verdicts; `unknown` counts below `healthy` (absence of evidence is not failure). */
export function worseVerdict(a: VerdictLevel, b: VerdictLevel): VerdictLevel {
  return RANK[a] >= RANK[b] ? a : b
}
