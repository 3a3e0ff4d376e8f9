/**
 * pnpm bench:report [--devices 500] [--sample-s 3600] [--database-url URL] [--keep NAME] [--runs N]
 *
 * Time and peak memory to produce the quarterly inspection report (HTML, then PDF through
 * Debian's chromium) for one customer with `--devices` devices and a quarter of readings every
 * `--sample-s` seconds (60: one-minute resolution).
 *
 * A report reads hourly aggregates, never raw readings: TimescaleDB's continuous aggregate on a
 * TimescaleDB server, and elsewhere (plain PostgreSQL, the embedded database) the hourly rollup
 * the collector keeps itself (store/hourly-rollup.ts). In production that rollup is kept up to
 * date every maintenance round, an hour at a time; here the whole seeded quarter is rolled at
 * once after seeding, timed apart as rollup_s (not part of the report's time, as it is not when a
 * report is generated). Seeding is server-side generate_series, day by day for every device (the
 * order agents' readings arrive in); `--keep NAME` keeps the seeded database
 * (a folder for the embedded one, schema bench_report_NAME on a server) and reuses it next run,
 * since seeding a quarter at one minute takes far longer than the report. `--runs N` builds the
 * report N times over it and prints min and median (the lower middle for an even N).
 *
 * peak_rss_mb is this process's resident memory sampled while the report is built and printed
 * (the embedded database included; the seeding before is not counted: it is the bench's own
 * work); process_max_rss_mb is the whole run's. Chromium's processes are measured apart:
 * chromium_peak_rss_mb sums their RSS (shared pages counted in each process, an upper bound),
 * chromium_peak_pss_mb their PSS (shared pages divided among the processes sharing them, the
 * memory they take together). The seconds each section took (from the
 * previous section's end; independent sections run at the same time) go to stderr.
 * Last line, one JSON object: {"bench":"report","devices":…,"resolution":"1m"|"1h"|…,"html_s":…,"pdf_s":…,"peak_rss_mb":…,"pdf_pages":…}
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildReport } from '../../collector/src/reports/build.js'
import { renderHtml } from '../../collector/src/reports/html.js'
import { findChromium, htmlToPdf } from '../../collector/src/reports/pdf.js'
import { parseQuarter } from '../../collector/src/reports/period.js'
import { openPglite, openPostgres, type Db } from '../../collector/src/store/db.js'
import { migrate } from '../../collector/src/store/migrate.js'
import { keepsOwnRollup, rollUpHours } from '../../collector/src/store/hourly-rollup.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback
}
const DEVICES = Number(arg('devices', '500'))
const SAMPLE_S = Number(arg('sample-s', '3600'))
const DATABASE_URL = arg('database-url', '')
/** Keep the seeded database (a folder, or on a server a schema named after it) and reuse it next run: seeding a quarter at one minute takes far longer than the report. */
const KEEP = arg('keep', '')
/** Runs of the report over one seeded database; min and median are printed. */
const RUNS = Number(arg('runs', '1'))
const TZ = 'Asia/Shanghai'
const QUARTER = '2026Q3'

/** Category mix of a typical group customer: mostly PCs, some printers, a few of the rest. */
function categoryOf(i: number): string {
  const r = i % 50
  if (r < 38) return 'pc'
  if (r < 40) return i % 2 ? 'server-windows' : 'server-unix'
  if (r < 46) return 'printer'
  if (r < 49) return 'network-access'
  return 'ups'
}

