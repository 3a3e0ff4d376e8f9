// Memory and swap. Source: systeminformation mem(). "available" (MemAvailable on Linux) is what
// matters for a machine under pressure; "free" counts page cache as used and alarms for nothing.
import si from 'systeminformation'
import { defineCollector } from './collector.js'

export const memory = defineCollector({
  name: 'memory',
  every: 'cycle',
  async collect({ now }) {
    const mem = await si.mem()
    const available = mem.available || mem.free
    return {
      points: [
        { ts: now, metric: 'mem.total_bytes', value: mem.total },
        { ts: now, metric: 'mem.available_bytes', value: available },
        { ts: now, metric: 'mem.used_percent', value: mem.total ? Math.round((10_000 * (mem.total - available)) / mem.total) / 100 : 0 },
        { ts: now, metric: 'swap.total_bytes', value: mem.swaptotal },
        { ts: now, metric: 'swap.used_bytes', value: mem.swapused },
      ],
    }
  },
})
