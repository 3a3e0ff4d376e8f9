// The processes using the most CPU and memory, for "the PC is slow" calls. Linux: read from
// /proc directly (a few ms); elsewhere systeminformation processes(), which spawns ps/WMI and
// costs ~150 ms, so there it runs at most every five minutes. Processes with the same name are
// added up (twenty browser processes are one browser) so series stay few and meaningful.
// CPU is the share of the whole machine over the last interval, like cpu.load_percent.
import os from 'node:os'
import { systeminformation } from '../platform/si.js'
import type { MetricPoint } from '@patrol/shared'
import { procConstants, readProcesses, type ProcessSample } from '../platform/procfs.js'
import { defineCollector } from './collector.js'

const TOP = 5
const NON_LINUX_PERIOD_MS = 5 * 60_000

interface Usage {
  name: string
  cpuPercent?: number
  memoryBytes: number
}

/** Per-name totals from two /proc samples taken `seconds` apart. */
export function usageByName(previous: Map<number, ProcessSample> | undefined, current: ProcessSample[], seconds: number, ticksPerSecond: number, cpus: number): Usage[] {
  const byName = new Map<string, Usage>()
  for (const sample of current) {
    // Kernel threads (no resident memory) are named per CPU and per work queue ("kworker/0:1H-events"):
    // one series per kind ("kworker") keeps kswapd at 100 % visible without a thousand series.
    const name = sample.rssBytes === 0 ? sample.name.split('/')[0]! : sample.name
    const usage = byName.get(name) ?? { name, memoryBytes: 0 }
    usage.memoryBytes += sample.rssBytes
    const before = previous?.get(sample.pid)
    // Same pid and name: the same process. Otherwise it started during the interval (or reused a pid).
    if (previous && seconds > 0) {
      const ticks = before && before.name === sample.name ? Math.max(0, sample.cpuTicks - before.cpuTicks) : sample.cpuTicks
      usage.cpuPercent = (usage.cpuPercent ?? 0) + (100 * ticks) / ticksPerSecond / seconds / cpus
    }
    byName.set(name, usage)
  }
  return [...byName.values()]
}

export function topPoints(usages: Usage[], now: number): MetricPoint[] {
  const points: MetricPoint[] = []
  const round = (v: number) => Math.round(v * 100) / 100
  for (const u of usages.filter((u) => u.cpuPercent !== undefined && u.cpuPercent >= 0.01).sort((a, b) => b.cpuPercent! - a.cpuPercent!).slice(0, TOP)) {
    points.push({ ts: now, metric: 'process.cpu_percent', instance: u.name, value: round(u.cpuPercent!) })
  }
  for (const u of usages.toSorted((a, b) => b.memoryBytes - a.memoryBytes).slice(0, TOP)) {
    points.push({ ts: now, metric: 'process.memory_bytes', instance: u.name, value: u.memoryBytes })
  }
  return points
}

export const processes = defineCollector({
  name: 'processes',
  every: 'cycle',
  async collect({ now, state }) {
    if (process.platform === 'linux') {
      const samples = readProcesses({ cycle: now })
      const previous = state.get('samples') as { at: number; byPid: Map<number, ProcessSample> } | undefined
      state.set('samples', { at: now, byPid: new Map(samples.map((s) => [s.pid, s])) })
      const usages = usageByName(previous?.byPid, samples, previous ? (now - previous.at) / 1000 : 0, procConstants().ticksPerSecond, os.cpus().length || 1)
      return { points: [{ ts: now, metric: 'system.processes', value: samples.length }, ...topPoints(usages, now)] }
    }
    const last = state.get('at') as number | undefined
    if (last !== undefined && now - last < NON_LINUX_PERIOD_MS) return {}
    state.set('at', now)
    const list = await (await systeminformation()).processes()
    const byName = new Map<string, Usage>()
    for (const p of list.list) {
      const usage = byName.get(p.name) ?? { name: p.name, cpuPercent: 0, memoryBytes: 0 }
      usage.cpuPercent! += p.cpu
      usage.memoryBytes += p.memRss * 1024
      byName.set(p.name, usage)
    }
    return { points: [{ ts: now, metric: 'system.processes', value: list.all }, ...topPoints([...byName.values()], now)] }
  },
})