async function seed(db: Db, from: Date, to: Date): Promise<void> {
  await db.query(`insert into customer (id, name, class) values ('bench', '基准测试集团', 'group')`)
  await db.query(`insert into site (customer_id, id, name) select 'bench', 's' || k, '站点 ' || k from generate_series(1, 10) k`)
  const ids = Array.from({ length: DEVICES }, (_, i) => `dev-${String(i).padStart(4, '0')}`)
  const cats = ids.map((_, i) => categoryOf(i))
  await db.query(
    `insert into device (id, customer, site, kind, hostname, status, category, model, warranty_end, inventory, last_seen)
     select d.id, 'bench', 's' || (1 + d.n % 10), 'agent', upper(d.id), 'online', d.cat, 'Model ' || d.cat, date '2026-12-01' + (d.n % 900)::int,
            '{"os":{"distro":"Microsoft Windows 10 Pro","release":"10.0.19045"}}'::jsonb, $2
       from unnest($1::text[], $3::text[]) with ordinality as d(id, cat, n)`,
    [ids, to, cats],
  )
  const step = `interval '${SAMPLE_S} seconds'`
  // $1–$2 one day, $3 the devices, $4 the quarter's start (trends are days since it).
  const series = `generate_series($1::timestamptz, $2::timestamptz - interval '1 second', ${step}) t`
  const days = `extract(epoch from t - $4::timestamptz) / 86400`
  const pick = (want: (c: string) => boolean) => ids.filter((_, i) => want(cats[i]!))
  const byCategory: [string[], string][] = [
    [
      pick((c) => c === 'pc' || c.startsWith('server')),
      `select t, d.id, m.metric, m.instance, case m.metric when 'fs.used_percent' then 40 + 0.2 * ${days} else 30 + 20 * sin(extract(epoch from t) / 3600) end
         from unnest($3::text[]) d(id) cross join (values ('fs.used_percent', 'C:'), ('cpu.load_percent', ''), ('mem.used_percent', '')) as m(metric, instance) cross join ${series}`,
    ],
    [
      pick((c) => c === 'printer'),
      `select t, d.id, m.metric, m.instance, case m.metric when 'printer.page_count' then 1000 + 100 * ${days} else greatest(0, 90 - 0.7 * ${days}) end
         from unnest($3::text[]) d(id) cross join (values ('printer.supply_percent', 'Black Toner Cartridge HP CF289A'), ('printer.page_count', '')) as m(metric, instance) cross join ${series}`,
    ],
    [
      pick((c) => c.startsWith('network')),
      `select t, d.id, m.metric, p.port, case m.metric when 'if.oper_up' then 1 when 'if.in_errors' then 0 else 1e6 end
         from unnest($3::text[]) d(id) cross join (values ('if.oper_up'), ('if.in_errors'), ('if.in_bytes_per_second')) as m(metric)
        cross join (select 'GE1/0/' || k as port from generate_series(1, 8) k) p cross join ${series}`,
    ],
    [
      pick((c) => c === 'ups'),
      `select t, d.id, m.metric, '', case m.metric when 'ups.charge_percent' then 100 when 'ups.runtime_seconds' then 1800 else 0 end
         from unnest($3::text[]) d(id) cross join (values ('ups.charge_percent'), ('ups.runtime_seconds'), ('ups.on_battery')) as m(metric) cross join ${series}`,
    ],
  ]
  // Day by day, every device at once: the order readings arrive in from agents, so rows lie on
  // disk in time order as they do in production (what rolling hour by hour relies on), and each
  // statement's memory stays bounded on the embedded database.
  const started = performance.now()
  for (let day = from.getTime(); day < to.getTime(); day += 86_400_000) {
    const end = new Date(Math.min(day + 86_400_000, to.getTime()))
    for (const [devices, select] of byCategory) {
      // PostgreSQL counts parameters by the highest $n a statement names: $4 only where used.
      if (devices.length) await db.query(`insert into metric_sample (time, device_id, metric, instance, value) ${select}`, [new Date(day), end, devices, ...(select.includes('$4') ? [from] : [])])
    }
    const done = (day + 86_400_000 - from.getTime()) / (to.getTime() - from.getTime())
    if (SAMPLE_S < 600) console.error(`seeding ${(Math.min(1, done) * 100).toFixed(0)}% (${((performance.now() - started) / 1000).toFixed(0)} s)`)
  }
  await db.query(`insert into device_status_change (time, device_id, state) select $1::timestamptz - interval '1 day', id, 'online' from unnest($2::text[]) id`, [from, ids])
  await db.query(
    `insert into device_status_change (time, device_id, state) select $1::timestamptz + (n % 80) * interval '1 day', id, 'offline' from unnest($2::text[]) with ordinality as d(id, n) where n % 7 = 0
     union all select $1::timestamptz + (n % 80) * interval '1 day' + interval '3 hours', id, 'online' from unnest($2::text[]) with ordinality as d(id, n) where n % 7 = 0`,
    [from, ids],
  )
  if (db.timescale) await db.exec(`call refresh_continuous_aggregate('metric_hourly', null, null)`).catch(() => undefined)
}

