/**
 * pnpm bench:scale [--batches 2000] [--points 100] [--runs 3] [--connections 4]
 *
 * Ingest throughput with 1, 2 and 3 collector processes sharing one MQTT 5 shared subscription on
 * a real Mosquitto (a private one on a free port, with queues large enough that nothing is
 * dropped) and writing into one schema of the real PostgreSQL at DATABASE_URL (default the local
 * one). Each run: a fresh schema, the collectors started and healthy, then the clock runs from the
 * first publish until the database holds every batch. The last line is JSON with medians:
 * {"bench":"scale","c1_points_per_s":…,"c2_points_per_s":…,"c3_points_per_s":…}.
 */
import os from 'node:os'
import pg from 'pg'
import { PrivateMosquitto } from '../support/mosquitto.js'
import { waitFor } from '../support/peers.js'
import { uniqueName } from '../support/targets.js'
import { Cluster, connectPublisher, makeBatches, publishAll } from '../scale/cluster.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const BATCHES = arg('batches', 2000)
const POINTS = arg('points', 100)
const RUNS = arg('runs', 3)
const CONNECTIONS = arg('connections', 4)
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

const broker = await PrivateMosquitto.start({ persistence: false })
const admin = new pg.Client({ connectionString: DATABASE_URL })
await admin.connect()

async function once(collectors: number): Promise<number> {
  const schema = uniqueName('bench_scale')
  const topicPrefix = `bench/${schema}`
  const cluster = new Cluster({ databaseUrl: DATABASE_URL, schema, mqttUrl: broker.url, topicPrefix, shareGroup: schema.slice(0, 60), connections: CONNECTIONS })
  const publisher = await connectPublisher(broker.url)
  try {
    await cluster.start(collectors)
    const batches = makeBatches(BATCHES, POINTS, topicPrefix, 1000)
    const started = performance.now()
    await publishAll(publisher, batches, 200)
    await waitFor(async () => (await admin.query<{ n: number }>(`select count(*)::int as n from ${schema}.ingested_batch`)).rows[0]!.n === BATCHES, {
      timeoutMs: 300_000,
      intervalMs: 25,
      what: `${BATCHES} batches stored by ${collectors} collector(s)`,
    })
    const seconds = (performance.now() - started) / 1000
    const stored = (await admin.query<{ n: number }>(`select count(*)::int as n from ${schema}.metric_sample`)).rows[0]!.n
    if (stored !== BATCHES * POINTS) throw new Error(`stored ${stored} readings, expected ${BATCHES * POINTS}`)
    return (BATCHES * POINTS) / seconds
  } finally {
    await publisher.endAsync().catch(() => undefined)
    await cluster.close()
    await admin.query(`drop schema if exists ${schema} cascade`)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const results: Record<number, number[]> = { 1: [], 2: [], 3: [] }
try {
  for (let run = 1; run <= RUNS; run++) {
    // Interleaved, so a slow minute of the machine hits every collector count alike.
    for (const c of [1, 2, 3]) {
      results[c]!.push(await once(c))
      console.log(`run ${run}: ${c} collector(s) ${fmt(results[c]!.at(-1)!)} points/s`)
    }
  }
} finally {
  await admin.end()
  await broker.close()
}

console.log(`\n${fmt(BATCHES * POINTS)} readings in ${BATCHES} batches of ${POINTS}, ${CONNECTIONS} subscriber connections per collector, ${RUNS} runs, ${os.cpus().length} CPU cores; broker, publisher, collectors and PostgreSQL share the machine`)
console.log('collectors   min points/s   median points/s')
for (const c of [1, 2, 3]) console.log(`${String(c).padEnd(12)} ${fmt(Math.min(...results[c]!)).padStart(13)} ${fmt(median(results[c]!)).padStart(17)}`)
console.log(
  JSON.stringify({
    bench: 'scale',
    c1_points_per_s: Math.round(median(results[1]!)),
    c2_points_per_s: Math.round(median(results[2]!)),
    c3_points_per_s: Math.round(median(results[3]!)),
    c1_min: Math.round(Math.min(...results[1]!)),
    c2_min: Math.round(Math.min(...results[2]!)),
    c3_min: Math.round(Math.min(...results[3]!)),
    points: BATCHES * POINTS,
    runs: RUNS,
    cores: os.cpus().length,
  }),
)
process.exit(0)
