/**
 * Notifications of ticket events to a real local HTTP server (signed webhook, external ticketing
 * hook) and a real local SMTP server: delivered, retried with backoff after a failure, never
 * twice for one event even with two dispatchers at once.
 */
import { createHmac, randomUUID } from 'node:crypto'
import http from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import { Dispatcher } from '../../collector/src/notify/dispatcher.js'
import { TicketEngine } from '../../collector/src/tickets/engine.js'
import { applyAction } from '../../collector/src/tickets/lifecycle.js'
import { Ticketing } from '../../collector/src/tickets/service.js'
import { freePort, REPO_ROOT, waitFor } from '../support/peers.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

// smtp-server is the collector package's test dependency.
interface SmtpServer {
  listen(port: number, host: string, cb: () => void): void
  close(cb: () => void): void
}
const { SMTPServer } = createRequire(path.join(REPO_ROOT, 'collector/package.json'))('smtp-server') as {
  SMTPServer: new (options: Record<string, unknown>) => SmtpServer
}

const names = await targets()
const logger = pino({ level: 'silent' })
const SECRET = 'a-webhook-secret-of-some-length'

interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  answered: number
}

describe.each(names)('notifications on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let manager: ApiAuth
  let httpServer: http.Server
  let smtp: SmtpServer
  let httpPort: number
  let smtpPort: number
  const received: Received[] = []
  const mails: string[] = []
  /** Event keys whose first delivery the webhook refuses, to see the retry. */
  const failFirst = new Set<string>()

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    manager = await apiAuth(collector.db, { role: 'manager' })
    await collector.tickets.stop()
    httpPort = await freePort()
    httpServer = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const key = String(req.headers['x-patrol-event'] ?? req.headers['idempotency-key'])
        const refuse = req.url === '/hook' && failFirst.delete(key)
        const answered = refuse ? 500 : 200
        received.push({ path: req.url ?? '', headers: req.headers, body, answered })
        res.writeHead(answered, { 'content-type': 'application/json' })
        res.end(req.url === '/external' ? JSON.stringify({ id: 'EXT-4711' }) : '{}')
      })
    })
    await new Promise<void>((r) => httpServer.listen(httpPort, '127.0.0.1', r))
    smtpPort = await freePort()
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream: NodeJS.ReadableStream, _session: unknown, callback: () => void) {
        let text = ''
        stream.on('data', (c: Buffer) => (text += c.toString()))
        stream.on('end', () => {
          mails.push(text)
          callback()
        })
      },
    })
    await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r))
  })
  afterAll(async () => {
    await collector?.close()
    await new Promise((r) => httpServer?.close(r))
    await new Promise((r) => smtp?.close(() => r(undefined)))
    await target.cleanup()
  })

  it('delivers opened and resolved events to webhook, e-mail and the external system; retries; never twice', async () => {
    const customer = `n${randomUUID().slice(0, 8)}`
    const add = async (config: Record<string, unknown>) => {
      const res = await collector.app.inject({ headers: manager.headers, method: 'POST', url: '/api/notification-targets', payload: { customer, config } })
      expect(res.statusCode, res.body).toBe(201)
    }
    await add({ kind: 'webhook', url: `http://127.0.0.1:${httpPort}/hook`, secret: SECRET })
    await add({ kind: 'email', smtpUrl: `smtp://127.0.0.1:${smtpPort}`, to: ['desk@example.com'], from: 'patrol@example.com' })
    await add({ kind: 'external', url: `http://127.0.0.1:${httpPort}/external`, token: 'tok' })
    const listed = (await collector.app.inject({ url: '/api/notification-targets', headers: manager.headers })).json()
    expect(JSON.stringify(listed)).not.toContain(SECRET)

    const device = `d-${randomUUID().slice(0, 8)}`
    const now = Date.now()
    await collector.db.query("insert into device (id, customer, site, kind, status, last_seen, latest) values ($1, $2, 'hq', 'agent', 'online', now(), $3::jsonb)", [
      device,
      customer,
      JSON.stringify({ 'fs.used_percent|C:': [now, 99] }),
    ])
    const engine = new TicketEngine(collector.db, { logger })
    const { opened } = await engine.evaluate([device], now)
    expect(opened).toHaveLength(1)
    const ticketId = opened[0]!
    const openedKey = `ticket:${ticketId}:opened`
    failFirst.add(openedKey)

    const a = new Dispatcher(collector.db, logger, 1000)
    const b = new Dispatcher(collector.db, logger, 1000)
    const first = await a.round(now)
    expect(first).toEqual({ sent: 2, failed: 1 })
    const pending = (await collector.app.inject({ url: '/api/notification-outbox?pending=true', headers: manager.headers })).json().items
    expect(pending).toHaveLength(1)
    expect(pending[0]).toMatchObject({ eventKey: openedKey, attempts: 1 })
    expect(pending[0].lastError).toMatch(/webhook POST .* answered 500/)
    // Not due yet: the backoff holds it.
    expect(await a.round(now + 500)).toEqual({ sent: 0, failed: 0 })
    // Two dispatchers at once (two collectors): it goes out once.
    const both = await Promise.all([a.round(now + 1001), b.round(now + 1001)])
    expect(both.reduce((n, r) => n + r.sent, 0)).toBe(1)

    await applyAction(collector.db, ticketId, { kind: 'resolve', actor: 'eng', problemType: 'disk', cause: 'temp files', method: 'cleanup', loss: 'none' }, now + 2000)
    const again = await Promise.all([a.round(now + 3000), b.round(now + 3000)])
    expect(again.reduce((n, r) => n + r.sent, 0)).toBe(3)
    expect(await a.round(now + 100_000)).toEqual({ sent: 0, failed: 0 })

    const hooks = received.filter((r) => r.path === '/hook')
    const delivered = hooks.filter((r) => r.answered === 200)
    expect(delivered.map((r) => r.headers['x-patrol-event'])).toEqual([openedKey, `ticket:${ticketId}:resolved`])
    for (const r of hooks) {
      expect(r.headers['x-patrol-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`)
      expect(JSON.parse(r.body)).toMatchObject({ ticket: { id: ticketId, deviceId: device, customer } })
    }
    const external = received.filter((r) => r.path === '/external')
    expect(external.map((r) => r.headers.authorization)).toEqual(['Bearer tok', 'Bearer tok'])
    expect(JSON.parse(external[1]!.body)).toMatchObject({ event: 'resolved', externalRef: 'EXT-4711' })
    const ticket = (await collector.app.inject({ url: `/api/tickets/${ticketId}`, headers: manager.headers })).json()
    expect(ticket.externalRef).toBe('EXT-4711')

    expect(mails).toHaveLength(2)
    expect(mails[0]).toMatch(/^Subject: \[L2\] opened: Filesystem C: 99\.0 % full/m)
    expect(mails[0]).toMatch(/^To: desk@example\.com/m)
    expect(mails[0]).toContain(`X-Patrol-Event: ${openedKey}`)
  })

  it('a ticket opened after ingest is announced at once, not at the next sweep', async () => {
    const customer = `m${randomUUID().slice(0, 8)}`
    await collector.app.inject({ headers: manager.headers, method: 'POST', url: '/api/notification-targets', payload: { customer, config: { kind: 'webhook', url: `http://127.0.0.1:${httpPort}/hook`, secret: SECRET } } })
    const device = `d-${randomUUID().slice(0, 8)}`
    await collector.db.query("insert into device (id, customer, site, kind, status, last_seen) values ($1, $2, 'hq', 'agent', 'online', now())", [device, customer])
    const ticketing = new Ticketing(collector.db, { logger, sweepIntervalS: 0 })
    try {
      // What ingest hands over after a flush: the devices and their newest values.
      ticketing.onFlushed([device], { [device]: { 'ups.on_battery|': [Date.now(), 1] } })
      const hook = await waitFor(() => received.find((r) => r.path === '/hook' && JSON.parse(r.body).ticket.deviceId === device), { what: 'the webhook for the new ticket', timeoutMs: 10_000 })
      expect(JSON.parse(hook.body)).toMatchObject({ event: 'opened', ticket: { ruleId: 'ups-on-battery', level: 'L2' } })
    } finally {
      await ticketing.stop()
    }
  })
})
