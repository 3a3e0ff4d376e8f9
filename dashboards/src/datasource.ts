/**
 * The Grafana PostgreSQL data source the dashboards use, from a connection URL. The same
 * settings are in provisioning/datasources/patrol.yaml for file-based provisioning.
 */
import { DATASOURCE } from './common.js'

export interface DataSourceSettings {
  uid: string
  name: string
  type: string
  access: 'proxy'
  url: string
  user: string
  database: string
  isDefault: boolean
  jsonData: Record<string, unknown>
  secureJsonData?: { password: string }
}

export function postgresDataSource(databaseUrl: string, options: { sslmode?: string; timescaledb?: boolean } = {}): DataSourceSettings {
  let url: URL
  try {
    url = new URL(databaseUrl)
  } catch {
    throw new Error(`data source URL is not a postgres:// URL: ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`)
  }
  if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error(`data source URL must start with postgres://, got ${url.protocol}`)
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'
  const sslmode = options.sslmode ?? url.searchParams.get('sslmode') ?? 'disable'
  return {
    uid: DATASOURCE.uid!,
    name: 'Patrol PostgreSQL',
    type: DATASOURCE.type!,
    access: 'proxy',
    url: `${url.hostname}:${url.port || '5432'}`,
    user: decodeURIComponent(url.username),
    database,
    isDefault: false,
    jsonData: {
      database,
      sslmode,
      // Turns $__timeGroup into time_bucket(); the collector's plain-PostgreSQL schema has a
      // time_bucket shim, so this is right on both.
      timescaledb: options.timescaledb ?? true,
      postgresVersion: 1500,
      maxOpenConns: 10,
      connMaxLifetime: 14_400,
    },
    ...(url.password ? { secureJsonData: { password: decodeURIComponent(url.password) } } : {}),
  }
}
