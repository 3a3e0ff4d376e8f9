/**
 * The agent's main loop: run the collectors that are due, publish one metrics batch per cycle,
 * events as they happen, and the inventory when it changed (or once a day). A collector that
 * fails is recorded in the batch and never stops the others; cycles never overlap.
 */
import { createHash, randomUUID } from 'node:crypto'
import os from 'node:os'
import pino, { type Logger } from 'pino'
import type { DeviceEvent, Inventory, MetricBatch, MetricPoint } from '@patrol/shared'
import type { AgentConfig } from './config.js'
import { COLLECTORS } from './collectors/index.js'
import { NotApplicable, type Collector, type CollectorSettings } from './collectors/collector.js'
import { resolveIdentity, type Identity } from './identity.js'
import { Publisher, type Publish } from './transport/publisher.js'
import { AGENT_VERSION } from './version.js'

const COLLECTOR_TIMEOUT_MS = 30_000

export interface CycleResult {
  batch: MetricBatch
  events: DeviceEvent[]
  inventory: Inventory | undefined
}

/** Runs collectors and turns their output into contract messages. No I/O besides the collectors. */
export class CycleRunner {
  private readonly lastRun = new Map<string, number>()
  private readonly states = new Map<string, Map<string, unknown>>()

  constructor(
    private readonly deviceId: string,
    private readonly collectors: readonly Collector[],
    private settings: CollectorSettings,
  ) {}

  updateSettings(settings: Partial<CollectorSettings>): void {
    this.settings = { ...this.settings, ...settings }
  }

  private due(collector: Collector, now: number): boolean {
    if (collector.every === 'cycle') return true
    const last = this.lastRun.get(collector.name)
    return last === undefined || now - last >= collector.every.seconds * 1000 - 500
  }