/**
 * Chromium's memory while the PDF renders (its processes are not our children in rusage terms):
 * RSS summed over its processes (an upper bound: pages shared between them are counted in each)
 * and PSS summed (shared pages divided among their sharers: what the processes take together).
 */
function chromiumMemoryMb(): { rss: number; pss: number } {
  let rss = 0
  let pss = 0
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!cmd.includes('patrol-report-chromium-')) continue
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) / 1024
    } catch {
      // the process ended between listing and reading
    }
  }
  return { rss, pss }
}

async function main() {
  const out = await mkdtemp(path.join(os.tmpdir(), 'patrol-bench-report-'))
  // The embedded database in a folder, as the collector runs it: in memory, a quarter of 500
  // devices would hold every row in this process's heap.
  const schema = KEEP ? `bench_report_${KEEP.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}` : `bench_report_${process.pid}`
  const db = DATABASE_URL ? await openPostgres({ connectionString: DATABASE_URL, schema }) : await openPglite({ dataDir: KEEP ? path.resolve(KEEP) : path.join(out, 'pglite') })
  const { from, to } = parseQuarter(QUARTER, TZ)
  try {
    await migrate(db)
    const t = performance.now()
    const seeded = (await db.query<{ n: number }>("select count(*)::int as n from customer where id = 'bench'")).rows[0]!.n > 0
    if (!seeded) await seed(db, from, to)
    else console.error(`reusing the database seeded earlier (${KEEP})`)
    const seedS = seeded ? 0 : (performance.now() - t) / 1000
    const rows = Number((await db.query<{ n: string }>('select count(*) as n from metric_sample')).rows[0]!.n)
    const devices = (await db.query<{ n: number }>("select count(*)::int as n from device where customer = 'bench'")).rows[0]!.n
    if (devices !== DEVICES) throw new Error(`the kept database has ${devices} devices, not ${DEVICES}: use another --keep`)
    console.error(`seeded ${DEVICES} devices, ${rows} readings every ${SAMPLE_S} s, in ${seedS.toFixed(1)} s`)
    let rollupS: number | null = null
    if (keepsOwnRollup(db)) {
      const r = performance.now()
      let said = r
      const rolled = await rollUpHours(db, {
        rawRetentionDays: 400, hourlyRetentionDays: 1100,
        onStep: (step) => {
          if (performance.now() - said < 10_000) return
          said = performance.now()
          console.error(`rolling up hours: up to ${step.to.toISOString().slice(0, 13)}h (${((said - r) / 1000).toFixed(0)} s)`)
        },
      })
      rollupS = (performance.now() - r) / 1000
      console.error(`rolled ${rolled.rolledHours} hours into ${rolled.rolledRows} hourly rows in ${rollupS.toFixed(1)} s`)
    }
    const results: Record<string, number | string | null>[] = []
    for (let run = 0; run < RUNS; run++) results.push({ ...(await measure(db, out, to, rows, seedS)), rollup_s: rollupS === null ? null : Number(rollupS.toFixed(1)) })
    const pick = (key: string) => results.map((r) => r[key] as number).filter((v) => typeof v === 'number').sort((a, b) => a - b)
    const median = (v: number[]) => (v.length ? v[Math.floor((v.length - 1) / 2)]! : null)
    if (RUNS > 1) console.error(`html_s min ${pick('html_s')[0]} median ${median(pick('html_s'))}; pdf_s min ${pick('pdf_s')[0] ?? '—'} median ${median(pick('pdf_s')) ?? '—'}; runs ${RUNS}`)
    const last = results.at(-1)!
    console.log(JSON.stringify({
      ...last,
      html_s: median(pick('html_s')), pdf_s: median(pick('pdf_s')), peak_rss_mb: Math.max(...pick('peak_rss_mb')),
      html_s_min: pick('html_s')[0], pdf_s_min: pick('pdf_s')[0] ?? null, runs: RUNS,
    }))
  } finally {
    if (DATABASE_URL && !KEEP) await db.query(`drop schema if exists ${schema} cascade`).catch(() => undefined)
    await db.close()
    await rm(out, { recursive: true, force: true })
  }
}

