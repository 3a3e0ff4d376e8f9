/**
 * `pnpm dashboards:push --url https://grafana.example.com --token <service-account token>
 *   [--database-url postgres://grafana_reader:…@db:5432/patrol] [--folder patrol]`
 * Creates (or updates) the folder, the PostgreSQL data source (when --database-url is given) and
 * every dashboard. Safe to run again: nothing is duplicated. Env: GRAFANA_URL, GRAFANA_TOKEN,
 * PATROL_GRAFANA_DATABASE_URL.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { FOLDER } from './common.js'
import { postgresDataSource } from './datasource.js'
import { GrafanaClient } from './grafana-client.js'
import { buildAll } from './index.js'

export interface PushOptions {
  url: string
  token?: string
  basic?: { user: string; password: string }
  databaseUrl?: string
  folderTitle?: string
  log?: (line: string) => void
  fetch?: typeof fetch
}

export async function push(o: PushOptions): Promise<{ dashboards: string[] }> {
  const log = o.log ?? console.log
  const client = new GrafanaClient({ url: o.url, token: o.token, basic: o.basic, fetch: o.fetch })
  const { folder, action } = await client.ensureFolder({ uid: FOLDER.uid, title: o.folderTitle ?? FOLDER.title })
  log(`folder ${folder.uid}: ${action}`)
  if (o.databaseUrl) {
    const ds = postgresDataSource(o.databaseUrl)
    log(`data source ${ds.uid}: ${(await client.ensureDataSource(ds)).action}`)
  }
  const saved: string[] = []
  for (const built of buildAll()) {
    const result = await client.saveDashboard(built.json as unknown as Record<string, unknown> & { uid: string }, folder.uid, 'dashboards:push')
    log(`dashboard ${built.uid}: ${result.status} (version ${result.version}) ${result.url}`)
    saved.push(built.uid)
  }
  return { dashboards: saved }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const program = new Command('dashboards:push')
    .description('Create or update the Patrol folder, data source and dashboards in Grafana.')
    .option('--url <url>', 'Grafana base URL', process.env.GRAFANA_URL)
    .option('--token <token>', 'service-account token', process.env.GRAFANA_TOKEN)
    .option('--user <user>', 'basic-auth user instead of a token')
    .option('--password <password>', 'basic-auth password', process.env.GRAFANA_PASSWORD)
    .option('--database-url <url>', 'PostgreSQL URL Grafana should read (creates the data source)', process.env.PATROL_GRAFANA_DATABASE_URL)
    .action(async (opts: { url?: string; token?: string; user?: string; password?: string; databaseUrl?: string }) => {
      if (!opts.url) throw new Error('--url (or GRAFANA_URL) is required')
      if (!opts.token && !opts.user) throw new Error('--token (or GRAFANA_TOKEN), or --user and --password, is required')
      await push({ url: opts.url, token: opts.token, basic: opts.user ? { user: opts.user, password: opts.password ?? '' } : undefined, databaseUrl: opts.databaseUrl })
    })
  program.parseAsync(process.argv).catch((error: Error) => {
    console.error(`dashboards:push failed: ${error.message}`)
    process.exit(1)
  })
}
