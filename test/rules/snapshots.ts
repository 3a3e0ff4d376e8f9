/** Device snapshots for rule tests, built from real readings the way the engine builds them. */
import type { MetricPoint, SnmpResult } from '@patrol/shared'
import type { DeviceSnapshot, HistoryPoint } from '../../collector/src/rules/index.js'

export function snapshot(overrides: Partial<Omit<DeviceSnapshot, 'device'>> & { device?: Partial<DeviceSnapshot['device']> } = {}): DeviceSnapshot {
  return {
    latest: {},
    history: {},
    inventory: null,
    state: null,
    ...overrides,
    device: {
      id: 'dev-1',
      customer: 'acme',
      site: 'hq',
      kind: 'agent',
      category: null,
      criticality: 'normal',
      status: 'online',
      statusReason: null,
      statusChangedAt: null,
      lastSeen: null,
      reportIntervalS: 60,
      warrantyEnd: null,
      importantPorts: null,
      ...overrides.device,
    },
  }
}

/** Latest values and history from points, as stored (newest per series wins in latest). */
export function withPoints(points: readonly MetricPoint[], base: DeviceSnapshot = snapshot()): DeviceSnapshot {
  const latest = { ...base.latest }
  const history: Record<string, HistoryPoint[]> = { ...base.history }
  for (const p of [...points].sort((a, b) => a.ts - b.ts)) {
    const key = `${p.metric}|${p.instance ?? ''}`
    if (!latest[key] || latest[key][0] <= p.ts) latest[key] = [p.ts, p.value]
    ;(history[key] ??= []).push({ ts: p.ts, value: p.value })
  }
  return { ...base, latest, history }
}

/** What the collector stores for an SNMP result: its points, and the rest as device.state. */
export function fromSnmp(result: SnmpResult, base: DeviceSnapshot = snapshot({ device: { kind: 'snmp' } })): DeviceSnapshot {
  const { points, target: _target, ...state } = result
  return withPoints(points, { ...base, state: { ...state, poller: 'poller-1' } })
}

/** A series sampled every `stepS` seconds over `[from, to]` with `value(t)`. */
export function series(metric: string, instance: string, from: number, to: number, stepS: number, value: (t: number) => number): MetricPoint[] {
  const out: MetricPoint[] = []
  for (let t = from; t <= to; t += stepS * 1000) out.push({ ts: t, metric, instance, value: value(t) })
  return out
}
