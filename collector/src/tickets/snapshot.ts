/**
 * Loads what the rules look at, for many devices in three queries: the device rows, the history
 * the rules asked for (bucketed so a three-day window stays a few hundred points a series), and
 * nothing else. Plain SQL with time_bucket: the same on TimescaleDB, PostgreSQL and PGlite.
 */
import type { Inventory } from '@patrol/shared'
import type { Rule } from '../rules/index.js'
import type { Criticality, DeviceSnapshot, HistoryPoint } from '../rules/support/rule.js'
import type { Queryable } from '../store/db.js'

interface DeviceRow {
  id: string
  customer: string
  site: string
  kind: string
  category: string | null
  criticality: Criticality
  status: string
  status_reason: string | null
  status_changed_at: Date | null
  last_seen: Date | null
  report_interval_s: number | null
  warranty_end: string | null
  important_ports: string[] | null
  parent_device_id: string | null
  latest: Record<string, [number, number]>
  inventory: Inventory | null
  state: Record<string, unknown> | null
}

export interface LoadedDevice {
  snapshot: DeviceSnapshot
  /** The device it is reached through: set by hand, else the poller that polls it. */
  parentId: string | null
}

/**
 * The widest window each metric is wanted for, over the rules and every parameter set they run
 * with (the defaults, and each override on its own). An override that does not validate is left
 * out here; evaluation skips it with a warning.
 */
export function historyWindows(rules: readonly Rule[], paramSetsOf: (rule: Rule) => Record<string, unknown>[]): Map<string, number> {
  const windows = new Map<string, number>()
  for (const rule of rules) {
    if (!rule.history) continue
    for (const params of paramSetsOf(rule)) {
      const windowS = rule.history.windowS(params as never)
      if (!Number.isFinite(windowS) || windowS <= 0) continue
      for (const metric of rule.history.metrics) windows.set(metric, Math.max(windows.get(metric) ?? 0, windowS))
    }
  }
  return windows
}

const POINTS_PER_SERIES = 240

export async function loadSnapshots(db: Queryable, deviceIds: readonly string[], windows: Map<string, number>, now: number): Promise<Map<string, LoadedDevice>> {
  const out = new Map<string, LoadedDevice>()
  if (!deviceIds.length) return out
  const { rows } = await db.query<DeviceRow>(
    `select id, customer, site, kind, category, criticality, status, status_reason, status_changed_at, last_seen, report_interval_s,
            to_char(warranty_end, 'YYYY-MM-DD') as warranty_end, important_ports, parent_device_id, latest, inventory, state
     from device where id = any($1::text[])`,
    [deviceIds],
  )
  for (const r of rows) {
    const poller = typeof r.state?.poller === 'string' && r.state.poller !== r.id ? r.state.poller : null
    out.set(r.id, {
      parentId: r.parent_device_id ?? poller,
      snapshot: {
        device: {
          id: r.id,
          customer: r.customer,
          site: r.site,
          kind: r.kind,
          category: r.category,
          criticality: r.criticality,
          status: r.status,
          statusReason: r.status_reason,
          statusChangedAt: r.status_changed_at?.getTime() ?? null,
          lastSeen: r.last_seen?.getTime() ?? null,
          reportIntervalS: r.report_interval_s,
          warrantyEnd: r.warranty_end,
          importantPorts: r.important_ports,
        },
        latest: r.latest ?? {},
        history: {},
        inventory: r.inventory,
        state: r.state,
      },
    })
  }
  // One query per distinct window (rules share a handful of windows).
  const byWindow = new Map<number, string[]>()
  for (const [metric, windowS] of windows) byWindow.set(windowS, [...(byWindow.get(windowS) ?? []), metric])
  for (const [windowS, metrics] of byWindow) {
    const bucketS = Math.max(1, Math.floor(windowS / POINTS_PER_SERIES))
    const { rows: points } = await db.query<{ device_id: string; metric: string; instance: string; ts: number; value: number }>(
      `select device_id, metric, instance, extract(epoch from time_bucket(make_interval(secs => $4), time)) * 1000 as ts, avg(value) as value
       from metric_sample
       where device_id = any($1::text[]) and metric = any($2::text[]) and time >= $3::timestamptz and time <= $5::timestamptz
       group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
      [[...out.keys()], metrics, new Date(now - windowS * 1000), bucketS, new Date(now)],
    )
    for (const p of points) {
      const history = out.get(p.device_id)!.snapshot.history
      const key = `${p.metric}|${p.instance}`
      ;(history[key] ??= []).push({ ts: Number(p.ts), value: Number(p.value) } satisfies HistoryPoint)
    }
  }
  return out
}
