/**
 * The macro expander against the forms Grafana's PostgreSQL data source produces
 * (pkg/tsdb/grafana-postgresql-datasource/macros.go and the SQL data sources' variable
 * interpolation), so the query tests run the SQL Grafana would send.
 */
import { describe, expect, it } from 'vitest'
import { expandMacros, type MacroContext } from '@patrol/dashboards'

const ctx = (o: Partial<MacroContext> = {}): MacroContext => ({
  from: new Date('2026-01-02T03:04:05Z'),
  to: new Date('2026-01-02T09:04:05.250Z'),
  intervalMs: 300_000,
  timescaledb: false,
  variables: { customer: { values: ['acme', "o'brien"], multi: true }, one: { values: ["it's"], multi: false } },
  ...o,
})

describe('Grafana macro expansion', () => {
  it('time filter, from and to, as RFC 3339 in UTC', () => {
    expect(expandMacros('where $__timeFilter(m.time) and $__timeFrom() < $__timeTo()', ctx())).toBe(
      "where m.time BETWEEN '2026-01-02T03:04:05Z' AND '2026-01-02T09:04:05.250Z' and '2026-01-02T03:04:05Z' < '2026-01-02T09:04:05.250Z'",
    )
  })

  it('time groups: floor(epoch) by default, time_bucket with the data source’s TimescaleDB switch', () => {
    expect(expandMacros('select $__timeGroupAlias(time, $__interval)', ctx())).toBe('select floor(extract(epoch from time)/300)*300 AS "time"')
    expect(expandMacros("select $__timeGroup(time, '1h')", ctx({ timescaledb: true }))).toBe("select time_bucket('3600.000s',time)")
    expect(expandMacros('$__interval $__interval_ms', ctx({ intervalMs: 7_200_000 }))).toBe('2h 7200000')
  })

  it('multi-value variables become a quoted list, single ones are escaped but unquoted', () => {
    expect(expandMacros("customer in ($customer) and x = '$one' and y = '${one}'", ctx())).toBe("customer in ('acme','o''brien') and x = 'it''s' and y = 'it''s'")
  })

  it('refuses what it cannot expand instead of sending it on', () => {
    expect(() => expandMacros('in ($tenant)', ctx())).toThrow(/\$tenant/)
    expect(() => expandMacros('$__unixEpochFilter(t)', ctx())).toThrow(/not supported/)
    expect(() => expandMacros('$__timeGroup(t, soon)', ctx())).toThrow(/cannot parse interval/)
  })
})
