import { randomUUID } from 'node:crypto'
import type { PingMessage, PingResult, SnmpMessage, SnmpResult } from '@patrol/shared'
import { LIMITS } from '@patrol/shared'
import pino from 'pino'
import { pingHost, type PingOptions } from '../ping/ping.js'
import { createLimiter } from './limit.js'
import { pollDevice, type DeviceState } from './poll.js'
import { targetId, type SnmpTarget } from './targets.js'


export interface PollerOptions {
  targets: SnmpTarget[]
  publish: (kind: 'snmp' | 'ping', message: SnmpMessage | PingMessage) => Promise<void>
  /** The poller's own identity (the agent running it), put in every message's envelope. */
  deviceId: string
  /** Where the poller sits; not in the payload (the topic carries them), kept for the runtime's logs. */
  customer?: string
  site?: string
  producer?: { name: string; version: string }
  /** Devices polled at the same time. */
  concurrency?: number
  /** Default seconds between polls of a device (a target's `intervalS` wins). */
  intervalS?: number
  /** Results gathered into one message at most this long before it is published. */
  flushMs?: number
  ping?: PingOptions
  /** pino by default; anything with these three methods will do (tests pass a silent one). */
  logger?: PollerLogger
  now?: () => number
}

/** Half the collector's payload limit: room for the envelope and for estimates that run short. */
const MAX_MESSAGE_BYTES = LIMITS.maxPayloadBytes / 2

/** Splits results into messages within the contract's item and size limits. */
export function chunks<T>(results: T[]): T[][] {
  const out: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const result of results) {
    const size = JSON.stringify(result).length
    if (current.length > 0 && (bytes + size > MAX_MESSAGE_BYTES || current.length >= LIMITS.maxArrayItems)) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(result)
    bytes += size
  }
  if (current.length > 0) out.push(current)
  return out
}

export interface PollerLogger {
  info(fields: object, message?: string): void
  warn(fields: object, message?: string): void
  error(fields: object, message?: string): void
}

export interface Poller {
  /** Starts the per-device schedules (spread over the interval so the load is even). */
  start(): void
  /** Stops scheduling, waits for polls under way, publishes what is left. */
  stop(): Promise<void>
  /** Polls every target now, once, and publishes; resolves with the results. */
  pollAll(): Promise<{ snmp: SnmpResult[]; ping: PingResult[] }>
  /** Replaces the target list (configuration pushed from the collector); state of kept targets stays. */
  setTargets(targets: SnmpTarget[]): void
}

interface Scheduled {
  target: SnmpTarget
  id: string
  dueAt: number
  running: boolean
  state: DeviceState
  lastStatus?: string
  /** The poll under way, so a scheduled poll and pollAll() never poll one device twice at once. */
  current?: Promise<{ snmp?: SnmpResult; ping?: PingResult }>
}

/**
 * Polls SNMP targets (and pings them) on per-device schedules with a concurrency limit, and
 * publishes results in batches through `publish`. One device that times out holds one slot for
 * its timeout × retries and nothing else: the others keep their schedule.
 */
