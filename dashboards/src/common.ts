/**
 * What every dashboard shares: the data source, the customer/site/device variables, and panel
 * factories that attach a typed SQL query (sql.ts) and record it, so the tests can run every
 * panel's SQL against the real schema and compare the columns with what the panel expects.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog'
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import * as common from '@grafana/grafana-foundation-sdk/common'
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge'
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat'
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table'
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries'
import type { DeviceVariable, PanelSql, ResultFormat } from './sql.js'

/** The provisioned PostgreSQL data source (provisioning/datasources/patrol.yaml, push.ts). */
export const DATASOURCE: common.DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'patrol-postgres' }
export const FOLDER = { uid: 'patrol', title: 'Patrol' } as const

/** A raw-SQL query of Grafana's PostgreSQL data source, as the query editor's code mode saves it. */
export interface SqlDataquery extends cog.Dataquery {
  refId: string
  datasource: common.DataSourceRef
  rawSql: string
  format: ResultFormat
  rawQuery: true
  editorMode: 'code'
}

class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly refId: string,
    private readonly query: PanelSql,
  ) {}

  build(): SqlDataquery {
    return {
      refId: this.refId,
      datasource: DATASOURCE,
      rawSql: this.query.text,
      format: this.query.format,
      rawQuery: true,
      editorMode: 'code',
      _implementsDataqueryVariant: () => undefined,
    }
  }
}

/** One panel query as the tests see it. */
export interface RecordedQuery {
  dashboard: string
  panel: string
  refId: string
  query: PanelSql
  /** Rows the seeded data must produce, so a panel that silently returns nothing fails. */
  expectRows: boolean
  /** Tables beyond the core schema this query needs (the ticket tables of migration 002). */
  requires?: 'tickets'
}

type AnyPanelBuilder = StatBuilder | TableBuilder | TimeseriesBuilder | BarGaugeBuilder

export interface PanelOptions {
  /** Width in grid columns (of 24) and height in rows. */
  w: number
  h: number
  description?: string
  unit?: string
  /** False for panels that legitimately show nothing on the test data (an empty list is the good state). */
  expectRows?: boolean
  requires?: 'tickets'
}

/** Collects panels and their queries while one dashboard is built. */
export class DashboardContext {
  readonly queries: RecordedQuery[] = []
  private nextId = 1

  constructor(
    readonly uid: string,
    private readonly defaults: { requires?: 'tickets' } = {},
  ) {}

  private attach<P extends AnyPanelBuilder>(panel: P, title: string, query: PanelSql, o: PanelOptions): P {
    const refId = 'A'
    const requires = o.requires ?? this.defaults.requires
    this.queries.push({ dashboard: this.uid, panel: title, refId, query, expectRows: o.expectRows ?? true, ...(requires ? { requires } : {}) })
    panel.id(this.nextId++).title(title).datasource(DATASOURCE).withTarget(new SqlQueryBuilder(refId, query)).span(o.w).height(o.h)
    if (o.description) panel.description(o.description)
    if (o.unit) panel.unit(o.unit)
    return panel
  }

  stat(title: string, query: PanelSql, o: PanelOptions): StatBuilder {
    return this.attach(new StatBuilder(), title, query, o)
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
  }

  table(title: string, query: PanelSql, o: PanelOptions): TableBuilder {
    return this.attach(new TableBuilder(), title, query, o).cellHeight(common.TableCellHeight.Sm)
  }

  timeseries(title: string, query: PanelSql, o: PanelOptions): TimeseriesBuilder {
    return this.attach(new TimeseriesBuilder(), title, query, o)
      .lineWidth(1)
      .fillOpacity(10)
      .spanNulls(false)
      .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.Table).placement(common.LegendPlacement.Right).calcs(['mean', 'max']).showLegend(true))
  }

  barGauge(title: string, query: PanelSql, o: PanelOptions): BarGaugeBuilder {
    return this.attach(new BarGaugeBuilder(), title, query, o)
      .displayMode(common.BarGaugeDisplayMode.Gradient)
      .orientation(common.VizOrientation.Horizontal)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(true))
  }
}

/** Green below `warn`, orange from `warn`, red from `bad` (or the reverse with `lowIsBad`). */
export function thresholds(warn: number, bad: number, lowIsBad = false): dashboard.ThresholdsConfigBuilder {
  const steps = lowIsBad
    ? [
        { value: null, color: 'red' },
        { value: bad, color: 'orange' },
        { value: warn, color: 'green' },
      ]
    : [
        { value: null, color: 'green' },
        { value: warn, color: 'orange' },
        { value: bad, color: 'red' },
      ]
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps)
}

/** Variable queries: each narrows by the ones before it, so picking a customer lists its sites. */
export const VARIABLE_SQL: Record<DeviceVariable, string> = {
  customer: 'select distinct customer from device order by 1',
  site: 'select distinct site from device where customer in ($customer) order by 1',
  device: 'select id as __value, coalesce(hostname, id) as __text from device where customer in ($customer) and site in ($site) order by 2',
}

/** Multi-value with "All": Grafana then always sends a quoted list, so `in ($var)` fits every choice. */
export function deviceVariable(name: DeviceVariable, options: { includeAll?: boolean } = {}): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder(name)
    .label(name[0]!.toUpperCase() + name.slice(1))
    .datasource(DATASOURCE)
    .query(VARIABLE_SQL[name])
    .definition(VARIABLE_SQL[name])
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc)
    .multi(true)
    .includeAll(options.includeAll ?? true)
}

export interface DashboardDefinition {
  uid: string
  title: string
  build(): BuiltDashboard
}

export interface BuiltDashboard {
  uid: string
  json: dashboard.Dashboard
  queries: RecordedQuery[]
}

/** The frame every dashboard starts from: folder-wide tags, browser time zone, a sensible refresh. */
export function baseDashboard(uid: string, title: string, o: { refresh: string; from: string; description: string }): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .tags(['patrol'])
    .description(o.description)
    .timezone('browser')
    .refresh(o.refresh)
    .time({ from: o.from, to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .link(new dashboard.DashboardLinkBuilder('Patrol dashboards').type(dashboard.DashboardLinkType.Dashboards).tags(['patrol']).asDropdown(true).includeVars(true).keepTime(true))
}

export function row(title: string): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title)
}
