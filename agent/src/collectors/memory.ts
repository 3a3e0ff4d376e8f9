// Memory and swap. Linux: /proc/meminfo; elsewhere systeminformation mem(). "available"
// (MemAvailable on Linux) is what matters for a machine under pressure; "free" counts page cache
// as used and alarms for nothing.
import { readFileSync } from 'node:fs'
import { parseMeminfo } from '../platform/procfs.js'
import { systeminformation } from '../platform/si.js'
import { defineCollector } from './collector.js'

interface Memory {
  total: number
  available: number
  swapTotal: number
  swapUsed: number
}

function linuxMemory(): Memory {
  const m = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'))
  const total = m.get('MemTotal') ?? 0
  // MemAvailable exists since Linux 3.14; before, free + page cache is the usual estimate.
  const available = m.get('MemAvailable') ?? (m.get('MemFree') ?? 0) + (m.get('Cached') ?? 0) + (m.get('Buffers') ?? 0)
  const swapTotal = m.get('SwapTotal') ?? 0
  return { total, available, swapTotal, swapUsed: swapTotal - (m.get('SwapFree') ?? 0) }
}

async function otherMemory(): Promise<Memory> {
  const mem = await (await systeminformation()).mem()
  return { total: mem.total, available: mem.available || mem.free, swapTotal: mem.swaptotal, swapUsed: mem.swapused }
}

export const memory = defineCollector({
  name: 'memory',
  every: 'cycle',
  async collect({ now }) {
    const mem = process.platform === 'linux' ? linuxMemory() : await otherMemory()
    return {
      points: [
        { ts: now, metric: 'mem.total_bytes', value: mem.total },
        { ts: now, metric: 'mem.available_bytes', value: mem.available },
        { ts: now, metric: 'mem.used_percent', value: mem.total ? Math.round((10_000 * (mem.total - mem.available)) / mem.total) / 100 : 0 },
        { ts: now, metric: 'swap.total_bytes', value: mem.swapTotal },
        { ts: now, metric: 'swap.used_bytes', value: mem.swapUsed },
      ],
    }
  },
})
