// Uptime (and so the last boot). Source: systeminformation time(), which reads os.uptime().
import si from 'systeminformation'
import { defineCollector } from './collector.js'

export const system = defineCollector({
  name: 'system',
  every: 'cycle',
  async collect({ now }) {
    const time = si.time()
    return { points: [{ ts: now, metric: 'system.uptime_seconds', value: Math.round(Number(time.uptime)) }] }
  },
})
