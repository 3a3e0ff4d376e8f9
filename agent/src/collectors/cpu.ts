// CPU busy percent, load average and package temperature. Source: systeminformation
// currentLoad() (a /proc/stat delta since its previous call) and cpuTemperature(), which reads
// hwmon/thermal zones and returns null on VMs and most Windows PCs without a vendor driver.
import si from 'systeminformation'
import { defineCollector } from './collector.js'
import type { MetricPoint } from '@patrol/shared'

export const cpu = defineCollector({
  name: 'cpu',
  every: 'cycle',
  async collect({ now }) {
    const [load, temperature] = await Promise.all([si.currentLoad(), si.cpuTemperature()])
    const points: MetricPoint[] = [{ ts: now, metric: 'cpu.load_percent', value: round(load.currentLoad) }]
    if (Number.isFinite(load.avgLoad) && process.platform !== 'win32') {
      points.push({ ts: now, metric: 'cpu.load_avg_1m', value: load.avgLoad })
    }
    const celsius = temperature.main ?? temperature.max
    if (typeof celsius === 'number' && Number.isFinite(celsius) && celsius > 0) {
      points.push({ ts: now, metric: 'cpu.temperature_celsius', value: celsius })
    }
    return { points }
  },
})

function round(value: number): number {
  return Math.round(value * 100) / 100
}
