// Laptop battery: charge, wear (full-charge capacity against design capacity) and cycle count,
// so a failing battery is replaced before the customer calls. Linux: /sys/class/power_supply
// directly; elsewhere systeminformation battery() (ioreg on macOS, WMI on Windows).
// NotApplicable on machines without a battery.
import { readdirSync, readFileSync } from 'node:fs'
import { systeminformation } from '../platform/si.js'
import type { MetricPoint } from '@patrol/shared'
import { defineCollector, NotApplicable } from './collector.js'

export interface BatteryReading {
  name: string
  chargePercent?: number
  designCapacity?: number
  fullCapacity?: number
  cycleCount?: number
}

function readNumber(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim())
    return Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Batteries under a power_supply folder; energy_* (µWh) or, on some models, charge_* (µAh). */
export function readSysBatteries(root = '/sys/class/power_supply'): BatteryReading[] {
  let names: string[]
  try {
    names = readdirSync(root)
  } catch {
    return []
  }
  const batteries: BatteryReading[] = []
  for (const name of names) {
    const dir = `${root}/${name}`
    let type = ''
    try {
      type = readFileSync(`${dir}/type`, 'utf8').trim()
    } catch {
      continue
    }
    // Peripherals (a wireless mouse) report as batteries with scope "Device"; only the system's counts.
    let scope = ''
    try {
      scope = readFileSync(`${dir}/scope`, 'utf8').trim()
    } catch {
      // no scope file: a system battery
    }
    if (type !== 'Battery' || scope === 'Device') continue
    batteries.push({
      name,
      chargePercent: readNumber(`${dir}/capacity`),
      designCapacity: readNumber(`${dir}/energy_full_design`) ?? readNumber(`${dir}/charge_full_design`),
      fullCapacity: readNumber(`${dir}/energy_full`) ?? readNumber(`${dir}/charge_full`),
      cycleCount: readNumber(`${dir}/cycle_count`),
    })
  }
  return batteries
}

export function batteryPoints(battery: BatteryReading, now: number): MetricPoint[] {
  const points: MetricPoint[] = []
  const instance = battery.name
  if (battery.chargePercent !== undefined) points.push({ ts: now, metric: 'battery.charge_percent', instance, value: battery.chargePercent })
  if (battery.designCapacity && battery.fullCapacity && battery.designCapacity > 0) {
    const wear = Math.max(0, 100 * (1 - battery.fullCapacity / battery.designCapacity))
    points.push({ ts: now, metric: 'battery.wear_percent', instance, value: Math.round(wear * 10) / 10 })
  }
  // Many batteries report 0 cycles when they do not count: absent beats a false "new".
  if (battery.cycleCount) points.push({ ts: now, metric: 'battery.cycle_count', instance, value: battery.cycleCount })
  return points
}

export const battery = defineCollector({
  name: 'battery',
  every: 'cycle',
  async collect({ now }) {
    if (process.platform === 'linux') {
      const batteries = readSysBatteries()
      if (!batteries.length) throw new NotApplicable('no battery')
      return { points: batteries.flatMap((b) => batteryPoints(b, now)) }
    }
    const info = await (await systeminformation()).battery()
    if (!info.hasBattery) throw new NotApplicable('no battery')
    return {
      points: batteryPoints(
        { name: 'BAT0', chargePercent: info.percent, designCapacity: info.designedCapacity, fullCapacity: info.maxCapacity, cycleCount: info.cycleCount },
        now,
      ),
    }
  },
})
