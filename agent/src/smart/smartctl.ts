/**
 * Reading disk health on this machine: smartctl (smartmontools) where installed, otherwise
 * systeminformation's coarse SMART status. Every reading says which source it came from.
 */
import { execFile } from 'node:child_process'
import { constants as fsConstants } from 'node:fs'
import { access, readdir } from 'node:fs/promises'
import path from 'node:path'
import { deniedPermission, parseSmartctl, parseSmartctlScan, type DiskHealth, type ScannedDevice } from '@patrol/shared'

export interface RunResult {
  stdout: string
  stderr: string
  /** null when the process was killed (timeout) or could not start. */
  exitCode: number | null
  /** Why it did not run to completion, when it did not. */
  error?: string
}

/** Runs a program without a shell; injectable so tests can stand in for smartctl. */
export type Runner = (file: string, args: string[], timeoutMs: number) => Promise<RunResult>

export const execRunner: Runner = (file, args, timeoutMs) =>
  new Promise((resolve) => {
    // A non-zero exit is smartctl's bitmask, not a failure: the JSON is on stdout either way.
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr, exitCode: 0 })
      const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string | null }
      if (typeof e.code === 'number') return resolve({ stdout, stderr, exitCode: e.code })
      const why = e.killed ? `timed out after ${Math.round(timeoutMs / 1000)} s` : e.signal ? `killed by ${e.signal}` : (e.message ?? String(error))
      resolve({ stdout, stderr, exitCode: null, error: why })
    })
  })

export interface SmartctlOptions {
  /** Path from the agent's settings; searched for when absent. */
  smartctlPath?: string
  runner?: Runner
  /** Per device: a disk behind a busy RAID controller can take many seconds to answer. */
  timeoutMs?: number
  /** Where Linux lists block devices; tests point it elsewhere. */
  sysBlock?: string
}

const WELL_KNOWN_DIRS =
  process.platform === 'win32'
    ? ['C:\\Program Files\\smartmontools\\bin', 'C:\\Program Files (x86)\\smartmontools\\bin']
    : ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin', '/opt/homebrew/sbin']

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, process.platform === 'win32' ? fsConstants.F_OK : fsConstants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Where smartctl is: the configured path, then PATH, then the usual sbin folders (services and
 * sudo often run with a PATH that lacks /usr/sbin, where Debian puts it).
 */
export async function findSmartctl(configured?: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  if (configured) return (await executable(configured)) ? configured : undefined
  const name = process.platform === 'win32' ? 'smartctl.exe' : 'smartctl'
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...WELL_KNOWN_DIRS]
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    if (await executable(candidate)) return candidate
  }
  return undefined
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Devices smartctl finds (`--scan --json`). */
export async function scanDevices(smartctl: string, runner: Runner = execRunner, timeoutMs = 30_000): Promise<ScannedDevice[]> {
  const result = await runner(smartctl, ['--scan', '--json'], timeoutMs)
  const json = parseJson(result.stdout)
  if (json === undefined) {
    const detail = `${result.stderr.trim()} ${result.stdout.trim()}`.trim().slice(0, 300)
    throw new Error(`${smartctl} --scan --json gave no JSON (exit ${result.exitCode ?? result.error}; smartmontools 7.0 or later is needed for --json): ${detail}`)
  }
  return parseSmartctlScan(json)
}

/**
 * Block devices smartctl's scan leaves out on Linux: virtio and Xen disks. Reading them still
 * gives an honest "unknown (virtual disk)" instead of silence about a disk we know exists.
 */
export async function virtualDisks(sysBlock = '/sys/block'): Promise<ScannedDevice[]> {
  if (process.platform !== 'linux') return []
  try {
    const names = await readdir(sysBlock)
    return names.filter((n) => /^(x?vd[a-z]+)$/.test(n)).map((n) => ({ name: `/dev/${n}` }))
  } catch {
    return []
  }
}

/**
 * The `-d` type to read a scanned device with. `--scan` calls every disk on the Linux SCSI layer
 * `scsi`, SATA disks included; forcing `-d scsi` would hide their ATA attributes, so that one is
 * left to smartctl's own detection (which finds SAT). Controller types (`megaraid,0`, `cciss,1`)
 * are the only way to reach those disks and are kept.
 */
export function scannedType(type: string | undefined): string | undefined {
  return type === 'scsi' ? undefined : type
}

