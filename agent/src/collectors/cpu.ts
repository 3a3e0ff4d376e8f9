// CPU busy share, load average and package temperature. Linux: /proc/stat deltas and the
// thermal sensor file found once (systeminformation's currentLoad and cpuTemperature spawn
// processes and cost ~17 ms of CPU a cycle); elsewhere systeminformation.
import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { systeminformation } from '../platform/si.js'
import type { MetricPoint } from '@patrol/shared'
import { readCpuTimes, type CpuTimes } from '../platform/procfs.js'
import { defineCollector } from './collector.js'

/** Package-level sensors, best first: Intel, AMD, ARM boards, then ACPI's zone. */
const HWMON_NAMES = ['coretemp', 'k10temp', 'zenpower', 'cpu_thermal', 'soc_thermal', 'acpitz']
const THERMAL_TYPES = ['x86_pkg_temp', 'cpu-thermal', 'cpu_thermal', 'soc-thermal', 'acpitz']

/** The file holding the CPU temperature in millidegrees, or undefined when there is none. */
export function findTemperatureFile(sys = '/sys/class'): string | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trim()
    } catch {
      return undefined
    }
  }
  const list = (dir: string) => {
    try {
      return readdirSync(dir)
    } catch {
      return []
    }
  }
  const hwmons = list(`${sys}/hwmon`).map((h) => ({ file: `${sys}/hwmon/${h}/temp1_input`, name: read(`${sys}/hwmon/${h}/name`) ?? '' }))
  for (const name of HWMON_NAMES) {
    const found = hwmons.find((h) => h.name === name && read(h.file) !== undefined)
    if (found) return found.file
  }
  const zones = list(`${sys}/thermal`).filter((z) => z.startsWith('thermal_zone')).map((z) => ({ file: `${sys}/thermal/${z}/temp`, type: read(`${sys}/thermal/${z}/type`) ?? '' }))
  for (const type of THERMAL_TYPES) {
    const found = zones.find((z) => z.type === type && read(z.file) !== undefined)
    if (found) return found.file
  }
  return undefined
}

const SENSOR_RECHECK_MS = 3600_000

function linuxTemperature(state: Map<string, unknown>, now: number): number | undefined {
  let sensor = state.get('sensor') as { file: string | undefined; at: number } | undefined
  if (!sensor || now - sensor.at > SENSOR_RECHECK_MS) state.set('sensor', (sensor = { file: findTemperatureFile(), at: now }))
  if (!sensor.file) return undefined
  try {
    return Number(readFileSync(sensor.file, 'utf8').trim()) / 1000
  } catch {
    return undefined
  }
}

export function busyPercent(previous: CpuTimes, current: CpuTimes): number | undefined {
  const total = current.total - previous.total
  if (total <= 0) return undefined
  return Math.min(100, Math.max(0, (100 * (current.busy - previous.busy)) / total))
}

async function linuxLoad(state: Map<string, unknown>): Promise<number | undefined> {
  let previous = state.get('times') as CpuTimes | undefined
  if (!previous) {
    // First cycle: a quarter-second sample rather than the average since boot.
    previous = readCpuTimes()
    await new Promise((r) => setTimeout(r, 250))
  }
  const current = readCpuTimes()
  if (!current || !previous) return undefined
  state.set('times', current)
  return busyPercent(previous, current)
}

export const cpu = defineCollector({
  name: 'cpu',
  every: 'cycle',
  async collect({ now, state }) {
    let load: number | undefined
    let celsius: number | undefined
    if (process.platform === 'linux') {
      load = await linuxLoad(state)
      celsius = linuxTemperature(state, now)
    } else {
      const [current, temperature] = await systeminformation().then((si) => Promise.all([si.currentLoad(), si.cpuTemperature()]))
      load = current.currentLoad
      celsius = temperature.main ?? temperature.max ?? undefined
    }
    const points: MetricPoint[] = []
    if (load !== undefined && Number.isFinite(load)) points.push({ ts: now, metric: 'cpu.load_percent', value: round(load) })
    if (process.platform !== 'win32') points.push({ ts: now, metric: 'cpu.load_avg_1m', value: round(os.loadavg()[0] ?? 0) })
    if (typeof celsius === 'number' && Number.isFinite(celsius) && celsius > 0) points.push({ ts: now, metric: 'cpu.temperature_celsius', value: round(celsius) })
    return { points }
  },
})

function round(value: number): number {
  return Math.round(value * 100) / 100
}
