/** Every dashboard, and the pieces the CLIs and tests use. */
import type { BuiltDashboard, DashboardDefinition } from './common.js'
import { customer } from './customer.js'
import { device } from './device.js'
import { fleet } from './fleet.js'
import { network } from './network.js'
import { printers } from './printers.js'
import { tickets } from './tickets.js'

export const DASHBOARDS: readonly DashboardDefinition[] = [fleet, customer, device, printers, network, tickets]

export function buildAll(): BuiltDashboard[] {
  return DASHBOARDS.map((d) => d.build())
}

export { DATASOURCE, FOLDER, VARIABLE_SQL, type BuiltDashboard, type DashboardDefinition, type RecordedQuery, type SqlDataquery } from './common.js'
export { expandMacros, type MacroContext } from './macros.js'
export { GrafanaClient, GrafanaError } from './grafana-client.js'
export { postgresDataSource, type DataSourceSettings } from './datasource.js'
export { validateDashboard } from './validate.js'
export type { PanelSql, ResultFormat } from './sql.js'