export function createPoller(options: PollerOptions): Poller {
  const concurrency = options.concurrency ?? 32
  const defaultInterval = options.intervalS ?? 60
  const flushMs = options.flushMs ?? 1000
  const now = options.now ?? Date.now
  const log: PollerLogger = options.logger ?? pino({ name: 'snmp-poller', level: process.env.PATROL_LOG_LEVEL ?? 'info' }).child({ customer: options.customer, site: options.site })
  const limit = createLimiter(concurrency)
  const devices = new Map<string, Scheduled>()
  let snmpBatch: SnmpResult[] = []
  let pingBatch: PingResult[] = []
  let flushTimer: NodeJS.Timeout | undefined
  let tickTimer: NodeJS.Timeout | undefined
  let running = false
  const inFlight = new Set<Promise<unknown>>()

  const envelope = () => {
    const base: { v: 1; batchId: string; deviceId: string; sentAt: number; producer?: { name: string; version: string } } = {
      v: 1,
      batchId: randomUUID(),
      deviceId: options.deviceId,
      sentAt: now(),
    }
    if (options.producer) base.producer = options.producer
    return base
  }

  async function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = undefined
    const snmp = snmpBatch
    const pings = pingBatch
    snmpBatch = []
    pingBatch = []
    const sends: Promise<void>[] = []
    for (const results of chunks(snmp)) sends.push(options.publish('snmp', { ...envelope(), kind: 'snmp', results }))
    for (const results of chunks(pings)) sends.push(options.publish('ping', { ...envelope(), kind: 'ping', results }))
    const outcomes = await Promise.allSettled(sends)
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') log.warn({ err: outcome.reason }, 'publishing poll results failed')
    }
  }

  function scheduleFlush(): void {
    // Keep messages under the collector's limits: a full batch goes at once.
    if (snmpBatch.length >= 200 || pingBatch.length >= 500) {
      void flush()
      return
    }
    flushTimer ??= setTimeout(() => void flush(), flushMs)
  }

  function pollOne(device: Scheduled): Promise<{ snmp?: SnmpResult; ping?: PingResult }> {
    device.current ??= pollNow(device).finally(() => {
      device.current = undefined
    })
    return device.current
  }

  async function pollNow(device: Scheduled): Promise<{ snmp?: SnmpResult; ping?: PingResult }> {
    const { target } = device
    const jobs: [Promise<SnmpResult | undefined>, Promise<PingResult | undefined>] = [
      target.snmp === false
        ? Promise.resolve(undefined)
        : pollDevice(target, { state: device.state, now }).then(({ result, state }) => {
            device.state = state
            return result
          }),
      target.ping === false ? Promise.resolve(undefined) : pingHost(device.id, target.host, { ...options.ping, now }),
    ]
    const [snmp, ping] = await Promise.all(jobs)
    if (snmp && snmp.status !== device.lastStatus) {
      // Logged on change only: a device that stays down is one line, not one per minute.
      log.info({ target: device.id, host: target.host, status: snmp.status, error: snmp.error, profile: snmp.profile }, 'SNMP device status changed')
      device.lastStatus = snmp.status
    }
    if (snmp) snmpBatch.push(snmp)
    if (ping) pingBatch.push(ping)
    if (snmp || ping) scheduleFlush()
    const out: { snmp?: SnmpResult; ping?: PingResult } = {}
    if (snmp) out.snmp = snmp
    if (ping) out.ping = ping
    return out
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise)
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined)
    return promise
  }

  function tick(): void {
    tickTimer = undefined
    if (!running) return
    const t = now()
    let nextDue = Infinity
    for (const device of devices.values()) {
      if (!device.running && device.dueAt <= t) {
        device.running = true
        // The next slot counts from the planned time, not the finish, so schedules do not drift.
        device.dueAt += (device.target.intervalS ?? defaultInterval) * 1000
        if (device.dueAt <= t) device.dueAt = t + (device.target.intervalS ?? defaultInterval) * 1000
        void track(
          limit(() => pollOne(device))
            .catch((error: unknown) => log.error({ err: error, target: device.id }, 'poll failed unexpectedly'))
            .finally(() => {
              device.running = false
            }),
        )
      }
      if (!device.running || device.dueAt > t) nextDue = Math.min(nextDue, device.dueAt)
    }
    const wait = Number.isFinite(nextDue) ? Math.max(50, Math.min(nextDue - now(), 1000)) : 1000
    tickTimer = setTimeout(tick, wait)
  }

  function setTargets(targets: SnmpTarget[]): void {
    const seen = new Set<string>()
    const t = now()
    targets.forEach((target, i) => {
      const id = targetId(target)
      seen.add(id)
      const existing = devices.get(id)
      if (existing) {
        existing.target = target
        return
      }
      const interval = (target.intervalS ?? defaultInterval) * 1000
      // Spread first polls over one interval so 1,000 devices do not all start in the same second.
      devices.set(id, { target, id, dueAt: t + Math.floor((i / Math.max(1, targets.length)) * interval), running: false, state: {} })
    })
    for (const id of devices.keys()) if (!seen.has(id)) devices.delete(id)
  }

  setTargets(options.targets)

  return {
    start() {
      if (running) return
      running = true
      log.info({ targets: devices.size, concurrency }, 'SNMP poller started')
      tick()
    },
    async stop() {
      running = false
      if (tickTimer) clearTimeout(tickTimer)
      tickTimer = undefined
      await Promise.allSettled([...inFlight])
      await flush()
      log.info({ targets: devices.size }, 'SNMP poller stopped')
    },
    async pollAll() {
      const outcomes = await Promise.all([...devices.values()].map((device) => track(limit(() => pollOne(device)))))
      await flush()
      return {
        snmp: outcomes.flatMap((o) => (o.snmp ? [o.snmp] : [])),
        ping: outcomes.flatMap((o) => (o.ping ? [o.ping] : [])),
      }
    },
    setTargets,
  }
}
