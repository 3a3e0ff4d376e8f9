/**
 * Real collector processes sharing one ingest: each `node --import tsx collector/src/main.ts`
 * with its own HTTP port and MQTT client id, the same MQTT 5 share group, database schema and
 * topic prefix. Used by the scale-out tests and `pnpm bench:scale`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { buildTopic } from '@patrol/shared'
import { freePort, REPO_ROOT, waitFor } from '../support/peers.js'

export interface ClusterOptions {
  databaseUrl: string
  schema: string
  mqttUrl: string
  topicPrefix: string
  shareGroup: string
  /** Subscriber connections per collector (each joins the share group). */
  connections?: number
  logLevel?: string
}

export class CollectorProcess {
  private child: ChildProcess | undefined
  private output = ''
  port = 0

  constructor(
    readonly name: string,
    private readonly options: ClusterOptions,
    private readonly dataDir: string,
  ) {}

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null)
  }

  /** Last lines the process printed, for failure messages. */
  tail(): string {
    return this.output.split('\n').slice(-15).join('\n')
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`collector ${this.name} is already running`)
    this.port = await freePort()
    const o = this.options
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: o.databaseUrl,
      MQTT_URL: o.mqttUrl,
      PORT: String(this.port),
      PATROL_HOST: '127.0.0.1',
      PATROL_DATABASE_SCHEMA: o.schema,
      PATROL_TOPIC_PREFIX: o.topicPrefix,
      // Stable per collector, so a restarted one resumes its persistent session and gets what
      // the broker kept for it (including what it had received but not acknowledged).
      PATROL_INGEST_CLIENT_ID: `${o.shareGroup}-${this.name}`,
      PATROL_INGEST_SHARE_GROUP: o.shareGroup,
      PATROL_INGEST_CONNECTIONS: String(o.connections ?? 2),
      PATROL_MQTT_PROTOCOL_VERSION: '5',
      PATROL_DATA_DIR: this.dataDir,
      PATROL_LOG_LEVEL: o.logLevel ?? 'warn',
      PATROL_MAINTENANCE_INTERVAL_S: '3600',
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'collector/src/main.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`collector ${this.name} exited with ${child.exitCode}: ${this.tail()}`)
        return (await this.health().catch(() => undefined))?.status === 'ok'
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `collector ${this.name} healthy on port ${this.port}`, onTimeout: () => this.tail() },
    )
  }

  async health(): Promise<{ status: string; ingest: { storedMessages: number; storedPoints: number; duplicates: number } }> {
    const response = await fetch(`http://127.0.0.1:${this.port}/api/health`, { signal: AbortSignal.timeout(2000) })
    return (await response.json()) as never
  }

  /** SIGKILL: no goodbye to the broker, no flush; whatever was unacknowledged is redelivered. */
  async kill(): Promise<void> {
    await this.stop('SIGKILL')
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }
}

export class Cluster {
  readonly collectors: CollectorProcess[] = []
  private dirs: string[] = []

  constructor(private readonly options: ClusterOptions) {}

  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-scale-'))
      this.dirs.push(dir)
      this.collectors.push(new CollectorProcess(`c${i + 1}`, this.options, dir))
    }
    // One at a time: they would also cope together (migrations take an advisory lock), but
    // starting in parallel on two cores only slows each start.
    for (const c of this.collectors) await c.start()
  }

  async close(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.stop('SIGKILL')))
    for (const dir of this.dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  }
}

export interface Batch {
  topic: string
  payload: Buffer
}

/**
 * `count` metrics batches of `points` readings each, every reading distinct (device, metric, time).
 * With `faultPercent`, each batch also carries `fs.used_percent` of "/" at that level (one more
 * reading per batch): a fault the rule engine turns into one ticket per device.
 */
export function makeBatches(count: number, points: number, topicPrefix: string, devices = 50, faultPercent?: number): Batch[] {
  const base = Date.now() - 3_600_000
  return Array.from({ length: count }, (_, b) => {
    const device = `scale-${b % devices}`
    const ts = base + Math.floor(b / devices) * 1000
    const message = {
      v: 1,
      kind: 'metrics',
      batchId: randomUUID(),
      deviceId: device,
      sentAt: Date.now(),
      points: [
        ...Array.from({ length: points }, (_, i) => ({ ts, metric: `scale.metric_${i % 10}`, instance: `i${Math.floor(i / 10)}`, value: b + i / 100 })),
        ...(faultPercent === undefined ? [] : [{ ts, metric: 'fs.used_percent', instance: '/', value: faultPercent }]),
      ],
    }
    return { topic: buildTopic({ customer: 'scale', site: 'lab', device, kind: 'metrics' }, topicPrefix), payload: Buffer.from(JSON.stringify(message)) }
  })
}

export async function connectPublisher(url: string): Promise<MqttClient> {
  return mqtt.connectAsync(url, { protocolVersion: 5, clientId: `scale-pub-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0 })
}

/**
 * Publishes at QoS 1 with up to `inFlight` unacknowledged; resolves when the broker has
 * acknowledged every one (PUBACK), i.e. each is the broker's to deliver.
 */
export async function publishAll(client: MqttClient, batches: Batch[], inFlight = 100, onAcked?: (n: number) => void): Promise<void> {
  let next = 0
  let acked = 0
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!
      await client.publishAsync(batch.topic, batch.payload, { qos: 1 })
      onAcked?.(++acked)
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, batches.length) }, worker))
}
