/**
 * The agent's main loop: run the collectors that are due, publish one metrics batch per cycle,
 * events as they happen, and the inventory when it changed (or once a day). A collector that
 * fails is recorded in the batch and never stops the others; cycles never overlap.
 */
import type { Poller } from './snmp/index.js'
import { createHash, randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from 'pino'
import type { AgentConfigMessage, DeviceEvent, Inventory, MetricBatch, MetricPoint } from '@patrol/shared'
import type { AgentConfig } from './config.js'
import { COLLECTORS } from './collectors/index.js'
import { NotApplicable, type Collector, type CollectorSettings } from './collectors/collector.js'
import { resolveCredentials } from './enroll.js'
import { resolveIdentity, type Identity } from './identity.js'
import { createLogger } from './logger.js'
import { Spool } from './spool/spool.js'
import { DiskStore } from './spool/store.js'
import { Forwarder } from './transport/forwarder.js'
import { Publisher } from './transport/publisher.js'
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
  /** Per-collector period set by configuration (inventory, smart), over the collector's default. */
  private readonly periods = new Map<string, number>()

  constructor(
    private readonly deviceId: string,
    private readonly collectors: readonly Collector[],
    private settings: CollectorSettings,
  ) {}

  updateSettings(settings: Partial<CollectorSettings>): void {
    this.settings = { ...this.settings, ...settings }
  }

  /** Runs `name` every `seconds` from now on (remote configuration: inventory and SMART periods). */
  setPeriod(name: string, seconds: number): void {
    this.periods.set(name, seconds)
  }

  private due(collector: Collector, now: number): boolean {
    const seconds = this.periods.get(collector.name) ?? (collector.every === 'cycle' ? undefined : collector.every.seconds)
    if (seconds === undefined) return true
    const last = this.lastRun.get(collector.name)
    // Half a second of slack so a period equal to the interval does not skip a cycle on timer jitter.
    return last === undefined || now - last >= seconds * 1000 - 500
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
  forwarder: Forwarder
  /** Runs one cycle now and spools it; resolves when the broker has acknowledged all of it. */
  cycle(): Promise<CycleResult>
  /** The settings in force, after remote configuration. */
  settings(): { intervalS: number; inventoryIntervalS: number; smartIntervalS: number; watchedServices: string[] }
  stop(): Promise<void>
}

export interface StartAgentOptions {
  logger?: Logger
  collectors?: readonly Collector[]
  /** Wait this long before the first cycle; by default a little jitter so a fleet does not start in step. */
  firstCycleDelayMs?: number
  /** Cycle period in ms, overriding intervalS; lets tests run cycles faster than the 5 s minimum. */
  intervalMsOverride?: number
}

/** Collector names whose period remote configuration sets. */
const PERIODIC = { inventory: 'inventoryIntervalS', smart: 'smartIntervalS' } as const

export async function startAgent(config: AgentConfig, options: StartAgentOptions = {}): Promise<RunningAgent> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const resolved = await resolveIdentity(config.dataDir, config.deviceId)
  const credentials = await resolveCredentials(config, resolved.deviceId, logger)
  // The collector binds enrolled credentials to the id it assigned; that id wins.
  const identity: Identity = credentials.deviceId && !config.deviceId ? { ...resolved, deviceId: credentials.deviceId } : resolved
  // Enrolled credentials are bound to the token's customer and site: report under those.
  const customer = credentials.customer ?? config.customer
  const site = credentials.site ?? config.site
  if (customer !== config.customer || site !== config.site) logger.warn({ configured: `${config.customer}/${config.site}`, enrolled: `${customer}/${site}` }, 'enrolled into another customer/site than configured; reporting under the enrolled one')
  logger.info({ deviceId: identity.deviceId, idSource: identity.source, customer, site }, 'agent starting')
  const settings = {
    intervalS: config.intervalS,
    inventoryIntervalS: config.inventoryIntervalS,
    smartIntervalS: config.smartIntervalS,
    watchedServices: config.watchedServices,
  }
  const spool = await Spool.open(new DiskStore(path.join(config.dataDir, 'spool')), {
    maxBytes: config.spoolMaxBytes,
    onStoreError: (error) => logger.error({ err: error.message }, 'offline queue cannot write to disk; keeping readings in memory until it can'),
  })
  if (spool.count) logger.info({ messages: spool.count, bytes: spool.bytes }, 'offline queue holds messages from before; sending them first')
  const publisher = new Publisher({
    url: config.mqttUrl,
    username: credentials.mqttUsername,
    password: credentials.mqttPassword,
    caFile: config.caFile,
    protocolVersion: config.protocolVersion,
    topicPrefix: config.topicPrefix,
    customer,
    site,
    deviceId: identity.deviceId,
    hostname: identity.hostname || os.hostname(),
    intervalS: settings.intervalS,
    producer: { name: 'patrol-agent', version: AGENT_VERSION },
    role: 'agent',
    logger,
  })
  const forwarder = new Forwarder({ spool, publisher, deviceId: identity.deviceId, logger })
  const runner = new CycleRunner(identity.deviceId, options.collectors ?? COLLECTORS, { watchedServices: settings.watchedServices })
  runner.setPeriod('inventory', settings.inventoryIntervalS)
  runner.setPeriod('smart', settings.smartIntervalS)
  let lastInventory: { hash: string; sentAt: number } | undefined
  let timer: NodeJS.Timeout | undefined
  let lastCycleStart = 0
  let stopped = false

  /** Collects and spools the messages; returns once spooled, `delivered` settles on the acks. */
  const spoolCycle = async (): Promise<CycleResult & { delivered: Promise<void> }> => {
    const result = await runner.run()
    const failed = result.batch.collectors?.filter((c) => !c.ok) ?? []
    if (failed.length) logger.warn({ failed }, 'some collectors failed this cycle')
    const sent = [forwarder.send('metrics', result.batch)]
    if (result.events.length) {
      sent.push(forwarder.send('event', { v: 1, kind: 'event', batchId: randomUUID(), deviceId: identity.deviceId, events: result.events }))
    }
    if (result.inventory) {
      const hash = inventoryHash(result.inventory)
      const now = Date.now()
      if (!lastInventory || lastInventory.hash !== hash || now - lastInventory.sentAt >= config.inventoryMaxAgeS * 1000) {
        const inventory = { ...result.inventory, agent: { ...result.inventory.agent, version: AGENT_VERSION } }
        const message = forwarder.send('inventory', { v: 1, kind: 'inventory', batchId: randomUUID(), deviceId: identity.deviceId, collectedAt: now, inventory })
        // Spooled is as good as sent: it will reach the collector, so do not queue it again every hour.
        sent.push({ ...message, stored: message.stored.then(() => void (lastInventory = { hash, sentAt: now })) })
      }
    }
    await Promise.all(sent.map((s) => s.stored))
    const delivered = Promise.all(sent.map((s) => s.delivered)).then(() => undefined)
    delivered.catch(() => undefined) // the timer loop does not wait for delivery; only cycle() does
    return { ...result, delivered }
  }

  let running: Promise<CycleResult & { delivered: Promise<void> }> | undefined
  const collect = () => {
    if (running) return running
    running = spoolCycle().finally(() => {
      running = undefined
    })
    return running
  }

  const cycle = async (): Promise<CycleResult> => {
    const result = await collect()
    await result.delivered
    return result
  }

  const periodMs = () => options.intervalMsOverride ?? settings.intervalS * 1000

  const schedule = (delayMs: number) => {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      lastCycleStart = Date.now()
      // The next cycle waits for collection only, never for delivery: while the broker is away,
      // readings keep being taken and wait in the offline queue.
      collect()
        .catch((error: Error) => logger.warn({ err: error.message }, 'cycle failed'))
        .finally(() => schedule(Math.max(0, periodMs() - (Date.now() - lastCycleStart))))
    }, delayMs)
  }

  publisher.onConfig((message) => applyRemoteConfig(message))

  // The poller role: SNMP and ping of the site's printers, switches and UPSs, through the same
  // offline queue as the agent's own readings. Loaded only when there are targets.
  let poller: Poller | undefined
  let pollerStarting: Promise<void> | undefined
  const applyPoller = async (wanted: AgentConfig['poller']) => {
    await pollerStarting
    if (!wanted?.targets.length) {
      if (poller) logger.info('poller role off: no targets')
      await poller?.stop()
      poller = undefined
      return
    }
    if (poller) {
      poller.setTargets(wanted.targets)
      return
    }
    const { createPoller } = await import('./snmp/index.js')
    poller = createPoller({
      targets: wanted.targets,
      deviceId: identity.deviceId,
      customer,
      site,
      producer: { name: 'patrol-agent', version: AGENT_VERSION },
      intervalS: wanted.intervalS,
      concurrency: wanted.concurrency,
      logger,
      publish: (kind, message) => forwarder.send(kind, message as never).stored,
    })
    poller.start()
    logger.info({ targets: wanted.targets.length }, 'poller role on')
  }
  const setPoller = (wanted: AgentConfig['poller']) => {
    pollerStarting = applyPoller(wanted).catch((error: Error) => logger.error({ err: error.message }, 'could not start the poller'))
  }
  setPoller(config.poller)

  function applyRemoteConfig(message: AgentConfigMessage): void {
    const changed: Record<string, unknown> = {}
    if (message.intervalS && message.intervalS !== settings.intervalS) {
      settings.intervalS = changed.intervalS = message.intervalS
      publisher.setIntervalS(message.intervalS)
      // A long wait for the old interval must not delay the new one: re-plan from the last cycle.
      if (!running) schedule(Math.max(0, periodMs() - (Date.now() - lastCycleStart)))
    }
    for (const [collector, key] of Object.entries(PERIODIC)) {
      const seconds = message[key]
      if (seconds && seconds !== settings[key]) {
        settings[key] = changed[key] = seconds
        runner.setPeriod(collector, seconds)
      }
    }
    if (message.watchedServices && message.watchedServices.join('\n') !== settings.watchedServices.join('\n')) {
      settings.watchedServices = changed.watchedServices = message.watchedServices
      runner.updateSettings({ watchedServices: message.watchedServices })
    }
    if (message.poller) {
      changed.pollerTargets = message.poller.targets.length
      setPoller(message.poller)
    }
    if (Object.keys(changed).length) logger.info({ changed }, 'configuration changed by the collector')
  }

  schedule(options.firstCycleDelayMs ?? Math.round(Math.random() * Math.min(5000, periodMs() / 4)))

  return {
    identity,
    publisher,
    forwarder,
    cycle,
    settings: () => ({ ...settings, watchedServices: [...settings.watchedServices] }),
    async stop() {
      stopped = true
      clearTimeout(timer)
      // Let a cycle being collected reach the spool, so a reading taken is a reading kept; but
      // never wait on a hung collector longer than a service manager waits for a stop.
      await Promise.race([running?.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())])
      await pollerStarting
      await poller?.stop()
      await forwarder.stop()
      await publisher.stop()
      logger.info({ queued: spool.count }, 'agent stopped')
    },
  }
}