/** One disk: `smartctl --json -x [-d type] device`, the type as given. Never throws; problems become messages. */
export async function readDisk(smartctl: string, device: ScannedDevice, runner: Runner = execRunner, timeoutMs = 30_000): Promise<DiskHealth> {
  const args = ['--json', '-x', ...(device.type ? ['-d', device.type] : []), device.name]
  const result = await runner(smartctl, args, timeoutMs)
  const json = parseJson(result.stdout)
  if (json === undefined) {
    const why = result.error ?? `exit status ${result.exitCode}`
    const health: DiskHealth = {
      device: device.name,
      source: 'smartctl',
      messages: [`${smartctl} ${args.join(' ')} gave no JSON (${why})${result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 300)}` : ''}`],
    }
    if (device.type) health.type = device.type
    if (result.exitCode !== null && result.exitCode >= 0 && result.exitCode <= 255) health.exitStatus = result.exitCode
    return health
  }
  const health = parseSmartctl(json, device.name)
  // Keep the scan's controller type when smartctl's answer lacks a device section (errors).
  if (!health.type && device.type) health.type = device.type
  return health
}

/** systeminformation's `smartStatus`: 'Ok', 'Predicted Failure', or 'unknown'. */
export function healthFromSystemInformation(disk: {
  device?: string
  name?: string
  vendor?: string
  serialNum?: string
  firmwareRevision?: string
  size?: number
  interfaceType?: string
  smartStatus?: string
  temperature?: number | null
}): DiskHealth {
  const health: DiskHealth = { device: disk.device || disk.name || 'unknown disk', source: 'systeminformation', messages: [] }
  const model = [disk.vendor, disk.name].filter((s) => s && s.trim()).join(' ').trim()
  if (model) health.model = model
  if (disk.serialNum?.trim()) health.serial = disk.serialNum.trim()
  if (disk.firmwareRevision?.trim()) health.firmware = disk.firmwareRevision.trim()
  if (typeof disk.size === 'number' && disk.size > 0) health.capacityBytes = disk.size
  if (disk.interfaceType?.trim()) health.protocol = disk.interfaceType.trim()
  const status = disk.smartStatus?.trim().toLowerCase()
  if (status === 'ok') health.passed = true
  else if (status === 'predicted failure') health.passed = false
  else health.messages.push(`systeminformation smartStatus: ${disk.smartStatus ?? 'absent'}`)
  if (typeof disk.temperature === 'number' && disk.temperature > 0 && disk.temperature < 200) health.temperatureCelsius = disk.temperature
  return health
}

export async function readFromSystemInformation(): Promise<DiskHealth[]> {
  // Loaded only here: with smartctl present the agent never needs it for SMART.
  const { default: si } = await import('systeminformation')
  const disks = await si.diskLayout()
  return disks.map((d) => healthFromSystemInformation(d))
}

export class SmartUnavailable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SmartUnavailable'
  }
}

export interface DiskReadings {
  disks: DiskHealth[]
  /** The smartctl used, or undefined when the readings came from systeminformation. */
  smartctl?: string
}

/**
 * Every disk on this machine. smartctl when it can be found (scan plus virtual disks), otherwise
 * systeminformation. Throws SmartUnavailable when neither finds a disk.
 */
export async function readAllDisks(options: SmartctlOptions = {}): Promise<DiskReadings> {
  const runner = options.runner ?? execRunner
  const timeoutMs = options.timeoutMs ?? 30_000
  const smartctl = await findSmartctl(options.smartctlPath)
  if (!smartctl) {
    if (options.smartctlPath) throw new SmartUnavailable(`smartctl not found or not executable at the configured path ${options.smartctlPath}`)
    const disks = await readFromSystemInformation()
    if (disks.length === 0) throw new SmartUnavailable('smartctl is not installed (smartmontools) and systeminformation reports no disks')
    return { disks }
  }
  const scanned = await scanDevices(smartctl, runner, timeoutMs)
  const known = new Set(scanned.map((d) => d.name))
  const devices = [...scanned, ...(await virtualDisks(options.sysBlock)).filter((d) => !known.has(d.name))]
  if (devices.length === 0) throw new SmartUnavailable(`${smartctl} --scan found no disks`)
  const disks: DiskHealth[] = []
  // One at a time: several smartctl processes at once cost the customer's machine more than they save.
  for (const device of devices) disks.push(await readDisk(smartctl, { ...device, type: scannedType(device.type) }, runner, timeoutMs))
  return { disks, smartctl }
}

export const PERMISSION_HINT =
  process.platform === 'win32'
    ? 'smartctl needs Administrator rights: run the agent as the LocalSystem service (agent install)'
    : 'smartctl needs root: run the agent as root (the installed service does), or `sudo pnpm agent smart`'

export interface SmartAccess {
  /** True when at least one disk could be read with SMART data or a real status. */
  ok: boolean
  source?: DiskHealth['source']
  smartctl?: string
  disks: number
  /** What is wrong, for `agent doctor`, when not ok or only partly. */
  problem?: string
}

/** What SMART can read on this machine, in one line per problem: for `agent doctor`. */
export async function checkSmartAccess(options: SmartctlOptions = {}): Promise<SmartAccess> {
  try {
    const { disks, smartctl } = await readAllDisks(options)
    const denied = disks.filter((d) => deniedPermission(d)).map((d) => d.device)
    const access: SmartAccess = { ok: denied.length < disks.length, source: smartctl ? 'smartctl' : 'systeminformation', disks: disks.length }
    if (smartctl) access.smartctl = smartctl
    if (denied.length > 0) access.problem = `cannot open ${denied.join(', ')}: ${PERMISSION_HINT}`
    else if (!smartctl) access.problem = 'smartctl is not installed: only the coarse systeminformation SMART status is available (install smartmontools)'
    return access
  } catch (error) {
    return { ok: false, disks: 0, problem: (error as Error).message }
  }
}
