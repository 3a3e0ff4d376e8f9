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

export function readProcesses(root = '/proc'): ProcessSample[] {
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
