// Uptime (and so the last boot). os.uptime() reads /proc/uptime or the OS's boot time: no process
// (systeminformation's time() also looks up the time zone, spawning a process on Linux).
import os from 'node:os'
import { defineCollector } from './collector.js'

export const system = defineCollector({
  name: 'system',
  every: 'cycle',
  async collect({ now }) {
    return { points: [{ ts: now, metric: 'system.uptime_seconds', value: Math.round(os.uptime()) }] }
  },
})
