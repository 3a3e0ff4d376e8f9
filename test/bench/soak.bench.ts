/**
 * pnpm bench:soak [--minutes 10] [--agents 5000] [--interval-s 30] [--connections 50] [--points 10] [--share]
 *
 * A sustained load of simulated agents through a real Mosquitto into a real PostgreSQL, with
 * faults injected on a schedule, counting what went in and what came out:
 * - agents: `--agents` device ids multiplexed over `--connections` MQTT connections (the shared
 *   `connectMqtt`, backoff with jitter), each device sending one metrics batch of `--points`
 *   readings every `--interval-s` (first one at a random offset), at QoS 1. A batch counts as
 *   *sent* when the broker acknowledged it; one in 200 carries a reading hours in the future with
 *   no sentAt, which the collector must *reject* (and record);
 * - servers: a private Mosquitto (persistence on, queues sized as deploy/ does) and a private
 *   PostgreSQL 15 (so they can be stopped; the shared ones never are), the collector as a child
 *   process (`node --import tsx collector/src/main.ts`), ingesting through one plain persistent
 *   subscription as deploy/docker-compose.yml runs it by default, or through an MQTT 5 shared
 *   subscription (2 connections) with `--share` (several collectors; deploy/SCALING.md says why
 *   that is not the default: Mosquitto 2.0 drops what agents publish during its own restart);
 * - faults, at 20 %, 45 % and 70 % of the run: collector SIGKILL and restart, broker stop and
 *   start, database stop and start (each outage lasts 5 % of the run, 3 s to 20 s);
 * - at the end, publishing stops, the agents drain, and the database is read: *lost* = sent but
 *   not stored (must be 0), *duplicated* = readings stored more than once (must be 0), the p99
 *   ingest lag (commit time − first attempt to send, outages included), the collector's RSS.
 * A table, then the last line one JSON object:
 * {"bench":"soak","agents":…,"sent":…,"stored":…,"rejected":…,"lost":…,"duplicated":…,"p99_lag_ms":…,"rss_start_mb":…,"rss_end_mb":…}
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { MqttClient } from 'mqtt'
import { buildTopic, connectMqtt, type MetricBatch } from '@patrol/shared'
import { PrivateMosquitto } from '../support/mosquitto.js'
import { freePort, REPO_ROOT, waitFor } from '../support/peers.js'
import { PrivatePostgres } from '../support/private-postgres.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  const value = i >= 0 ? Number(args[i + 1]) : fallback
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} wants a positive number`)
  return value
}
const MINUTES = arg('minutes', 10)
const AGENTS = Math.round(arg('agents', 5000))
const INTERVAL_MS = arg('interval-s', 30) * 1000
const CONNECTIONS = Math.min(AGENTS, Math.round(arg('connections', 50)))
const POINTS = Math.round(arg('points', 10))
const DURATION_MS = MINUTES * 60_000
const OUTAGE_MS = Math.min(20_000, Math.max(3_000, DURATION_MS * 0.05))
const BAD_EVERY = 200
/** `--share`: an MQTT 5 shared subscription instead of the default deployment's plain one. (`--no-share`, the old flag, is the default now.) */
const SHARE = args.includes('--share')
const SCHEMA = 'soak'
const PREFIX = 'soak'

