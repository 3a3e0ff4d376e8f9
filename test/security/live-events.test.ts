/**
 * Live events (GET /api/events, server-sent events) over real HTTP, on both targets: a viewer of
 * customer A receives A's ticket and device events within seconds of the MQTT message that causes
 * them, and never B's; heartbeats; a closed stream is cleaned up; a client that stops reading is
 * dropped instead of buffered without bound; on the real servers, two collectors on one database:
 * what one ingests shows on the other's stream (LISTEN/NOTIFY).
 */
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import mqtt, { type MqttClient } from 'mqtt'
import { buildTopic } from '@patrol/shared'
import type { LoadedCollectorConfig, RunningCollector } from '@patrol/collector'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, targets, uniqueName } from '../support/targets.js'
import { openSse, type SseStream } from './sse-client.js'

const names = await targets()
const MIN = 60_000

interface TicketEvent {
  type: 'ticket'
  id: number
  customer: string
  site: string
  deviceId: string
  level: string
  state: string
  kind: string
  title: string
  at: string
}
interface DeviceEvent {
  type: 'device'
  id: string
  customer: string
  deviceId: string
  status: string
  at: string
}

describe.each(names)('live events on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let config: LoadedCollectorConfig
  let publisher: MqttClient
  let viewerA: ApiAuth
  let viewerB: ApiAuth
  let admin: ApiAuth
  const A = uniqueName('ca')
  const B = uniqueName('cb')
  const streams: SseStream[] = []
  const open = async (who: ApiAuth, on = collector) => {
    const stream = await openSse(`${on.url}/api/events`, who.headers)
    streams.push(stream)
    return stream
  }

  /** One metrics batch that makes the fs-nearly-full rule open a ticket at once (readings over 3 minutes). */
  async function fullDisk(customer: string, device: string, prefix = collector.ingest.options.topicPrefix): Promise<number> {
    const now = Date.now()
    const body = {
      v: 1,
      batchId: randomUUID(),
      deviceId: device,
      kind: 'metrics',
      sentAt: now,
      points: [-3, -2, -1, 0].map((m) => ({ ts: now + m * MIN, metric: 'fs.used_percent', instance: '/', value: 99 })),
    }
    await publisher.publishAsync(buildTopic({ customer, site: 'hq', device, kind: 'metrics' }, prefix), JSON.stringify(body), { qos: 1 })
    return now
  }

  beforeAll(async () => {
    config = await target.config()
    // On the embedded broker, `mqttUrl` carries the test's service login (test/support/targets.ts).
    collector = await startTestCollector(config)
    publisher = await mqtt.connectAsync(collector.mqttUrl, { clientId: `live-pub-${randomUUID().slice(0, 8)}`, protocolVersion: 4, reconnectPeriod: 0 })
    viewerA = await apiAuth(collector.db, { role: 'viewer', customers: [A] })
    viewerB = await apiAuth(collector.db, { role: 'viewer', customers: [B] })
    admin = await apiAuth(collector.db, { role: 'admin' })
  })
  afterAll(async () => {
    for (const s of streams) s.close()
    await publisher?.endAsync()
    await collector?.close()
    await target.cleanup()
  })

  it('needs a signed-in user', async () => {
    const response = await fetch(`${collector.url}/api/events`)
    expect(response.status).toBe(401)
    expect((await response.json()) as unknown).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } })
  })

  it("A's viewer gets A's ticket and device events within seconds of the MQTT message, never B's", async () => {
    const [a, b, all] = [await open(viewerA), await open(viewerB), await open(admin)]
    expect(a.status).toBe(200)
    expect(a.contentType).toMatch(/^text\/event-stream/)
    const devA = `da-${randomUUID().slice(0, 8)}`
    const devB = `db-${randomUUID().slice(0, 8)}`

    const sentA = await fullDisk(A, devA)
    const ticket = await a.waitFor<TicketEvent>('ticket', (e) => e.deviceId === devA && e.kind === 'opened', "A's ticket on A's stream", 15_000)
    const latencyMs = Date.now() - sentA
    expect(latencyMs).toBeLessThan(15_000)
    expect(ticket).toMatchObject({ type: 'ticket', customer: A, site: 'hq', deviceId: devA, state: 'open', level: expect.stringMatching(/^L[1-4]$/), title: expect.stringContaining('/') })
    expect(new Date(ticket.at).getTime()).toBeGreaterThan(sentA - MIN)
    // The id is the ticket's: the API finds it (for A's viewer).
    const byApi = await fetch(`${collector.url}/api/tickets/${ticket.id}`, { headers: viewerA.headers })
    expect(byApi.status).toBe(200)
    await a.waitFor<DeviceEvent>('device', (e) => e.deviceId === devA && e.status === 'online', "A's device coming online")

    await fullDisk(B, devB)
    // The administrator sees both, so B's event was sent: A's viewer must not have had it.
    await all.waitFor<TicketEvent>('ticket', (e) => e.deviceId === devB, "B's ticket on the admin's stream")
    await all.waitFor<TicketEvent>('ticket', (e) => e.deviceId === devA, "A's ticket on the admin's stream")
    await b.waitFor<TicketEvent>('ticket', (e) => e.deviceId === devB, "B's ticket on B's stream")
    await b.waitFor<DeviceEvent>('device', (e) => e.deviceId === devB, "B's device on B's stream")
    // Both streams carry events in the order the database sent them: once B's stream has its own,
    // A's event went out earlier; give the other stream the same moment to receive a stray one.
    await new Promise((r) => setTimeout(r, 500))
    const leakedToA = a.events.filter((e) => e.data.includes(B) || e.data.includes(devB))
    const leakedToB = b.events.filter((e) => e.data.includes(A) || e.data.includes(devA))
    expect(leakedToA).toEqual([])
    expect(leakedToB).toEqual([])
    expect(a.json<TicketEvent>('ticket').every((e) => e.customer === A)).toBe(true)
  })

  it('an engineer acknowledging a ticket through the API is an event too', async () => {
    const dev = `dk-${randomUUID().slice(0, 8)}`
    const engineer = await apiAuth(collector.db, { role: 'engineer', customers: [A] })
    const a = await open(viewerA)
    await fullDisk(A, dev)
    const opened = await a.waitFor<TicketEvent>('ticket', (e) => e.deviceId === dev && e.kind === 'opened', 'the opened ticket')
    const ack = await fetch(`${collector.url}/api/tickets/${opened.id}/acknowledge`, {
      method: 'POST',
      headers: { ...engineer.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ actor: engineer.username }),
    })
    expect(ack.status, await ack.clone().text()).toBeLessThan(300)
    await a.waitFor<TicketEvent>('ticket', (e) => e.id === opened.id && e.state === 'acknowledged', 'the acknowledged ticket')
  })

  it('sends heartbeats and forgets a stream the client closed', async () => {
    const before = collector.live.stats().subscribers
    collector.live.heartbeatMs = 200
    try {
      const s = await open(viewerA)
      await waitFor(() => s.comments.filter((c) => c.startsWith('heartbeat')).length >= 2, { what: 'two heartbeats', timeoutMs: 10_000 })
      expect(collector.live.stats().subscribers).toBe(before + 1)
      s.close()
      await waitFor(() => collector.live.stats().subscribers === before, { what: 'the closed stream to be dropped', timeoutMs: 10_000 })
    } finally {
      collector.live.heartbeatMs = 15_000
    }
  })

  it('drops a client that stops reading instead of buffering for it', async () => {
    const before = collector.live.stats()
    collector.live.maxBufferedBytes = 64 * 1024
    const url = new URL(`${collector.url}/api/events`)
    // A raw request whose response is never read: the socket's buffers fill, then the collector's.
    const request = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers: viewerA.headers })
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve))
    response.pause()
    try {
      expect(response.statusCode).toBe(200)
      await waitFor(() => collector.live.stats().subscribers > before.subscribers, { what: 'the slow stream to subscribe' })
      // Device status flips of A's devices, straight in the database: each one is an event.
      const ids = Array.from({ length: 200 }, (_, i) => `slow-${i}-${randomUUID().slice(0, 6)}`)
      await collector.db.query("insert into device (id, customer, site, status) select unnest($1::text[]), $2, 'hq', 'online'", [ids, A])
      await waitFor(
        async () => {
          await collector.db.query("update device set status = case when status = 'online' then 'offline' else 'online' end where id = any($1)", [ids])
          return collector.live.stats().droppedSlow > before.droppedSlow
        },
        { what: 'the slow client to be dropped', timeoutMs: 90_000, intervalMs: 10 },
      )
      expect(collector.live.stats().subscribers).toBe(before.subscribers)
    } finally {
      collector.live.maxBufferedBytes = 256 * 1024
      request.destroy()
    }
  })

  it.runIf(name === 'servers')('the listener reconnects when its database connection dies, and tells the consoles to re-read', async () => {
    const a = await open(viewerA)
    const resyncs = () => a.events.filter((e) => e.event === 'resync').length
    // The listener's own connection, named after the collector's schema (only this test's).
    const killed = await collector.db.query<{ n: number }>('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1', [`patrol-live ${config.databaseSchema}`])
    expect(killed.rows[0]!.n).toBeGreaterThanOrEqual(1)
    await waitFor(() => resyncs() >= 1, { what: 'a resync event after the listener came back', timeoutMs: 20_000 })
    expect(collector.live.stats().listening).toBe(true)
    const dev = `dr-${randomUUID().slice(0, 8)}`
    await fullDisk(A, dev)
    await a.waitFor<TicketEvent>('ticket', (e) => e.deviceId === dev && e.kind === 'opened', 'a ticket event after the reconnect', 15_000)
  })

  it.runIf(name === 'servers')('two collectors on one database: what one ingests shows on the stream of the other', async () => {
    // The second collector shares the database but listens on another topic prefix, so only the
    // first one ingests the message; the event reaches the second through LISTEN/NOTIFY.
    const other = await startTestCollector({ ...config, port: 0, topicPrefix: `${config.topicPrefix}/other`, ingestClientId: `${config.ingestClientId}-other` })
    try {
      const onOther = await open(viewerA, other)
      const dev = `dx-${randomUUID().slice(0, 8)}`
      await fullDisk(A, dev)
      const event = await onOther.waitFor<TicketEvent>('ticket', (e) => e.deviceId === dev && e.kind === 'opened', 'the ticket on the other collector', 15_000)
      expect(event.customer).toBe(A)
      expect((await other.db.query<{ n: number }>('select count(*)::int as n from ingested_batch where device_id = $1', [dev])).rows[0]!.n).toBe(1)
    } finally {
      await other.close()
    }
  })
})
