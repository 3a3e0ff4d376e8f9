/**
 * Checks a built dashboard against the SDK's structure before it leaves the build: what the
 * TypeScript types cannot see (grid layout, unique ids, variables the SQL uses but the dashboard
 * lacks) and option keys the SDK's panel schemas do not know (a typo there is silently ignored by
 * Grafana). `dashboards:build` refuses to write a dashboard with problems.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge'
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { defaultDashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import * as stat from '@grafana/grafana-foundation-sdk/stat'
import * as table from '@grafana/grafana-foundation-sdk/table'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { DATASOURCE } from './common.js'

/** Options each panel type's SDK schema defines (its defaults list every field). */
const PANEL_OPTION_KEYS: Record<string, ReadonlySet<string>> = {
  stat: new Set(Object.keys(stat.defaultOptions())),
  table: new Set(Object.keys(table.defaultOptions())),
  timeseries: new Set(Object.keys(timeseries.defaultOptions())),
  bargauge: new Set(Object.keys(bargauge.defaultOptions())),
}

const DASHBOARD_KEYS = new Set([...Object.keys(defaultDashboard()), 'id', 'uid', 'title', 'description', 'tags', 'timezone', 'editable', 'graphTooltip', 'time', 'timepicker', 'fiscalYearStartMonth', 'liveNow', 'weekStart', 'refresh', 'version', 'panels', 'links', 'snapshot', 'preload', 'revision', 'gnetId'])
const BUILTIN_VARIABLES = new Set(['__interval', '__interval_ms', '__timeFilter', '__timeFrom', '__timeTo', '__timeGroup', '__timeGroupAlias', '__time'])

type AnyPanel = dashboard.Panel | dashboard.RowPanel

export function validateDashboard(d: dashboard.Dashboard): string[] {
  const problems: string[] = []
  const where = (p: AnyPanel) => `${d.uid}: panel ${p.id ?? '?'} "${p.title ?? ''}"`
  for (const key of Object.keys(d)) if (!DASHBOARD_KEYS.has(key)) problems.push(`${d.uid}: unknown dashboard field "${key}"`)
  if (!d.uid || !/^[a-zA-Z0-9_-]{1,40}$/.test(d.uid)) problems.push(`dashboard uid "${d.uid}" must be 1–40 of [a-zA-Z0-9_-]`)
  if (!d.title) problems.push(`${d.uid}: no title`)
  if (typeof d.schemaVersion !== 'number') problems.push(`${d.uid}: no schemaVersion`)
  const variables = new Set((d.templating.list ?? []).map((v) => v.name))
  for (const v of d.templating.list ?? []) {
    if (v.type === 'query' && (typeof v.query !== 'string' || !v.query || v.datasource?.uid !== DATASOURCE.uid)) problems.push(`${d.uid}: variable ${v.name} needs a SQL query on ${DATASOURCE.uid}`)
  }

  const panels = d.panels ?? []
  const ids = new Set<number>()
  const cells = new Map<string, string>()
  for (const p of panels) {
    if (p.id === undefined) problems.push(`${where(p)}: no id`)
    else if (ids.has(p.id)) problems.push(`${where(p)}: duplicate id`)
    else ids.add(p.id)
    const g = p.gridPos
    if (!g) {
      problems.push(`${where(p)}: no gridPos`)
      continue
    }
    if (g.w < 1 || g.x < 0 || g.x + g.w > 24 || g.h < 1 || g.y < 0) problems.push(`${where(p)}: gridPos ${JSON.stringify(g)} outside the 24-column grid`)
    // Overlapping panels: Grafana moves one, and the wallboard no longer looks as designed.
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const other = cells.get(`${x},${y}`)
        if (other) {
          problems.push(`${where(p)}: overlaps ${other}`)
          x = Infinity
          break
        }
        cells.set(`${x},${y}`, `panel ${p.id}`)
      }
    }
    if (p.type === 'row') continue
    const panel = p as dashboard.Panel
    const known = PANEL_OPTION_KEYS[panel.type]
    if (!known) problems.push(`${where(p)}: panel type "${panel.type}" is not one this project builds`)
    else for (const key of Object.keys(panel.options ?? {})) if (!known.has(key)) problems.push(`${where(p)}: option "${key}" is not in the SDK's ${panel.type} schema`)
    if (panel.datasource?.uid !== DATASOURCE.uid) problems.push(`${where(p)}: data source is not ${DATASOURCE.uid}`)
    const targets = (panel.targets ?? []) as unknown as { refId?: string; rawSql?: string; format?: string; datasource?: { uid?: string } }[]
    if (!targets.length) problems.push(`${where(p)}: no query`)
    const refIds = new Set<string>()
    for (const t of targets) {
      if (!t.refId || refIds.has(t.refId)) problems.push(`${where(p)}: missing or duplicate refId`)
      refIds.add(t.refId ?? '')
      if (!t.rawSql) problems.push(`${where(p)}: query ${t.refId} has no rawSql`)
      if (t.format !== 'table' && t.format !== 'time_series') problems.push(`${where(p)}: query ${t.refId} format "${t.format}"`)
      if (t.datasource?.uid !== DATASOURCE.uid) problems.push(`${where(p)}: query ${t.refId} data source is not ${DATASOURCE.uid}`)
      for (const m of (t.rawSql ?? '').matchAll(/\$\{?(\w+)/g)) {
        const name = m[1]!
        if (!BUILTIN_VARIABLES.has(name) && !variables.has(name)) problems.push(`${where(p)}: SQL uses $${name}, which the dashboard does not define`)
      }
    }
  }
  return problems
}