const log = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`)
let t0 = Date.now()

interface SimBatch {
  id: string
  device: string
  firstAttempt: number
  bad: boolean
  payload: Buffer
  topic: string
}

const counters = { attempts: 0, sent: 0, sentBad: 0, publishErrors: 0 }
const sentAt = new Map<string, number>() // acknowledged good batches → first attempt
const unacked = new Set<SimBatch>()

let made = 0
function makeBatch(device: string, seq: number): SimBatch {
  const now = Date.now()
  const bad = ++made % BAD_EVERY === 0
  const message: MetricBatch = bad
    ? { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, points: [{ ts: now + 5 * 3_600_000, metric: 'test.value_count', instance: 'future', value: seq }] }
    : {
        v: 1,
        kind: 'metrics',
        batchId: randomUUID(),
        deviceId: device,
        sentAt: now,
        points: Array.from({ length: POINTS }, (_, i) => ({ ts: now, metric: 'test.value_count', instance: `i${i}`, value: seq })),
      }
  return { id: message.batchId, device, firstAttempt: now, bad, payload: Buffer.from(JSON.stringify(message)), topic: buildTopic({ customer: 'soak', site: `s${device.length % 7}`, device, kind: 'metrics' }, PREFIX) }
}

/** One MQTT connection carrying many simulated agents; a batch is retried (same id) until acknowledged. */
function publish(client: MqttClient, batch: SimBatch): void {
  counters.attempts++
  unacked.add(batch)
  client.publish(batch.topic, batch.payload, { qos: 1 }, (error) => {
    if (error) {
      counters.publishErrors++
      setTimeout(() => publish(client, batch), 1000)
      return
    }
    unacked.delete(batch)
    if (batch.bad) counters.sentBad++
    else {
      counters.sent++
      sentAt.set(batch.id, batch.firstAttempt)
    }
  })
}

/** The collector as a child process, configured as deploy/ does (plain subscription; share group with --share). */
class SoakCollector {
  private child: ChildProcess | undefined
  private output = ''
  private readonly dataDir = mkdtempSync(path.join(os.tmpdir(), 'patrol-soak-'))

  constructor(private readonly databaseUrl: string, private readonly mqttUrl: string) {}

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null)
  }

  tail(): string {
    return this.output.split('\n').slice(-15).join('\n')
  }

  async start(): Promise<void> {
    const port = await freePort()
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: this.databaseUrl,
      MQTT_URL: this.mqttUrl,
      PORT: String(port),
      PATROL_HOST: '127.0.0.1',
      PATROL_DATABASE_SCHEMA: SCHEMA,
      PATROL_TOPIC_PREFIX: PREFIX,
      PATROL_INGEST_CLIENT_ID: 'soak-collector',
      PATROL_MQTT_PROTOCOL_VERSION: '5',
      PATROL_DATA_DIR: this.dataDir,
      PATROL_LOG_LEVEL: 'warn',
      PATROL_MAINTENANCE_INTERVAL_S: '3600',
      ...(SHARE ? { PATROL_INGEST_SHARE_GROUP: 'soak', PATROL_INGEST_CONNECTIONS: '2' } : {}),
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    const keep = (chunk: Buffer) => void (this.output = (this.output + chunk.toString()).slice(-20_000))
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`collector exited with ${child.exitCode}: ${this.tail()}`)
        const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
        return response?.status === 200
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'collector healthy', onTimeout: () => this.tail() },
    )
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child
    if (!child || !this.running) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }

  rssMb(): number {
    const pid = this.child?.pid
    if (!pid || !this.running) return NaN
    const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Math.round(Number(match[1]) / 1024) : NaN
  }

  async close(): Promise<void> {
    await this.kill()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

const db = await PrivatePostgres.start()
const broker = await PrivateMosquitto.start({ persistence: true })
const collector = new SoakCollector(db.url, broker.url)
const clients: MqttClient[] = []
const rssSamples: { at: number; mb: number; note: string }[] = []
const faults: { at: number; what: string; outageMs: number }[] = []
let timer: NodeJS.Timeout | undefined
let rssTimer: NodeJS.Timeout | undefined
let exitCode = 0

try {
  await collector.start()
  for (let c = 0; c < CONNECTIONS; c++) {
    const client = connectMqtt(broker.url, { clientId: `soak-${c}-${randomUUID().slice(0, 6)}`, protocolVersion: 4, clean: true, keepalive: 30, minReconnectMs: 500, maxReconnectMs: 5000, writeCache: false })
    client.on('error', () => undefined)
    clients.push(client)
  }
  await waitFor(() => clients.every((c) => c.connected), { timeoutMs: 30_000, what: 'simulated agent connections' })

  t0 = Date.now()
  const devices = Array.from({ length: AGENTS }, (_, i) => ({ id: `soak-${i}`, client: clients[i % CONNECTIONS]!, next: t0 + Math.random() * INTERVAL_MS, seq: 0 }))
  log(`load: ${AGENTS} agents on ${CONNECTIONS} connections, a batch of ${POINTS} readings each every ${INTERVAL_MS / 1000} s (${Math.round((AGENTS / INTERVAL_MS) * 1000)} batches/s), ${MINUTES} min, outages of ${OUTAGE_MS / 1000} s`)
  let publishing = true
  timer = setInterval(() => {
    if (!publishing) return
    const now = Date.now()
    for (const d of devices) {
      if (d.next > now) continue
      d.next += INTERVAL_MS
      publish(d.client, makeBatch(d.id, d.seq++))
    }
  }, 50)
  const sampleRss = (note = '') => rssSamples.push({ at: Date.now() - t0, mb: collector.rssMb(), note })
  sampleRss('start')
  rssTimer = setInterval(() => collector.running && sampleRss(), Math.max(5000, DURATION_MS / 20))

  const at = (fraction: number) => waitFor(() => Date.now() - t0 >= DURATION_MS * fraction, { timeoutMs: DURATION_MS + 60_000, intervalMs: 200, what: `${fraction * 100} % of the run` })
  const outage = () => new Promise((r) => setTimeout(r, OUTAGE_MS))

  await at(0.2)
  sampleRss('before kill')
  log('fault: collector SIGKILL')
  let started = Date.now()
  await collector.kill()
  await outage()
  await collector.start()
  sampleRss('restarted')
  faults.push({ at: started - t0, what: 'collector SIGKILL + restart', outageMs: Date.now() - started })
  log(`collector back (${Date.now() - started} ms)`)

  await at(0.45)
  log('fault: broker stop')
  started = Date.now()
  await broker.stop()
  await outage()
  await broker.start()
  faults.push({ at: started - t0, what: 'broker stop + start', outageMs: Date.now() - started })
  log(`broker back (${Date.now() - started} ms)`)

  await at(0.7)
  log('fault: database stop')
  started = Date.now()
  await db.stop()
  await outage()
  await db.start()
  faults.push({ at: started - t0, what: 'database stop + start', outageMs: Date.now() - started })
  log(`database back (${Date.now() - started} ms)`)

  await at(1)
  publishing = false
  clearInterval(timer)
  log(`publishing stopped; draining ${unacked.size} unacknowledged`)
  await waitFor(() => unacked.size === 0, { timeoutMs: 120_000, intervalMs: 200, what: 'every batch acknowledged by the broker', onTimeout: () => `${unacked.size} unacknowledged` })

  const admin = new pg.Client({ connectionString: db.url })
  await admin.connect()
  try {
    const storedIds = async () => (await admin.query<{ n: number }>(`select count(*)::int as n from ${SCHEMA}.ingested_batch where batch_id = any($1::uuid[])`, [[...sentAt.keys()]])).rows[0]!.n
    // Until all are stored, or nothing more arrives for 20 s (then what is missing is lost).
    let last = -1
    let stableSince = Date.now()
    await waitFor(
      async () => {
        const n = await storedIds()
        if (n !== last) [last, stableSince] = [n, Date.now()]
        return n === sentAt.size || Date.now() - stableSince > 20_000
      },
      // A busy machine can leave a backlog as long as the run itself; it still counts as long as it moves.
      { timeoutMs: Math.max(300_000, DURATION_MS), intervalMs: 500, what: 'every sent batch stored' },
    )
    log(`stored ${last} of ${sentAt.size} sent batches`)
    sampleRss('end')
    const received = await admin.query<{ batch_id: string; t: number }>(`select batch_id::text, (extract(epoch from received_at) * 1000)::float8 as t from ${SCHEMA}.ingested_batch`)
    const lags: number[] = []
    let stored = 0
    for (const row of received.rows) {
      const first = sentAt.get(row.batch_id)
      if (first === undefined) continue
      stored++
      lags.push(Math.max(0, row.t - first))
    }
    lags.sort((a, b) => a - b)
    const pct = (p: number) => (lags.length ? Math.round(lags[Math.min(lags.length - 1, Math.floor(lags.length * p))]!) : 0)
    const samples = (await admin.query<{ rows: number; distinct_rows: number }>(`select count(*)::int as rows, (select count(*)::int from (select distinct device_id, metric, instance, time from ${SCHEMA}.metric_sample) d) as distinct_rows from ${SCHEMA}.metric_sample`)).rows[0]!
    const batchRows = (await admin.query<{ n: number }>(`select count(*)::int as n from ${SCHEMA}.ingested_batch`)).rows[0]!.n
    // Distinct bad batches refused (a redelivered one may be recorded twice; it is still one batch).
    const rejected = (await admin.query<{ n: number }>(`select count(distinct convert_from(payload, 'UTF8')::jsonb->>'batchId')::int as n from ${SCHEMA}.rejected_message where code = 'clock'`)).rows[0]!.n
    const lost = sentAt.size - stored
    const duplicated = samples.rows - samples.distinct_rows + Math.max(0, stored - sentAt.size)
    const rssStart = rssSamples[0]!.mb
    const rssEnd = rssSamples.at(-1)!.mb

    console.log('\nfaults')
    for (const f of faults) console.log(`  at ${(f.at / 1000).toFixed(0).padStart(5)} s  ${f.what.padEnd(30)} ${(f.outageMs / 1000).toFixed(1)} s`)
    console.log('collector RSS (MB) over the run')
    console.log('  ' + rssSamples.map((s) => `${(s.at / 1000).toFixed(0)}s:${s.mb}${s.note ? `(${s.note})` : ''}`).join('  '))
    const table: [string, string | number][] = [
      ['agents (device ids)', AGENTS],
      ['MQTT connections', CONNECTIONS],
      ['collector ingest', SHARE ? 'MQTT 5 shared subscription, 2 connections (--share)' : 'one plain persistent subscription (as deploy/ by default)'],
      ['minutes', MINUTES],
      ['batches sent (acknowledged by the broker)', counters.sent],
      ['readings sent', counters.sent * POINTS],
      ['bad batches sent (future, no sentAt)', counters.sentBad],
      ['publish attempts (incl. retries)', counters.attempts],
      ['batches stored', stored],
      ['batches in ingested_batch (all)', batchRows],
      ['readings stored', samples.rows],
      ['rejected (clock, in rejected_message)', rejected],
      ['lost (sent, not stored)', lost],
      ['duplicated readings', duplicated],
      ['ingest lag p50 / p99 / max (ms)', `${pct(0.5)} / ${pct(0.99)} / ${lags.length ? Math.round(lags.at(-1)!) : 0}`],
      ['collector RSS start / end (MB)', `${rssStart} / ${rssEnd}`],
      ['machine', `${os.cpus().length} cores; broker, PostgreSQL, collector and agents share it`],
    ]
    console.log('')
    for (const [k, v] of table) console.log(`${k.padEnd(44)} ${v}`)
    if (lost !== 0 || duplicated !== 0 || rejected !== counters.sentBad) {
      exitCode = 1
      console.log(`\nFAILED: lost ${lost}, duplicated ${duplicated}, rejected ${rejected} of ${counters.sentBad} bad`)
      // When the lost batches were first sent, by second of the run: points at the fault that lost them.
      const storedSet = new Set(received.rows.map((r) => r.batch_id))
      const bySecond = new Map<number, number>()
      for (const [id, first] of sentAt) if (!storedSet.has(id)) bySecond.set(Math.floor((first - t0) / 1000), (bySecond.get(Math.floor((first - t0) / 1000)) ?? 0) + 1)
      console.log(`lost batches by second first sent: ${[...bySecond].sort((a, b) => a[0] - b[0]).map(([sec, n]) => `${sec}s:${n}`).join(' ')}`)
      console.log(collector.tail())
    }
    console.log(
      JSON.stringify({ bench: 'soak', agents: AGENTS, sent: counters.sent, stored, rejected, lost, duplicated, p99_lag_ms: pct(0.99), rss_start_mb: rssStart, rss_end_mb: rssEnd }),
    )
  } finally {
    await admin.end()
  }
} finally {
  clearInterval(timer)
  clearInterval(rssTimer)
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
  await collector.close()
  await broker.close()
  await db.close()
}
process.exit(exitCode)