  async run(now = Date.now(), options: { all?: boolean } = {}): Promise<CycleResult> {
    const due = this.collectors.filter((c) => options.all || this.due(c, now))
    const outcomes = await Promise.all(
      due.map(async (collector) => {
        const started = performance.now()
        let state = this.states.get(collector.name)
        if (!state) this.states.set(collector.name, (state = new Map()))
        try {
          const output = await withTimeout(collector.collect({ now, settings: this.settings, state }), COLLECTOR_TIMEOUT_MS, collector.name)
          this.lastRun.set(collector.name, now)
          return { collector, output, ok: true as const, durationMs: performance.now() - started }
        } catch (error) {
          this.lastRun.set(collector.name, now)
          const notApplicable = error instanceof NotApplicable
          return { collector, ok: notApplicable, notApplicable, error: (error as Error).message, durationMs: performance.now() - started }
        }
      }),
    )
    const points: MetricPoint[] = []
    const events: DeviceEvent[] = []
    let inventory: Inventory | undefined
    for (const outcome of outcomes) {
      const output = 'output' in outcome ? outcome.output : undefined
      if (!output) continue
      points.push(...(output.points ?? []))
      events.push(...(output.events ?? []))
      if (output.inventory) inventory = { ...(inventory ?? {}), ...output.inventory }
    }
    const batch: MetricBatch = {
      v: 1,
      kind: 'metrics',
      batchId: randomUUID(),
      deviceId: this.deviceId,
      points,
      collectors: outcomes.map((o) => ({
        name: o.collector.name,
        ok: o.ok,
        durationMs: Math.round(o.durationMs * 10) / 10,
        ...('error' in o && o.error ? { error: `${'notApplicable' in o && o.notApplicable ? 'not applicable: ' : ''}${o.error}`.slice(0, 1024) } : {}),
      })),
    }
    return { batch, events, inventory }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export function inventoryHash(inventory: Inventory): string {
  return createHash('sha256').update(JSON.stringify(inventory)).digest('hex')
}

export interface RunningAgent {
  identity: Identity
  publisher: Publisher
  /** Runs one cycle now and publishes it; resolves when the broker has acknowledged it. */
  cycle(): Promise<CycleResult>
  stop(): Promise<void>
}

export interface StartAgentOptions {
  logger?: Logger
  collectors?: readonly Collector[]
  /** Wait this long before the first cycle; by default a little jitter so a fleet does not start in step. */
  firstCycleDelayMs?: number
}

export async function startAgent(config: AgentConfig, options: StartAgentOptions = {}): Promise<RunningAgent> {
  const logger = options.logger ?? pino({ level: config.logLevel, name: 'agent' })
  const identity = await resolveIdentity(config.dataDir, config.deviceId)
  logger.info({ deviceId: identity.deviceId, idSource: identity.source, customer: config.customer, site: config.site }, 'agent starting')
  let intervalS = config.intervalS
  const publisher = new Publisher({
    url: config.mqttUrl,
    username: config.mqttUsername,
    password: config.mqttPassword,
    caFile: config.caFile,
    protocolVersion: config.protocolVersion,
    topicPrefix: config.topicPrefix,
    customer: config.customer,
    site: config.site,
    deviceId: identity.deviceId,
    hostname: identity.hostname || os.hostname(),
    intervalS,
    producer: { name: 'patrol-agent', version: AGENT_VERSION },
    role: 'agent',
    logger,
  })
  const runner = new CycleRunner(identity.deviceId, options.collectors ?? COLLECTORS, { watchedServices: config.watchedServices })
  let lastInventory: { hash: string; sentAt: number } | undefined
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  /** Collects, hands the messages to MQTT, and returns once collected; `delivered` settles on the acks. */
  const publishCycle = async (publish: Publish): Promise<CycleResult & { delivered: Promise<void> }> => {
    const result = await runner.run()
    const failed = result.batch.collectors?.filter((c) => !c.ok) ?? []
    if (failed.length) logger.warn({ failed }, 'some collectors failed this cycle')
    const sends: Promise<void>[] = [publish('metrics', result.batch)]
    if (result.events.length) {
      sends.push(publish('event', { v: 1, kind: 'event', batchId: randomUUID(), deviceId: identity.deviceId, events: result.events }))
    }
    if (result.inventory) {
      const hash = inventoryHash(result.inventory)
      const now = Date.now()
      if (!lastInventory || lastInventory.hash !== hash || now - lastInventory.sentAt >= config.inventoryMaxAgeS * 1000) {
        const inventory = { ...result.inventory, agent: { ...result.inventory.agent, version: AGENT_VERSION } }
        sends.push(
          publish('inventory', { v: 1, kind: 'inventory', batchId: randomUUID(), deviceId: identity.deviceId, collectedAt: now, inventory }).then(() => {
            lastInventory = { hash, sentAt: now }
          }),
        )
      }
    }
    return { ...result, delivered: Promise.all(sends).then(() => undefined) }
  }

  let running: Promise<CycleResult & { delivered: Promise<void> }> | undefined
  const collect = () => {
    if (running) return running
    running = publishCycle(publisher.publish).finally(() => {
      running = undefined
    })
    return running
  }

  const cycle = async (): Promise<CycleResult> => {
    const result = await collect()
    await result.delivered
    return result
  }

  const schedule = (delayMs: number) => {
    if (stopped) return
    timer = setTimeout(() => {
      const started = Date.now()
      // The next cycle waits for collection only, never for delivery: while the broker is away,
      // readings keep being taken and wait in the outgoing queue.
      collect()
        .then((result) => {
          result.delivered.catch((error: Error) => logger.warn({ err: error.message }, 'cycle not delivered'))
        })
        .catch((error: Error) => logger.warn({ err: error.message }, 'cycle failed'))
        .finally(() => schedule(Math.max(0, intervalS * 1000 - (Date.now() - started))))
    }, delayMs)
  }

  publisher.onConfig((message) => {
    if (message.intervalS && message.intervalS !== intervalS) {
      intervalS = message.intervalS
      logger.info({ intervalS }, 'interval changed by the collector')
    }
    if (message.watchedServices) runner.updateSettings({ watchedServices: message.watchedServices })
  })

  schedule(options.firstCycleDelayMs ?? Math.round(Math.random() * Math.min(5000, (intervalS * 1000) / 4)))

  return {
    identity,
    publisher,
    cycle,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await publisher.stop()
      logger.info('agent stopped')
    },
  }
}
