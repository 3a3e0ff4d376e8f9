// Disk throughput, all physical disks together. Linux: /proc/diskstats (whole disks only, see
// parseDiskstats); macOS: systeminformation fsStats() (ioreg); not available on Windows, where
// systeminformation returns null.
import { existsSync, readFileSync } from 'node:fs'
import { parseDiskstats } from '../platform/procfs.js'
import { systeminformation } from '../platform/si.js'
import { defineCollector, NotApplicable } from './collector.js'
import { rate, type CounterSample } from './rates.js'

/** A block device backed by hardware (or a hypervisor's disk) has a `device` link in sysfs. */
function isPhysicalDisk(name: string): boolean {
  return !/^(loop|ram|zram|dm-|md|sr|fd|nbd)/.test(name) && existsSync(`/sys/block/${name.replace(/\//g, '!')}/device`)
}

async function totals(state: Map<string, unknown>): Promise<{ read: number; written: number } | undefined> {
  if (process.platform === 'linux') {
    // Which names are physical disks changes only with hot-plug: looked up once per name.
    let physical = state.get('physical') as Map<string, boolean> | undefined
    if (!physical) state.set('physical', (physical = new Map()))
    const known = physical
    return parseDiskstats(readFileSync('/proc/diskstats', 'utf8'), (name) => {
      let is = known.get(name)
      if (is === undefined) known.set(name, (is = isPhysicalDisk(name)))
      return is
    })
  }
  const stats = await (await systeminformation()).fsStats()
  return stats ? { read: stats.rx, written: stats.wx } : undefined
}

export const diskIo = defineCollector({
  name: 'disk-io',
  every: 'cycle',
  async collect({ now, state }) {
    const total = await totals(state)
    if (!total) throw new NotApplicable('disk I/O counters are not available on this OS')
    const read: CounterSample = { at: now, value: total.read }
    const written: CounterSample = { at: now, value: total.written }
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
