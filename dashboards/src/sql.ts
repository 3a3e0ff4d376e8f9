/**
 * A tiny typed SQL helper for panel queries. The Grafana SDK has no SQL query builder, and a full
 * one would hide the SQL people need to read when a panel looks wrong; so the SQL stays text, and
 * this file only adds what text cannot say: which columns a panel expects (checked by the tests
 * against the real schema), the result format Grafana should read it as, and the filters every
 * dashboard repeats, written once.
 *
 * Grafana interpolates multi-value variables of SQL data sources as a quoted, comma-separated list
 * ('a','b'), and single-value ones unquoted: every variable here is multi-value, so filters are
 * always `column in ($var)`.
 */

export type ResultFormat = 'table' | 'time_series'

export interface PanelSql<C extends string = string> {
  format: ResultFormat
  /** Columns the panel reads, in order; `time_series` queries start with `time`. */
  columns: readonly C[]
  text: string
}

/** A table-format query returning exactly `columns`. */
export function table<const C extends readonly string[]>(columns: C, text: string): PanelSql<C[number]> {
  return { format: 'table', columns, text: tidy(text) }
}

/** A time-series query in Grafana's long format: `time`, an optional `metric` (series name), values. */
export function timeSeries<const C extends readonly string[]>(columns: readonly ['time', ...C], text: string): PanelSql<'time' | C[number]> {
  return { format: 'time_series', columns, text: tidy(text) }
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim())
    .join('\n')
    .replace(/^\s+/gm, (m) => m.slice(Math.min(m.length, 4)))
    .trim()
}

export type DeviceVariable = 'customer' | 'site' | 'device'

/** `d.customer in ($customer) and d.site in ($site) ...` for the variables a dashboard has. */
export function deviceScope(alias: string, variables: readonly DeviceVariable[]): string {
  const column = { customer: 'customer', site: 'site', device: 'id' } as const
  return variables.map((v) => `${alias}.${column[v]} in ($${v})`).join(' and ') || 'true'
}

/**
 * Up to this range, series read raw readings; beyond it, the hourly aggregate (a continuous
 * aggregate on TimescaleDB), so a quarter on a wallboard reads ~2,000 rows per series, not 130,000.
 */
export const RAW_RANGE = "interval '3 days'"

/** True when the dashboard's time range is short enough for raw readings. */
export const RAW_RANGE_CHOSEN = `($__timeTo()::timestamptz - $__timeFrom()::timestamptz) <= ${RAW_RANGE}`

export interface MetricSeriesOptions {
  /** Metric names (`metric in (...)`). */
  metrics: readonly string[]
  /** SQL for the series name, over `d` (device) and `m` (sample or hourly row). */
  seriesName: string
  /** Aggregate of raw values (`value`) per interval, and the same over hourly rows (`avg`, `min`, `max`). */
  raw: string
  hourly: string
  scope: readonly DeviceVariable[]
}

/**
 * One time series per `seriesName`, grouped by Grafana's interval: raw readings for short ranges,
 * the hourly aggregate for long ones; only one branch returns rows for a given range.
 */
export function metricSeries(o: MetricSeriesOptions): PanelSql<'time' | 'metric' | 'value'> {
  const metrics = o.metrics.map((m) => `'${m.replace(/'/g, "''")}'`).join(', ')
  return timeSeries(
    ['time', 'metric', 'value'],
    `
    select $__timeGroupAlias(m.time, $__interval), ${o.seriesName} as metric, ${o.raw} as value
    from metric_sample m join device d on d.id = m.device_id
    where $__timeFilter(m.time) and m.metric in (${metrics}) and ${deviceScope('d', o.scope)}
      and ${RAW_RANGE_CHOSEN}
    group by 1, 2
    union all
    select $__timeGroupAlias(m.bucket, $__interval), ${o.seriesName} as metric, ${o.hourly} as value
    from metric_hourly m join device d on d.id = m.device_id
    where $__timeFilter(m.bucket) and m.metric in (${metrics}) and ${deviceScope('d', o.scope)}
      and not ${RAW_RANGE_CHOSEN}
    group by 1, 2
    order by 1, 2
    `,
  )
}

/**
 * Latest value per device/metric/instance from the device's `latest` cache
 * ("metric|instance" → [epoch ms, value]): no scan of the readings, so wallboards stay cheap.
 * `keyFilter` is SQL over `l.key`. Yields `d`, and `lv` with `l_metric`, `l_instance`, `l_time`, `l_value`;
 * the caller continues with `and ...`.
 */
export function latestValues(keyFilter: string): string {
  return `device d
    cross join lateral jsonb_each(d.latest) as l(key, v)
    cross join lateral (select split_part(l.key, '|', 1) as l_metric, substr(l.key, length(split_part(l.key, '|', 1)) + 2) as l_instance,
                               to_timestamp((l.v->>0)::float8 / 1000) as l_time, (l.v->>1)::float8 as l_value) as lv
    where (${keyFilter})`
}

/** The latest value of one metric without an instance, as a column expression over `d`. */
export function latest(metric: string): string {
  return `(d.latest->'${metric}|'->>1)::float8`
}
