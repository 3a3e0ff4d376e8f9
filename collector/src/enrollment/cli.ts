/**
 * `patrol-collector mosquitto-acl --out DIR`: writes Mosquitto's `passwd` and `acl` from the
 * device credentials in the database (the collector's settings say which database), then tells
 * how to make Mosquitto read them, or signals it itself with `--sighup <pid>`.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { loadCollectorConfig } from '../config.js'
import { openPglite, openPostgres } from '../store/db.js'
import { migrate } from '../store/migrate.js'
import { writeMosquittoFiles } from './mosquitto-files.js'

export interface MosquittoAclOptions {
  out: string
  config?: string | undefined
  databaseUrl?: string | undefined
  dataDir?: string | undefined
  collectorUser?: string | undefined
  sighup?: number | undefined
}

export async function runMosquittoAcl(o: MosquittoAclOptions, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<void> {
  const config = loadCollectorConfig({ file: o.config, overrides: { databaseUrl: o.databaseUrl, dataDir: o.dataDir ? path.resolve(o.dataDir) : undefined } })
  const embedded = path.join(config.dataDir, 'pglite')
  if (!config.databaseUrl) {
    // A real Mosquitto goes with a database server; the embedded one is read only when the
    // collector is stopped (PGlite is one process's), and must already exist.
    if (!existsSync(embedded)) throw new Error(`no database: set DATABASE_URL (or --database-url), or --data-dir to a collector's data folder (no embedded database in ${embedded})`)
    print(`reading the embedded database in ${embedded}; the collector using it must be stopped`)
  }
  const db = config.databaseUrl
    ? await openPostgres({ connectionString: config.databaseUrl, schema: config.databaseSchema })
    : await openPglite({ dataDir: embedded })
  try {
    await migrate(db)
    const dir = path.resolve(o.out)
    const files = await writeMosquittoFiles(db, { dir, topicPrefix: config.topicPrefix, collectorUser: o.collectorUser })
    print(`wrote ${path.join(dir, 'passwd')} and ${path.join(dir, 'acl')}: ${files.devices} device account(s) under ${files.root}; kept ${files.keptAccounts.length ? files.keptAccounts.join(', ') : 'no other accounts'}`)
    if (o.sighup) {
      process.kill(o.sighup, 'SIGHUP')
      print(`sent SIGHUP to ${o.sighup}: Mosquitto reads both files again`)
    } else {
      print('make Mosquitto read them: kill -HUP $(pidof mosquitto)   or   docker compose kill -s SIGHUP mosquitto')
    }
  } finally {
    await db.close()
  }
}
