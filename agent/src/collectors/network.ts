// Per-interface state, throughput and errors. Linux: /proc/net/dev counters and
// /sys/class/net/<if>/operstate, read directly; elsewhere systeminformation networkStats('*').
// Rates are computed here from the raw counters so a counter reset gives a gap, not a spike.
// Loopback is left out.
import { readFileSync } from 'node:fs'
import { systeminformation } from '../platform/si.js'
import type { MetricPoint } from '@patrol/shared'
import { parseNetDev, type InterfaceCounters } from '../platform/procfs.js'
import { defineCollector } from './collector.js'
import { delta, rate, type CounterSample } from './rates.js'

const COUNTERS = [
  ['rx_bytes', 'net.rx_bytes_per_second', 'rate'],
  ['tx_bytes', 'net.tx_bytes_per_second', 'rate'],
  ['rx_errors', 'net.rx_errors', 'delta'],
  ['tx_errors', 'net.tx_errors', 'delta'],
  ['rx_dropped', 'net.rx_dropped', 'delta'],
] as const

type Interface = InterfaceCounters & { up: boolean }

function linuxInterfaces(): Interface[] {
  return parseNetDev(readFileSync('/proc/net/dev', 'utf8')).map((counters) => {
    let operstate = 'unknown'
    try {
      operstate = readFileSync(`/sys/class/net/${counters.iface}/operstate`, 'utf8').trim()
    } catch {
      // interface gone since the read above
    }
    return { ...counters, up: operstate === 'up' }
  })
}

async function otherInterfaces(): Promise<Interface[]> {
  return (await (await systeminformation()).networkStats('*')).map((s) => ({
    iface: s.iface,
    rx_bytes: s.rx_bytes,
    tx_bytes: s.tx_bytes,
    rx_errors: s.rx_errors,
    tx_errors: s.tx_errors,
    rx_dropped: s.rx_dropped,
    up: s.operstate === 'up',
  }))
}

export const network = defineCollector({
  name: 'network',
  every: 'cycle',
  async collect({ now, state }) {
    const interfaces = process.platform === 'linux' ? linuxInterfaces() : await otherInterfaces()
    const points: MetricPoint[] = []
    for (const iface of interfaces) {
      if (/^lo\d*$/.test(iface.iface)) continue
      const instance = iface.iface
      points.push({ ts: now, metric: 'net.up', instance, value: iface.up ? 1 : 0 })
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
