/**
 * pnpm report --customer ID --quarter 2026Q3 --lang zh-CN --out DIR [--site S] [--from … --to …]
 *             [--tz Asia/Shanghai] [--database-url URL [--database-schema S] | --data-dir data] [--no-pdf]
 * Writes the inspection report as HTML and (with Chromium installed) PDF.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import { openPglite, openPostgres, type Db } from '../store/db.js'
import { migrate } from '../store/migrate.js'
import type { ReportEdits } from './edits.js'
import { generateReport } from './generate.js'
import { parseLang } from './i18n.js'

interface CliOptions {
  customer: string
  quarter?: string
  from?: string
  to?: string
  lang?: string
  tz?: string
  site?: string
  out: string
  databaseUrl?: string
  databaseSchema?: string
  dataDir: string
  pdf: boolean
  edits?: string
}

async function openDb(options: CliOptions): Promise<Db> {
  const embedded = path.join(options.dataDir, 'pglite')
  // Opening a missing folder would create an empty database and report on nothing.
  if (!options.databaseUrl && !existsSync(embedded)) throw new Error(`no embedded database in ${embedded}: give --data-dir of a collector, or --database-url`)
  const db = options.databaseUrl
    ? await openPostgres({ connectionString: options.databaseUrl, schema: options.databaseSchema, applicationName: 'patrol-report' })
    : await openPglite({ dataDir: embedded })
  // Brings an older database up to the schema the report reads; a no-op when current.
  await migrate(db)
  return db
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('report')
    .description('Write the inspection report (巡检报告) of one customer as HTML and PDF')
    .requiredOption('--customer <id>', 'customer id')
    .option('--quarter <quarter>', 'calendar quarter in the customer time zone, e.g. 2026Q3')
    .option('--from <date>', 'start of a custom period (ISO date or time)')
    .option('--to <date>', 'end of a custom period, exclusive')
    .option('--lang <lang>', "zh-CN or en (default: the customer's language)")
    .option('--tz <zone>', "IANA time zone (default: the customer's, else PATROL_REPORT_TZ, else Asia/Shanghai)")
    .option('--site <id>', 'one site only')
    .option('--out <dir>', 'output folder', 'reports')
    .option('--database-url <url>', 'PostgreSQL/TimescaleDB (default: the embedded database in --data-dir)', process.env.DATABASE_URL)
    .option('--database-schema <schema>', 'schema inside that database', process.env.DATABASE_SCHEMA)
    .option('--data-dir <dir>', "the collector's data folder (embedded database)", process.env.PATROL_DATA_DIR ?? 'data')
    .option('--edits <file>', "JSON with the engineer's changes to the findings: {findings: [{key, text?, recommendation?, remove?}], add: [...]}")
    .option('--no-pdf', 'write the HTML only')
    .parse(argv)
  const options = program.opts<CliOptions>()
  const period = options.quarter ?? (options.from && options.to ? { from: new Date(options.from), to: new Date(options.to) } : null)
  if (!period) return program.error('give --quarter 2026Q3, or --from and --to')
  const db = await openDb(options)
  try {
    // The customer's own language and time zone unless the command line says otherwise.
    const { rows } = await db.query<{ language: string; time_zone: string }>('select language, time_zone from customer where id = $1', [options.customer]).catch(() => ({ rows: [] as { language: string; time_zone: string }[] }))
    const lang = parseLang(options.lang ?? rows[0]?.language ?? 'zh-CN')
    const tz = options.tz ?? rows[0]?.time_zone ?? process.env.PATROL_REPORT_TZ ?? 'Asia/Shanghai'
    const result = await generateReport(db, {
      customerId: options.customer,
      period,
      lang,
      tz,
      site: options.site,
      outDir: options.out,
      pdf: options.pdf,
      edits: options.edits ? (JSON.parse(readFileSync(options.edits, 'utf8')) as ReportEdits) : undefined,
      onProgress: (done, total, section) => process.stderr.write(`\r[${'#'.repeat(done).padEnd(total, '.')}] ${done}/${total} ${section.padEnd(14)}`),
      log: (line) => process.stderr.write(`\n${line}`),
    })
    process.stderr.write('\n')
    console.log(result.htmlPath)
    if (result.pdfPath) console.log(result.pdfPath)
  } finally {
    await db.close()
  }
}

main(process.argv).catch((error: unknown) => {
  console.error(`\nreport failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
