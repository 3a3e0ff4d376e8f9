/**
 * What Grafana does to a PostgreSQL panel query before the server sees it, so tests (and
 * `dashboards:check`-style tooling) can run exactly that SQL. Two stages, as in Grafana:
 * 1. the browser interpolates template variables: `$__interval`, `$__interval_ms`, and `$var` /
 *    `${var}` (SQL data sources quote multi-value and "All" variables as 'a','b', and leave a
 *    single-value variable unquoted, with quotes doubled);
 * 2. the backend expands macros (pkg/tsdb/grafana-postgresql-datasource/macros.go):
 *    `$__timeFilter(c)` → `c BETWEEN 'from' AND 'to'`, `$__timeFrom()`, `$__timeTo()`,
 *    `$__timeGroup(c, iv)` → `floor(extract(epoch from c)/s)*s` or, with the data source's
 *    TimescaleDB option, `time_bucket('N.000s', c)`; `$__timeGroupAlias` adds `AS "time"`.
 * Macro arguments cannot contain parentheses (Grafana's own pattern stops at the first `)`).
 */

export interface MacroContext {
  from: Date
  to: Date
  /** What Grafana computed for $__interval from the range and the panel width. */
  intervalMs: number
  /** Values of each template variable; `multi` ones are quoted as a list. */
  variables: Record<string, { values: string[]; multi: boolean }>
  /** The data source's "TimescaleDB" switch (jsonData.timescaledb). */
  timescaledb: boolean
}

/** Grafana's interval text: the largest unit that divides it (1d, 3h, 5m, 30s, 500ms). */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

/** gtime.ParseInterval for the forms Grafana produces and people write. */
export function parseIntervalSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$/.exec(text.trim().replace(/^'|'$/g, ''))
  if (!m) throw new Error(`cannot parse interval "${text}" (expected e.g. 5m, 1h, 30s)`)
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 }[m[2] as 'ms']
  return Number(m[1]) * factor
}

const quoteLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`

export function interpolateVariables(sql: string, ctx: MacroContext): string {
  const builtins: Record<string, string> = { __interval: formatInterval(ctx.intervalMs), __interval_ms: String(ctx.intervalMs) }
  return sql.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!
    if (name in builtins) return builtins[name]!
    if (name.startsWith('__')) return whole // a macro, for the backend stage
    const variable = ctx.variables[name]
    if (!variable) throw new Error(`query uses template variable $${name}, which has no value in this context`)
    if (variable.multi) return variable.values.length ? variable.values.map(quoteLiteral).join(',') : "''"
    return (variable.values[0] ?? '').replace(/'/g, "''")
  })
}

export function expandBackendMacros(sql: string, ctx: MacroContext): string {
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z')
  return sql.replace(/\$(__[_a-zA-Z0-9]+)\(([^)]*)\)/g, (_whole, name: string, rawArgs: string) => {
    const args = rawArgs.split(',').map((a) => a.trim())
    const arg = (i: number) => {
      const a = args[i]
      if (!a) throw new Error(`macro $${name} needs argument ${i + 1}: ${rawArgs}`)
      return a
    }
    const group = () => {
      const seconds = parseIntervalSeconds(arg(1))
      // Grafana formats these with Go's %.3f and %v: time_bucket('300.000s',c), floor(…/300)*300.
      return ctx.timescaledb ? `time_bucket('${seconds.toFixed(3)}s',${arg(0)})` : `floor(extract(epoch from ${arg(0)})/${seconds})*${seconds}`
    }
    switch (name) {
      case '__time':
        return `${arg(0)} AS "time"`
      case '__timeFilter':
        return `${arg(0)} BETWEEN '${iso(ctx.from)}' AND '${iso(ctx.to)}'`
      case '__timeFrom':
        return `'${iso(ctx.from)}'`
      case '__timeTo':
        return `'${iso(ctx.to)}'`
      case '__timeGroup':
        return group()
      case '__timeGroupAlias':
        return `${group()} AS "time"`
      default:
        throw new Error(`macro $${name} is not supported by this expander (Grafana may know it; add it here first)`)
    }
  })
}

export function expandMacros(sql: string, ctx: MacroContext): string {
  return expandBackendMacros(interpolateVariables(sql, ctx), ctx)
}
