/**
 * pnpm bench:ingest [--points 1000000] [--per-message 100] [--runs 3]
 *
 * Points per second through the collector's real ingest path (Ingest.handle: decode, validate
 * against the contract, clock check, group-commit writer with its dedupe, device upserts and
 * latest-value merge) into the PostgreSQL server at DATABASE_URL (default the local one) and into
 * the embedded PGlite+TimescaleDB in a folder on disk; and, in the same run, raw COPY of the same
 * rows into a table of the same shape (same unique index) on the same server: the ceiling.
 * Also the writer with COPY turned off (INSERT … unnest only), to show why COPY is used.
 * The last line is JSON: {"bench":"ingest","collector_points_per_s",...,"ratio"} with medians.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import pino from 'pino'
import { buildTopic } from '@patrol/shared'
import { Ingest } from '../../collector/src/ingest/ingest.js'
import { IngestStats } from '../../collector/src/ingest/stats.js'
import { IngestWriter } from '../../collector/src/ingest/writer.js'
import { openPglite, openPostgres, type Db } from '../../collector/src/store/db.js'
import { migrate } from '../../collector/src/store/migrate.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const POINTS = arg('points', 1_000_000)
const PER_MESSAGE = arg('per-message', 100)
const RUNS = arg('runs', 3)
const DEVICES = 1000
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const logger = pino({ level: 'silent' })

interface Message {
  topic: string
  payload: Buffer
}

/** Messages of PER_MESSAGE points (10 metrics × instances), spread over DEVICES devices. */
function makeMessages(): { messages: Message[]; rows: [number, string, string, string, number][] } {
  const messages: Message[] = []
  const rows: [number, string, string, string, number][] = []
  const count = Math.ceil(POINTS / PER_MESSAGE)
  const base = Date.now() - 3 * 86_400_000
  for (let m = 0; m < count; m++) {
    const device = `bench-${m % DEVICES}`
    const ts = base + Math.floor(m / DEVICES) * 60_000
    const points = Array.from({ length: PER_MESSAGE }, (_, i) => ({ ts, metric: `bench.metric_${i % 10}`, instance: `i${Math.floor(i / 10)}`, value: Math.round(Math.random() * 10_000) / 100 }))
    for (const p of points) rows.push([p.ts, device, p.metric, p.instance, p.value])
    const message = { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, sentAt: Date.now(), points }
    messages.push({ topic: buildTopic({ customer: 'bench', site: 'lab', device, kind: 'metrics' }), payload: Buffer.from(JSON.stringify(message)) })
  }
  return { messages, rows }
}

async function throughIngest(db: Db, messages: Message[], copyFromPoints: number): Promise<number> {
  const stats = new IngestStats()
  const writer = new IngestWriter(db, { maxPointsPerFlush: 20_000, copyFromPoints, logger, stats })
  const ingest = new Ingest(writer, { topicPrefix: '', maxPayloadBytes: 4 * 1024 * 1024, clock: { toleranceMs: 120_000, maxAgeMs: 400 * 86_400_000 }, logger, stats })
  const started = performance.now()
  await Promise.all(messages.map((m) => ingest.handle(m.topic, m.payload)))
  const seconds = (performance.now() - started) / 1000
  await writer.close()
  if (stats.storedPoints !== POINTS || stats.rejectedTotal) throw new Error(`stored ${stats.storedPoints} of ${POINTS} points, rejected ${stats.rejectedTotal}`)
  return POINTS / seconds
}

async function rawCopy(schema: string, rows: [number, string, string, string, number][]): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` })
  await client.connect()
  await client.query(`create table copy_target (like metric_sample including all)`)
  const started = performance.now()
  await client.query('begin')
  function* lines() {
    let chunk = ''
    for (const [t, d, m, i, v] of rows) {
      chunk += `${new Date(t).toISOString()}\t${d}\t${m}\t${i}\t${v}\n`
      if (chunk.length > 64_000) {
        yield chunk
        chunk = ''
      }
    }
    if (chunk) yield chunk
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom('copy copy_target (time, device_id, metric, instance, value) from stdin')))
  await client.query('commit')
  const seconds = (performance.now() - started) / 1000
  await client.end()
  return rows.length / seconds
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

const results = { collector: [] as number[], unnestOnly: [] as number[], copy: [] as number[], embedded: [] as number[], embeddedRssMb: [] as number[] }
for (let run = 1; run <= RUNS; run++) {
  // The embedded database first, while this process holds nothing else: its peak RSS is the
  // process's (resourceUsage().maxRSS; WASM work blocks the event loop, so timers cannot sample).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-bench-pglite-'))
  const lite = await openPglite({ dataDir: dir })
  try {
    await migrate(lite)
    results.embedded.push(await throughIngest(lite, makeMessages().messages, 2_000))
    results.embeddedRssMb.push(process.resourceUsage().maxRSS / 1024)
  } finally {
    await lite.close()
    await rm(dir, { recursive: true, force: true })
  }
  const schema = `bench_ingest_${Date.now().toString(36)}`
  const db = await openPostgres({ connectionString: DATABASE_URL, schema, max: 4 })
  try {
    await migrate(db)
    let data = makeMessages()
    results.collector.push(await throughIngest(db, data.messages, 2_000))
    results.copy.push(await rawCopy(schema, data.rows))
    await db.query('truncate metric_sample, ingested_batch, device')
    data = makeMessages()
    results.unnestOnly.push(await throughIngest(db, data.messages, Number.MAX_SAFE_INTEGER))
  } finally {
    await db.query(`drop schema ${schema} cascade`).catch(() => undefined)
    await db.close()
  }
  console.log(`run ${run}: collector ${fmt(results.collector.at(-1)!)} pts/s · INSERT…unnest only ${fmt(results.unnestOnly.at(-1)!)} · raw COPY ${fmt(results.copy.at(-1)!)} · embedded ${fmt(results.embedded.at(-1)!)} (process peak RSS ${Math.round(results.embeddedRssMb.at(-1)!)} MB)`)
}

console.log(`\n${POINTS.toLocaleString('en-US')} points in messages of ${PER_MESSAGE}, ${DEVICES} devices, ${RUNS} runs; server ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`)
console.log('path                         min pts/s     median pts/s')
for (const [name, xs] of [['collector (COPY ≥2000)', results.collector], ['collector (unnest only)', results.unnestOnly], ['raw COPY (ceiling)', results.copy], ['embedded PGlite on disk', results.embedded]] as const) {
  console.log(`${name.padEnd(28)} ${fmt(Math.min(...xs)).padStart(10)} ${fmt(median(xs)).padStart(15)}`)
}
console.log(
  JSON.stringify({
    bench: 'ingest',
    collector_points_per_s: Math.round(median(results.collector)),
    embedded_points_per_s: Math.round(median(results.embedded)),
    copy_points_per_s: Math.round(median(results.copy)),
    ratio: Math.round((median(results.collector) / median(results.copy)) * 100) / 100,
    unnest_only_points_per_s: Math.round(median(results.unnestOnly)),
    embedded_peak_rss_mb: Math.round(median(results.embeddedRssMb)),
    points: POINTS,
    runs: RUNS,
  }),
)
process.exit(0)