async function measure(db: Db, out: string, to: Date, rows: number, seedS: number): Promise<Record<string, number | string | null>> {
  {
    let t: number

    let reportPeak = 0
    const rssSampler = setInterval(() => (reportPeak = Math.max(reportPeak, process.memoryUsage().rss)), 50)
    t = performance.now()
    // Time per section (collection order), to see where a slow report spends it.
    const sectionS: Record<string, number> = {}
    let mark = performance.now()
    const report = await buildReport(db, {
      customerId: 'bench', period: QUARTER, lang: 'zh-CN', tz: TZ, now: new Date(to.getTime() + 86_400_000),
      onProgress: (_done, _total, section) => {
        const now = performance.now()
        sectionS[section] = Number(((now - mark) / 1000).toFixed(3))
        mark = now
      },
    })
    console.error(`sections (s): ${JSON.stringify(sectionS)}`)
    const html = renderHtml(report)
    await writeFile(path.join(out, 'report.html'), html)
    const htmlS = (performance.now() - t) / 1000
    console.error(`HTML ${(html.length / 1024).toFixed(0)} KiB in ${htmlS.toFixed(2)} s`)

    let pdfS: number | null = null
    let pages: number | null = null
    let chromiumPeak = 0
    let chromiumPssPeak = 0
    if (findChromium()) {
      const sampler = setInterval(() => {
        const m = chromiumMemoryMb()
        chromiumPeak = Math.max(chromiumPeak, m.rss)
        chromiumPssPeak = Math.max(chromiumPssPeak, m.pss)
      }, 100)
      t = performance.now()
      const pdf = await htmlToPdf(html, { lang: 'zh-CN', header: 'bench' })
      pdfS = (performance.now() - t) / 1000
      clearInterval(sampler)
      const file = path.join(out, 'report.pdf')
      await writeFile(file, pdf)
      try {
        pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1])
      } catch {
        pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length
      }
      console.error(`PDF ${pages} pages in ${pdfS.toFixed(2)} s; chromium peak ${chromiumPeak.toFixed(0)} MB RSS summed, ${chromiumPssPeak.toFixed(0)} MB PSS`)
    } else console.error('no chromium: PDF not measured (apt-get install -y chromium fonts-noto-cjk)')

    clearInterval(rssSampler)
    reportPeak = Math.max(reportPeak, process.memoryUsage().rss)
    const processPeak = process.resourceUsage().maxRSS / 1024
    const result = {
      bench: 'report', devices: DEVICES, resolution: SAMPLE_S === 60 ? '1m' : SAMPLE_S === 3600 ? '1h' : `${SAMPLE_S}s`, html_s: Number(htmlS.toFixed(3)), pdf_s: pdfS === null ? null : Number(pdfS.toFixed(3)),
      peak_rss_mb: Math.round(reportPeak / 1048576), pdf_pages: pages, chromium_peak_rss_mb: Math.round(chromiumPeak), chromium_peak_pss_mb: Math.round(chromiumPssPeak), process_max_rss_mb: Math.round(processPeak), sample_interval_s: SAMPLE_S, readings: rows,
      engine: db.engine, seed_s: Number(seedS.toFixed(1)),
    }
    console.error(JSON.stringify(result))
    return result
  }
}

await main()
