import type { AtaAttributeFailure, AtaHealth, DiskHealth, NvmeHealth, ScsiHealth } from './types.js'

/**
 * smartctl's exit status is a bitmask (smartctl(8), "RETURN VALUES"): the JSON is still printed
 * whatever the bits say, so a non-zero status is data, not a failure to run.
 */
export const EXIT_BITS = {
  commandLine: 1 << 0,
  deviceOpenFailed: 1 << 1,
  smartCommandFailed: 1 << 2,
  diskFailing: 1 << 3,
  prefailBelowThreshold: 1 << 4,
  belowThresholdInPast: 1 << 5,
  errorLogHasErrors: 1 << 6,
  selfTestLogHasErrors: 1 << 7,
} as const

type Json = Record<string, unknown>

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** A count that must be a non-negative finite number; anything else is "not reported". */
function count(value: unknown): number | undefined {
  const n = num(value)
  return n !== undefined && n >= 0 ? n : undefined
}

/**
 * The number an attribute's raw value stands for. `raw.value` is the whole 48-bit field, which
 * vendors pack: a temperature of 32 °C with min/max reads 163210330144, a Seagate power-on time
 * carries minutes and seconds in its high bytes. `raw.string` is smartctl's decoded form
 * ("32 (Min/Max 24/38)", "2725 (151 234 0)", "12345h+23m+10.123s"): its first number is the
 * value. Seagate's 188 Command_Timeout decodes as three counters "a b c"; Scrutiny (issue #522)
 * takes the last when they ascend, which we follow.
 */
export function rawAttributeNumber(id: number, raw: unknown): number | undefined {
  const r = obj(raw)
  if (!r) return undefined
  const text = typeof r.string === 'string' ? r.string.trim() : undefined
  if (text) {
    const triple = /^(\d+) (\d+) (\d+)$/.exec(text)
    if (triple) {
      const [a, b, c] = [Number(triple[1]), Number(triple[2]), Number(triple[3])]
      return id === 188 && c >= b && b >= a ? c : a
    }
    const first = /^(\d+)/.exec(text)
    if (first) return Number(first[1])
  }
  return count(r.value)
}

const ATA_KEYS: Record<number, keyof Omit<AtaHealth, 'failingNow' | 'failedInPast'>> = {
  5: 'reallocatedSectors',
  187: 'reportedUncorrectable',
  188: 'commandTimeouts',
  197: 'pendingSectors',
  198: 'offlineUncorrectable',
}

function parseAta(root: Json): { ata?: AtaHealth; powerOnHours?: number; temperature?: number } {
  const table = obj(root.ata_smart_attributes)?.table
  if (!Array.isArray(table) || table.length === 0) return {}
  const ata: AtaHealth = { failingNow: [], failedInPast: [] }
  let powerOnHours: number | undefined
  let temperature: number | undefined
  for (const entry of table) {
    const attr = obj(entry)
    const id = num(attr?.id)
    if (!attr || id === undefined) continue
    const raw = rawAttributeNumber(id, attr.raw)
    const key = ATA_KEYS[id]
    if (key && raw !== undefined) ata[key] = raw
    if (id === 9) powerOnHours = raw
    if (id === 194 || (id === 190 && temperature === undefined)) temperature = raw
    const whenFailed = str(attr.when_failed)
    if (whenFailed === 'now' || whenFailed === 'past') {
      const failure: AtaAttributeFailure = { id, name: str(attr.name) ?? `attribute ${id}` }
      const value = num(attr.value)
      const threshold = num(attr.thresh)
      if (value !== undefined) failure.value = value
      if (threshold !== undefined) failure.threshold = threshold
      ;(whenFailed === 'now' ? ata.failingNow : ata.failedInPast).push(failure)
    }
  }
  return { ata, powerOnHours, temperature }
}

function parseNvme(root: Json): NvmeHealth | undefined {
  const log = obj(root.nvme_smart_health_information_log)
  if (!log) return undefined
  const nvme: NvmeHealth = {}
  const set = (key: keyof NvmeHealth, value: unknown) => {
    const n = count(value)
    if (n !== undefined) nvme[key] = n
  }
  set('criticalWarning', log.critical_warning)
  set('mediaErrors', log.media_errors)
  set('percentageUsed', log.percentage_used)
  set('availableSpare', log.available_spare)
  set('availableSpareThreshold', log.available_spare_threshold)
  return Object.keys(nvme).length > 0 ? nvme : undefined
}

