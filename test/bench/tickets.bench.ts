/**
 * pnpm bench:tickets [--devices 10000] [--faults 1000] [--rate 500] [--broker embedded|mosquitto]
 *
 * Faults to tickets through the whole collector: DEVICES simulated devices report healthy
 * readings over MQTT (the collector's embedded broker by default, or Mosquitto at MQTT_URL) into
 * the PostgreSQL at DATABASE_URL (default the local one); then FAULTS of them report a full disk,
 * RATE messages per second. Measured:
 * - fault-to-ticket latency, from the publish to the ticket being visible in the database
 *   (committed; polled every 10 ms, so up to 10 ms is the poll's), p50 and p99;
 * - the rule engine's evaluations per second (rules × devices) in a sweep over every device.
 * The last line is JSON: {"bench":"tickets","devices",…,"p50_ms","p99_ms","evals_per_s"}.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import pg from 'pg'
import pino from 'pino'
import { buildTopic } from '@patrol/shared'
import { loadCollectorConfig, startCollector } from '../../collector/src/index.js'
import { RULES } from '../../collector/src/rules/index.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? String(args[i + 1]) : fallback
}
const DEVICES = Number(arg('devices', '10000'))
const FAULTS = Number(arg('faults', '1000'))
const RATE = Number(arg('rate', '500'))
const BROKER = arg('broker', 'embedded')
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883'

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main() {
  const schema = `bench_tickets_${Date.now().toString(36)}`
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-bench-tickets-'))
  const prefix = `bench/${schema}`
  const config = loadCollectorConfig({
    env: {},
    overrides: {
      dataDir,
      port: 0,
      logLevel: 'warn',
      databaseUrl: DATABASE_URL,
      databaseSchema: schema,
      topicPrefix: prefix,
      maintenanceIntervalS: 3600,
      ...(BROKER === 'mosquitto' ? { mqttUrl: MQTT_URL, ingestClientId: `bench-${schema}` } : { embeddedMqttPort: 0 }),
    },
  })
  const collector = await startCollector({ ...config, explicit: { port: false, mqttPort: false } }, pino({ level: 'warn' }))
  const admin = new pg.Pool({ connectionString: DATABASE_URL, options: `-c search_path=${schema}`, max: 2 })
  // The embedded broker admits only credentials: the bench publishes for many devices, as a service account.
  const login = collector.brokerAccess?.issueInternal('bench', { role: 'service' })
  const publisher = mqtt.connect(collector.mqttUrl, { clientId: `bench-pub-${randomUUID().slice(0, 8)}`, protocolVersion: 4, ...login })
  // Without TCP_NODELAY every hop waits for Nagle's algorithm (about 30 ms at this rate).
  publisher.on('connect', () => (publisher.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true))
  await new Promise<void>((resolve, reject) => {
    publisher.once('connect', () => resolve())
    publisher.once('error', reject)
  })
  const devices = Array.from({ length: DEVICES }, (_, i) => `bench-${String(i).padStart(5, '0')}`)
  const publish = (device: string, value: number) => {
    const points = [
      { ts: Date.now(), metric: 'fs.used_percent', instance: '/', value },
      { ts: Date.now(), metric: 'cpu.load_percent', value: 12 },
      { ts: Date.now(), metric: 'mem.used_percent', value: 40 },
    ]
    const payload = JSON.stringify({ v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: device, sentAt: Date.now(), points })
    return publisher.publishAsync(buildTopic({ customer: 'bench', site: `s${device.slice(-2)}`, device, kind: 'metrics' }, prefix), payload, { qos: 1 })
  }

  try {
    // 1. Every device reports once, healthy.
    let started = performance.now()
    // In batches: a broker queues a limited number of messages per subscriber (Mosquitto: 1000) and drops the rest.
    for (let i = 0; i < devices.length; i += 100) await Promise.all(devices.slice(i, i + 100).map((d) => publish(d, 40 + (i % 30))))
    for (const giveUp = performance.now() + 120_000; ; ) {
      const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from device')
      if (rows[0]!.n >= DEVICES) break
      if (performance.now() > giveUp) throw new Error(`only ${rows[0]!.n} of ${DEVICES} devices arrived within 120 s (broker ${BROKER}, ${collector.mqttUrl})`)
      await sleep(100)
    }
    await collector.tickets.engine.idle()
    console.log(`${DEVICES} devices reported in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    // 2. The rule engine over every device (what the periodic sweep does).
    const before = collector.tickets.engine.evaluations
    started = performance.now()
    for (let i = 0; i < devices.length; i += 500) await collector.tickets.engine.evaluate(devices.slice(i, i + 500), Date.now())
    const sweepS = (performance.now() - started) / 1000
    const evals = collector.tickets.engine.evaluations - before
    const evalsPerS = Math.round(evals / sweepS)
    console.log(`sweep: ${DEVICES} devices × ${RULES.length} rules in ${sweepS.toFixed(2)} s: ${evalsPerS} evaluations/s`)

    // 3. Faults, at a steady rate; latency from publish to committed ticket.
    const faulty = [...devices].sort(() => Math.random() - 0.5).slice(0, FAULTS)
    const publishedAt = new Map<string, number>()
    const seenAt = new Map<string, number>()
    let polling = true
    const poller = (async () => {
      while (polling) {
        const { rows } = await admin.query<{ device_id: string }>("select device_id from ticket where problem_key = 'fs-nearly-full:/'")
        const t = performance.now()
        for (const r of rows) if (!seenAt.has(r.device_id)) seenAt.set(r.device_id, t)
        await sleep(10)
      }
    })()
    started = performance.now()
    for (let i = 0; i < faulty.length; i++) {
      const due = started + (i * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      publishedAt.set(faulty[i]!, performance.now())
      void publish(faulty[i]!, 99)
    }
    const deadline = performance.now() + 60_000
    while (seenAt.size < FAULTS && performance.now() < deadline) await sleep(50)
    polling = false
    await poller
    const latencies = faulty.filter((d) => seenAt.has(d)).map((d) => seenAt.get(d)! - publishedAt.get(d)!).sort((a, b) => a - b)
    const { rows: count } = await admin.query<{ n: number }>('select count(*)::int as n from ticket')
    const { rows: dupes } = await admin.query<{ n: number }>("select count(*)::int as n from (select device_id from ticket where status in ('open','acknowledged','in_progress') group by device_id, problem_key having count(*) > 1) x")
    if (latencies.length < FAULTS) console.log(`only ${latencies.length} of ${FAULTS} faults became tickets within 60 s`)
    if (dupes[0]!.n) throw new Error(`${dupes[0]!.n} duplicate open tickets`)
    const p50 = percentile(latencies, 50)
    const p99 = percentile(latencies, 99)
    console.log(`faults → tickets: ${latencies.length}/${FAULTS}, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (broker: ${BROKER})`)
    console.log(JSON.stringify({ bench: 'tickets', devices: DEVICES, faults: FAULTS, tickets: count[0]!.n, p50_ms: Math.round(p50 * 10) / 10, p99_ms: Math.round(p99 * 10) / 10, evals_per_s: evalsPerS }))
  } finally {
    await publisher.endAsync().catch(() => undefined)
    await collector.close()
    await admin.query(`drop schema if exists ${schema} cascade`).catch(() => undefined)
    await admin.end()
    await rm(dataDir, { recursive: true, force: true })
  }
}

main().catch((error: Error) => {
  console.error(error)
  process.exit(1)
})
