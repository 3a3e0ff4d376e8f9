/**
 * Why deploy/mosquitto sizes the broker's queues: a subscriber with a persistent session (the
 * collector) that is away while a publisher keeps sending QoS 1. With Mosquitto's default
 * `max_queued_messages` (1000) the broker silently drops what does not fit, QoS 1 or not: the
 * control below shows the loss. With the queue settings of deploy/mosquitto/mosquitto.conf (read
 * from that file, so the test follows it), every message is kept and delivered on reconnect.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { mosquittoPeer } from '../support/mosquitto.js'
import { freePort, REPO_ROOT, tcpReachable, waitFor } from '../support/peers.js'

const peer = mosquittoPeer()
const MESSAGES = 5000
const QUEUE_KEYS = /^(max_queued_messages|max_queued_bytes|max_inflight_messages|max_inflight_bytes)\s/

/** The queue lines of the deployed broker configuration. */
function deployQueueSettings(): string[] {
  const lines = readFileSync(path.join(REPO_ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8').split('\n').map((l) => l.trim())
  return lines.filter((l) => QUEUE_KEYS.test(l))
}

const running: { child: ChildProcess; dir: string }[] = []

async function startBroker(extra: string[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-queue-'))
  const port = await freePort()
  const user = process.getuid?.() === 0 ? ['user root'] : []
  writeFileSync(path.join(dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ...user, ...extra, ''].join('\n'))
  const child = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
  running.push({ child, dir })
  await waitFor(() => tcpReachable('127.0.0.1', port, 200), { timeoutMs: 10_000, intervalMs: 50, what: `mosquitto on ${port}` })
  return `mqtt://127.0.0.1:${port}`
}

/** Publishes MESSAGES QoS 1 messages as fast as the broker acknowledges them, to a subscriber that is away; returns how many it gets back. */
async function deliveredToAwaySubscriber(url: string): Promise<number> {
  const topic = `queue/${process.pid}/${Date.now()}`
  const clientId = `away-${process.pid}-${Date.now()}`
  const sub = await mqtt.connectAsync(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0 })
  await sub.subscribeAsync(topic, { qos: 1 })
  await sub.endAsync()

  const pub = await mqtt.connectAsync(url, { clientId: `${clientId}-pub`, clean: true, protocolVersion: 4, reconnectPeriod: 0 })
  // Saturated: every publish in flight at once, the broker acknowledges each as it takes it.
  await Promise.all(Array.from({ length: MESSAGES }, (_, i) => pub.publishAsync(topic, String(i), { qos: 1 })))
  await pub.endAsync()

  const seen = new Set<string>()
  // The listener goes on before the connection: the queue floods in right after the CONNACK.
  const back = mqtt.connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 0 })
  back.on('message', (_t, payload) => seen.add(payload.toString()))
  back.on('error', () => undefined)
  // Everything the broker kept arrives at once on reconnect; settle when nothing new comes for a while.
  let last = -1
  let stableSince = Date.now()
  await waitFor(
    () => {
      if (seen.size !== last) {
        last = seen.size
        stableSince = Date.now()
      }
      return seen.size === MESSAGES || Date.now() - stableSince > 1500
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'the queued messages' },
  )
  await back.endAsync()
  return seen.size
}

describe.skipIf(!peer.available)('broker queue sizing for an away persistent subscriber (private Mosquittos)', () => {
  afterAll(async () => {
    for (const { child, dir } of running) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('control: Mosquitto defaults drop QoS 1 messages beyond the default queue', async () => {
    const received = await deliveredToAwaySubscriber(await startBroker([]))
    expect(received).toBeLessThan(MESSAGES)
    expect(received).toBeGreaterThan(0)
  })

  it('deploy/mosquitto queue sizing keeps and delivers every one', async () => {
    const settings = deployQueueSettings()
    expect(settings.some((l) => l.startsWith('max_queued_messages'))).toBe(true)
    const received = await deliveredToAwaySubscriber(await startBroker(settings))
    expect(received).toBe(MESSAGES)
  })
})
