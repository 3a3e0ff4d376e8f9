/**
 * pnpm report --customer ID --quarter 2026Q3 --lang zh-CN --out DIR [--site S] [--from … --to …]
 *             [--tz Asia/Shanghai] [--database-url URL [--database-schema S] | --data-dir data] [--no-pdf]
 *             [--all-group-customers] [--archive]
 * Writes the inspection report as HTML and (with Chromium installed) PDF; `--all-group-customers`
 * does it for every group customer in its own language and time zone, `--archive` also stores each
 * report in the customer's archive as the next version (trigger 'cli').
 * Progress goes to stderr: a bar (cli-progress) on a terminal, plain lines otherwise (logs, CI).
 */
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import cliProgress from 'cli-progress'
import { Command } from 'commander'
import { openPglite, openPostgres, type Db } from '../store/db.js'
import { migrate } from '../store/migrate.js'
import { archiveReport } from './archive.js'
import type { ReportEdits } from './edits.js'
import { generateReport } from './generate.js'
import { parseLang } from './i18n.js'
import { SECTIONS } from './sections/index.js'

interface CliOptions {
  customer?: string
  allGroupCustomers?: boolean
  archive?: boolean
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

/** Progress of every customer's sections: one bar on a terminal, one line per step elsewhere. */
function progress(customers: number) {
  const steps = SECTIONS.length
  if (!process.stderr.isTTY) {
    return {
      section: (customer: string, done: number, section: string) => process.stderr.write(`[${customer}] ${done}/${steps} ${section}\n`),
      log: (line: string) => process.stderr.write(`${line}\n`),
      stop: () => undefined,
    }
  }
  // A MultiBar holding one bar: it can print lines above the bar (SingleBar cannot).
  const bars = new cliProgress.MultiBar(
    { stream: process.stderr, format: '{bar} {percentage}% | {customer} {step} | {value}/{total} sections', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  )
  const bar = bars.create(customers * steps, 0, { customer: '', step: '' })
  let finished = 0
  return {
    section: (customer: string, done: number, section: string) => {
      bar.update(finished * steps + done, { customer, step: section })
      if (done === steps) finished++
    },
    log: (line: string) => {
      bars.log(`${line}\n`)
      bars.update() // prints the line now, above the bar
    },
    stop: () => bars.stop(),
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('report')
    .description('Write the inspection report (巡检报告) of one customer, or of every group customer, as HTML and PDF')
    .option('--customer <id>', 'customer id')
    .option('--all-group-customers', 'every group customer (class "group"), each in its own language and time zone')
    .option('--archive', "also store each report in the customer's archive as the next version")
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
  if (Boolean(options.customer) === Boolean(options.allGroupCustomers)) return program.error('give --customer ID, or --all-group-customers')
  if (options.allGroupCustomers && options.site) return program.error('--site needs --customer (site ids are per customer)')
  const period = options.quarter ?? (options.from && options.to ? { from: new Date(options.from), to: new Date(options.to) } : null)
  if (!period) return program.error('give --quarter 2026Q3, or --from and --to')
  const edits = options.edits ? (JSON.parse(readFileSync(options.edits, 'utf8')) as ReportEdits) : undefined
  const db = await openDb(options)
  const failures: string[] = []
  try {
    const customers = options.allGroupCustomers
      ? (await db.query<{ id: string }>("select id from customer where class = 'group' order by id")).rows.map((r) => r.id)
      : [options.customer!]
    if (!customers.length) throw new Error('no group customers (customer.class = \'group\')')
    const show = progress(customers.length)
    for (const customerId of customers) {
      try {
        // The customer's own language and time zone unless the command line says otherwise.
        const { rows } = await db.query<{ language: string; time_zone: string }>('select language, time_zone from customer where id = $1', [customerId]).catch(() => ({ rows: [] as { language: string; time_zone: string }[] }))
        const lang = parseLang(options.lang ?? rows[0]?.language ?? 'zh-CN')
        const tz = options.tz ?? rows[0]?.time_zone ?? process.env.PATROL_REPORT_TZ ?? 'Asia/Shanghai'
        const result = await generateReport(db, {
          customerId,
          period,
          lang,
          tz,
          site: options.site,
          outDir: options.out,
          pdf: options.pdf,
          edits,
          onProgress: (done, _total, section) => show.section(customerId, done, section),
          log: show.log,
        })
        if (options.archive) {
          const entry = await archiveReport(db, result.produced, { trigger: 'cli', generatedBy: `cli:${os.userInfo().username}`, edits })
          show.log(`archived: ${customerId} ${entry.periodLabel} ${entry.lang} version ${entry.version} (id ${entry.id})`)
        }
        console.log(result.htmlPath)
        if (result.pdfPath) console.log(result.pdfPath)
      } catch (error) {
        // One customer's failure does not stop the others; the exit code tells.
        if (!options.allGroupCustomers) throw error
        failures.push(`${customerId}: ${(error as Error).message}`)
        show.log(`report failed for ${customerId}: ${(error as Error).message}`)
      }
    }
    show.stop()
  } finally {
    await db.close()
  }
  if (failures.length) throw new Error(`${failures.length} report(s) failed:\n  ${failures.join('\n  ')}`)
}

main(process.argv).catch((error: unknown) => {
  console.error(`\nreport failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
})
