// Disk throughput, all disks together. Source: systeminformation fsStats() (/proc/diskstats on
// Linux, ioreg on macOS; not available on Windows, where it returns null).
import si from 'systeminformation'
import { defineCollector, NotApplicable } from './collector.js'
import { rate, type CounterSample } from './rates.js'

export const diskIo = defineCollector({
  name: 'disk-io',
  every: 'cycle',
  async collect({ now, state }) {
    const stats = await si.fsStats()
    if (!stats) throw new NotApplicable('disk I/O counters are not available on this OS')
    const read: CounterSample = { at: now, value: stats.rx }
    const written: CounterSample = { at: now, value: stats.wx }
    const readRate = rate(state.get('read') as CounterSample | undefined, read)
    const writeRate = rate(state.get('written') as CounterSample | undefined, written)
    state.set('read', read)
    state.set('written', written)
    const points = []
    if (readRate !== undefined) points.push({ ts: now, metric: 'disk.read_bytes_per_second', value: Math.round(readRate) })
    if (writeRate !== undefined) points.push({ ts: now, metric: 'disk.write_bytes_per_second', value: Math.round(writeRate) })
    return { points }
  },
})
