/**
 * Cheap readings straight from Linux /proc, where systeminformation would spawn `ps` (its
 * processes() costs ~150 ms of CPU a call). Reads are synchronous on purpose: procfs files are
 * generated in memory, a few hundred small reads take a few milliseconds, and a thread-pool
 * round trip per file would cost more than the read.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

export interface ProcessSample {
  pid: number
  name: string
  /** user + system CPU time, in clock ticks */
  cpuTicks: number
  rssBytes: number
}

let cachedConstants: { ticksPerSecond: number; pageSize: number } | undefined

/** Clock ticks per second and page size; asked once (they cannot change while running). */
export function procConstants(): { ticksPerSecond: number; pageSize: number } {
  if (!cachedConstants) {
    const ask = (name: string, fallback: number) => {
      try {
        const value = Number.parseInt(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim(), 10)
        return value > 0 ? value : fallback
      } catch {
        return fallback
      }
    }
    cachedConstants = { ticksPerSecond: ask('CLK_TCK', 100), pageSize: ask('PAGESIZE', 4096) }
  }
  return cachedConstants
}

/**
 * Parses one /proc/PID/stat line. The name (field 2) is in parentheses and may itself contain
 * spaces and parentheses, so the fields after it are found from the LAST ')'.
 */
export function parseStat(line: string, pageSize: number): Omit<ProcessSample, 'pid'> & { pid: number } | undefined {
  const open = line.indexOf('(')
  const close = line.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const pid = Number.parseInt(line.slice(0, open), 10)
  const name = line.slice(open + 1, close)
  const rest = line.slice(close + 2).split(' ')
  // rest[0] is field 3 (state); utime is field 14, stime 15, rss 24.
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  const rssPages = Number(rest[21])
  if (!Number.isFinite(pid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined
  return { pid, name, cpuTicks: utime + stime, rssBytes: Math.max(0, rssPages) * pageSize }
}

let lastScan: { cycle: number; samples: ProcessSample[] } | undefined

/**
 * Every process's CPU ticks and resident memory. Collectors of one cycle (processes, and services
 * where there is no systemd) pass the cycle's timestamp and share one scan.
 */
export function readProcesses(options: { root?: string; cycle?: number } = {}): ProcessSample[] {
  const { root = '/proc', cycle } = options
  if (cycle !== undefined && root === '/proc' && lastScan?.cycle === cycle) return lastScan.samples
  const samples = scanProcesses(root)
  if (cycle !== undefined && root === '/proc') lastScan = { cycle, samples }
  return samples
}

function scanProcesses(root: string): ProcessSample[] {
  const { pageSize } = procConstants()
  const samples: ProcessSample[] = []
  for (const entry of readdirSync(root)) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const parsed = parseStat(readFileSync(`${root}/${entry}/stat`, 'utf8'), pageSize)
      if (parsed) samples.push(parsed)
    } catch {
      // the process ended between the listing and the read
    }
  }
  return samples
}

export interface CpuTimes {
  busy: number
  total: number
}

/** The aggregate "cpu" line of /proc/stat: busy = everything but idle and iowait. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n', 1)[0] ?? ''
  if (!line.startsWith('cpu ')) return undefined
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number)
  if (values.length < 5 || values.some((v) => !Number.isFinite(v))) return undefined
  const total = values.reduce((a, b) => a + b, 0)
  const idle = values[3]! + (values[4] ?? 0)
  return { busy: total - idle, total }
}

export function readCpuTimes(): CpuTimes | undefined {
  return parseProcStat(readFileSync('/proc/stat', 'utf8'))
}

export interface InterfaceCounters {
  iface: string
  rx_bytes: number
  rx_errors: number
  rx_dropped: number
  tx_bytes: number
  tx_errors: number
}

/** /proc/net/dev: after "iface:", receive bytes packets errs drop … then transmit bytes packets errs. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const counters: InterfaceCounters[] = []
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number)
    if (v.length < 11) continue
    counters.push({ iface: line.slice(0, colon).trim(), rx_bytes: v[0]!, rx_errors: v[2]!, rx_dropped: v[3]!, tx_bytes: v[8]!, tx_errors: v[10]! })
  }
  return counters
}

export interface Mount {
  device: string
  mount: string
  type: string
}

/** /proc/self/mounts; octal escapes (\040 for a space) decoded. */
export function parseMounts(text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((cols) => cols.length >= 3)
    .map(([device, mount, type]) => ({ device: unescape(device!), mount: unescape(mount!), type: type! }))
}

/** /proc/meminfo values in bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line.trim())
    if (match) values.set(match[1]!, Number(match[2]) * (line.includes('kB') ? 1024 : 1))
  }
  return values
}

/**
 * Bytes read and written by whole physical disks, from /proc/diskstats (sectors are always 512
 * bytes there). Partitions, and virtual stacks on top of disks (dm-*, md*, loop, zram), are left
 * out: counting both an LVM volume and its disk would count every byte twice.
 */
export function parseDiskstats(text: string, isPhysical: (name: string) => boolean): { read: number; written: number } {
  let read = 0
  let written = 0
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 10 || !isPhysical(cols[2]!)) continue
    read += Number(cols[5]) * 512
    written += Number(cols[9]) * 512
  }
  return { read, written }
}
