/**
 * The offline queue survives a crash: the real agent process is killed with SIGKILL while the
 * broker is down (no clean shutdown, nothing flushed on the way out), started again, and once the
 * broker is back every message that was in the queue at the crash arrives, in queue order.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { mosquittoPeer, PrivateMosquitto } from '../../../test/support/mosquitto.js'
import { REPO_ROOT, waitFor } from '../../../test/support/peers.js'

const peer = mosquittoPeer()

interface Queued {
  seq: number
  batchId: string
  kind: string
}

function queued(spoolDir: string): Queued[] {
  let files: string[] = []
  try {
    files = readdirSync(spoolDir).filter((f) => f.endsWith('.msg'))
  } catch {
    return []
  }
  const entries: Queued[] = []
  for (const file of files.sort()) {
    try {
      const { kind, message } = JSON.parse(readFileSync(path.join(spoolDir, file), 'utf8')) as { kind: string; message: { batchId: string } }
      entries.push({ seq: Number(file.slice(0, 16)), batchId: message.batchId, kind })
    } catch {
      // removed between listing and reading
    }
  }
  return entries
}

describe.skipIf(!peer.available)('offline queue across an agent crash (SIGKILL)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-crash-'))
  const children: ChildProcess[] = []
  let broker: PrivateMosquitto | undefined
  let subscriber: MqttClient | undefined

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await subscriber?.endAsync(true)
    await broker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function startAgent(config: string): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'agent/src/main.ts'), 'run', '--config', config], { cwd: REPO_ROOT, stdio: 'ignore' })
    children.push(child)
    return child
  }

  it('delivers every message that was queued at the crash, in queue order, after a restart', async () => {
    broker = await PrivateMosquitto.start({ persistence: true })
    const received: string[] = []
    subscriber = mqtt.connect(broker.url, { clientId: `crash-sub-${process.pid}`, clean: false, reconnectPeriod: 100, protocolVersion: 4 })
    subscriber.on('message', (_topic, payload) => {
      if (payload.length) received.push((JSON.parse(payload.toString()) as { batchId: string }).batchId)
    })
    await new Promise<void>((resolve) => subscriber!.once('connect', () => resolve()))
    await subscriber.subscribeAsync('crash/patrol/v1/+/+/+/+', { qos: 1 })
    await broker.stop()

    const dataDir = path.join(dir, 'data')
    const spoolDir = path.join(dataDir, 'spool')
    const config = path.join(dir, 'agent.json')
    writeFileSync(config, JSON.stringify({ mqttUrl: broker.url, intervalS: 5, dataDir, deviceId: 'dev-crash', topicPrefix: 'crash', logLevel: 'silent' }))

    const first = startAgent(config)
    await waitFor(() => queued(spoolDir).length >= 2, { what: 'messages queued by the first process', timeoutMs: 30_000 })
    first.kill('SIGKILL')
    await new Promise((resolve) => first.once('exit', resolve))
    const atCrash = queued(spoolDir)

    const second = startAgent(config)
    await waitFor(() => queued(spoolDir).length > atCrash.length, { what: 'messages queued after the restart', timeoutMs: 30_000 })
    await broker.start()
    await waitFor(() => atCrash.every((q) => received.includes(q.batchId)), { what: 'every message queued at the crash delivered', timeoutMs: 30_000 })
    second.kill('SIGTERM')
    await new Promise((resolve) => second.once('exit', resolve))

    const positions = atCrash.map((q) => received.indexOf(q.batchId))
    expect(positions).toEqual(positions.toSorted((a, b) => a - b))
    expect(atCrash.map((q) => q.kind)).toContain('metrics')
  })
})
