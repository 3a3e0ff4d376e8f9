/**
 * Disk health as the agent reads it and the collector rebuilds it from stored points. Every field
 * is optional because the sources differ wildly: a SATA disk has attributes, an NVMe drive a health
 * log, a SAS disk a defect list, a RAID volume nothing at all. Absent means "not reported", never 0.
 */
export interface DiskHealth {
  /** Device path as smartctl names it: `/dev/sda`, `/dev/nvme0`, `/dev/bus/0`. */
  device: string
  /** smartctl's `-d` type (`sat`, `nvme`, `scsi`, `sat+megaraid,0`): needed to read the disk again. */
  type?: string
  /** `ATA`, `NVMe`, `SCSI` as smartctl reports it. */
  protocol?: string
  source: DiskHealthSource
  model?: string
  serial?: string
  firmware?: string
  capacityBytes?: number
  /** smartctl's exit status bitmask (see `EXIT_BITS`); absent for other sources or old outputs. */
  exitStatus?: number
  /** smartctl's own error and warning messages, verbatim, for the reasons. */
  messages: string[]
  /** Overall self-assessment (`smart_status.passed`, or systeminformation's smartStatus). */
  passed?: boolean
  temperatureCelsius?: number
  /** The drive's own upper limit where it reports one (SCSI drive trip, ATA SCT limit). */
  temperatureLimitCelsius?: number
  powerOnHours?: number
  ata?: AtaHealth
  nvme?: NvmeHealth
  scsi?: ScsiHealth
}

export type DiskHealthSource = 'smartctl' | 'systeminformation' | 'points'

/** Raw counts of the attributes that predict failure (Backblaze's five). */
export interface AtaHealth {
  reallocatedSectors?: number // 5
  reportedUncorrectable?: number // 187
  commandTimeouts?: number // 188
  pendingSectors?: number // 197
  offlineUncorrectable?: number // 198
  /** Attributes whose normalized value is at or below the vendor threshold now. */
  failingNow: AtaAttributeFailure[]
  /** Attributes that were at or below the threshold at some time in the past. */
  failedInPast: AtaAttributeFailure[]
}

export interface AtaAttributeFailure {
  id: number
  name: string
  value?: number
  threshold?: number
}

export interface NvmeHealth {
  criticalWarning?: number
  mediaErrors?: number
  percentageUsed?: number
  availableSpare?: number
  availableSpareThreshold?: number
}

export interface ScsiHealth {
  grownDefects?: number
  /** Read plus write "total uncorrected errors" from the error counter log. */
  uncorrectedErrors?: number
}

export type VerdictLevel = 'healthy' | 'warning' | 'failing' | 'unknown'

export interface Verdict {
  verdict: VerdictLevel
  /** Human-readable, with the numbers; for `healthy` these are notes (possibly empty). */
  reasons: string[]
}