function parseScsi(root: Json): ScsiHealth | undefined {
  const scsi: ScsiHealth = {}
  const grown = count(root.scsi_grown_defect_list)
  if (grown !== undefined) scsi.grownDefects = grown
  const log = obj(root.scsi_error_counter_log)
  if (log) {
    const read = count(obj(log.read)?.total_uncorrected_errors)
    const write = count(obj(log.write)?.total_uncorrected_errors)
    if (read !== undefined || write !== undefined) scsi.uncorrectedErrors = (read ?? 0) + (write ?? 0)
  }
  return Object.keys(scsi).length > 0 ? scsi : undefined
}

/** A temperature of 0 °C from a spinning disk is a placeholder (RAID volumes report it), not a reading. */
function celsius(value: unknown): number | undefined {
  const n = num(value)
  return n !== undefined && n > 0 && n < 200 ? n : undefined
}

/**
 * Reads `smartctl --json -x` (or `-a`, `-i`) output. Never throws: anything that is not
 * smartctl JSON yields a DiskHealth with no data and a message saying why, which
 * `assessDiskHealth` turns into `unknown`.
 */
export function parseSmartctl(json: unknown, fallbackDevice = 'unknown device'): DiskHealth {
  const root = obj(json)
  if (!root) {
    return { device: fallbackDevice, source: 'smartctl', messages: [`not smartctl JSON output (got ${describe(json)})`] }
  }
  const smartctl = obj(root.smartctl)
  const device = obj(root.device)
  const messages: string[] = []
  if (Array.isArray(smartctl?.messages)) {
    for (const m of smartctl.messages) {
      const text = str(obj(m)?.string)
      if (text) messages.push(text.slice(0, 512))
    }
  }
  if (!smartctl && !device) messages.push('no "smartctl" or "device" section: not smartctl JSON output')

  const health: DiskHealth = {
    device: str(device?.name) ?? fallbackDevice,
    source: 'smartctl',
    messages,
  }
  const type = str(device?.type)
  if (type) health.type = type
  const protocol = str(device?.protocol)
  if (protocol) health.protocol = protocol
  const model = str(root.model_name) ?? str(root.product)
  if (model) health.model = model
  const serial = str(root.serial_number)
  if (serial) health.serial = serial
  const firmware = str(root.firmware_version) ?? str(root.revision)
  if (firmware) health.firmware = firmware
  const capacity = count(obj(root.user_capacity)?.bytes) ?? count(root.nvme_total_capacity)
  if (capacity !== undefined && capacity > 0) health.capacityBytes = capacity
  const exitStatus = num(smartctl?.exit_status)
  if (exitStatus !== undefined && Number.isInteger(exitStatus) && exitStatus >= 0) health.exitStatus = exitStatus

  const status = obj(root.smart_status)
  if (typeof status?.passed === 'boolean') health.passed = status.passed

  const { ata, powerOnHours: ataHours, temperature: ataTemperature } = parseAta(root)
  if (ata) health.ata = ata
  const nvme = parseNvme(root)
  if (nvme) health.nvme = nvme
  const scsi = parseScsi(root)
  if (scsi) health.scsi = scsi

  const temperature = obj(root.temperature)
  const current =
    celsius(temperature?.current) ?? celsius(ataTemperature) ?? celsius(obj(root.nvme_smart_health_information_log)?.temperature)
  if (current !== undefined) health.temperatureCelsius = current
  const limit = celsius(temperature?.drive_trip) ?? celsius(temperature?.op_limit_max) ?? celsius(temperature?.limit_max)
  if (limit !== undefined) health.temperatureLimitCelsius = limit
  const hours = count(obj(root.power_on_time)?.hours) ?? ataHours ?? count(obj(root.nvme_smart_health_information_log)?.power_on_hours)
  if (hours !== undefined) health.powerOnHours = hours
  return health
}

export interface ScannedDevice {
  /** Path to pass to smartctl. */
  name: string
  /** `-d` type to pass along: a MegaRAID disk is only reachable as `/dev/bus/0 -d megaraid,N`. */
  type?: string
  protocol?: string
  infoName?: string
}

/** Reads `smartctl --scan --json` / `--scan-open --json`. Unusable entries are skipped. */
export function parseSmartctlScan(json: unknown): ScannedDevice[] {
  const devices = obj(json)?.devices
  if (!Array.isArray(devices)) return []
  const out: ScannedDevice[] = []
  for (const entry of devices) {
    const d = obj(entry)
    const name = str(d?.name)
    if (!d || !name) continue
    const device: ScannedDevice = { name }
    const type = str(d.type)
    if (type) device.type = type
    const protocol = str(d.protocol)
    if (protocol) device.protocol = protocol
    const infoName = str(d.info_name)
    if (infoName) device.infoName = infoName
    out.push(device)
  }
  return out
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}
