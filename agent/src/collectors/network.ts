// Per-interface state, throughput and errors. Source: systeminformation networkStats('*')
// (/sys/class/net counters on Linux). Rates are computed here from the raw counters so a
// counter reset gives a gap, not a spike. Loopback is left out.
import si from 'systeminformation'
import type { MetricPoint } from '@patrol/shared'
import { defineCollector } from './collector.js'
import { delta, rate, type CounterSample } from './rates.js'

const COUNTERS = [
  ['rx_bytes', 'net.rx_bytes_per_second', 'rate'],
  ['tx_bytes', 'net.tx_bytes_per_second', 'rate'],
  ['rx_errors', 'net.rx_errors', 'delta'],
  ['tx_errors', 'net.tx_errors', 'delta'],
  ['rx_dropped', 'net.rx_dropped', 'delta'],
] as const

export const network = defineCollector({
  name: 'network',
  every: 'cycle',
  async collect({ now, state }) {
    const stats = await si.networkStats('*')
    const points: MetricPoint[] = []
    for (const iface of stats) {
      if (iface.iface === 'lo' || /^lo\d*$/.test(iface.iface)) continue
      const instance = iface.iface
      points.push({ ts: now, metric: 'net.up', instance, value: iface.operstate === 'up' ? 1 : 0 })
      for (const [field, metric, kind] of COUNTERS) {
        const key = `${instance}:${field}`
        const current: CounterSample = { at: now, value: Number(iface[field]) || 0 }
        const previous = state.get(key) as CounterSample | undefined
        state.set(key, current)
        const value = kind === 'rate' ? rate(previous, current) : delta(previous, current)
        if (value !== undefined) points.push({ ts: now, metric, instance, value: Math.round(value) })
      }
    }
    return { points }
  },
})
