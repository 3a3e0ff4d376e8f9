/**
 * Accounts and sessions end to end, on each target: sign-in and its cookie, every non-public /api
 * route refusing a request without credentials (enumerated from the app, so a route added later
 * is covered without editing this file), CSRF on cookie writes, the sign-in rate limit, sign-out,
 * revoked, expired and disabled credentials, security headers, the audit log, the first admin,
 * and no password, token or cookie secret in the log.
 */
import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revokeApiToken, setUserDisabled, startCollector, type RunningCollector } from '@patrol/collector'
import { listRoutes } from '../../collector/src/api/app.js'
import { TicketEngine } from '../../collector/src/tickets/engine.js'
import { apiAuth } from '../support/auth.js'
import { commandPeer, waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()

/** Routes anyone may call: a route added to this list is a decision, taken here in review. */
const PUBLIC_API_ROUTES = ['GET /api/health', 'POST /api/auth/login', 'POST /api/enroll']

describe.each(names)('accounts and sessions on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let dataDir: string
  const log: string[] = []
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        log.push(chunk.toString())
        done()
      },
    }),
  )

  beforeAll(async () => {
    const config = await target.config({ loginMaxAttempts: 4, loginMaxAttemptsPerIp: 1000, logLevel: 'debug' })
    dataDir = config.dataDir
    collector = await startCollector(config, logger)
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    collector.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers })
  const sessionCookie = (res: Awaited<ReturnType<typeof login>>) => {
    const cookie = res.cookies.find((c) => c.name === 'patrol_session')
    if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`)
    return cookie
  }

  it('creates the first admin with a generated password in a 0600 file, and never logs the password', async () => {
    const file = path.join(dataDir, 'initial-admin-password')
    const password = (await readFile(file, 'utf8')).trim()
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(password.length).toBeGreaterThanOrEqual(20)
    expect(log.join('')).toContain(`sign in as admin; password in ${file}`)
    const res = await login('admin', password)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().user).toMatchObject({ username: 'admin', role: 'admin', customers: 'all' })
    expect(log.join('')).not.toContain(password)
  })

  it('signs in with a session cookie (HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP) and refuses a wrong password', async () => {
    const alice = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'], username: `Alice-${randomUUID().slice(0, 6)}` })
    // Usernames are case-insensitive.
    const ok = await login(alice.username.toLowerCase(), alice.password)
    expect(ok.statusCode, ok.body).toBe(200)
    const body = ok.json()
    expect(body.user).toEqual({ id: alice.userId, username: alice.username, displayName: alice.username, role: 'engineer', customers: ['acme'], language: 'en' })
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    const cookie = sessionCookie(ok)
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(cookie.secure).toBeFalsy()
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Only the SHA-256 of the cookie is stored.
    const stored = await collector.db.query<{ id: string }>('select id from user_session where user_id = $1', [alice.userId])
    expect(stored.rows.map((r) => r.id)).not.toContain(cookie.value)
    const me = await collector.app.inject({ url: '/api/auth/me', cookies: { patrol_session: cookie.value } })
    expect(me.json()).toMatchObject({ user: { username: alice.username }, csrfToken: body.csrfToken })

    for (const [username, password] of [[alice.username, 'wrong password'], ['nobody-at-all', alice.password]] as const) {
      const bad = await login(username, password)
      expect(bad.statusCode).toBe(401)
      expect(bad.json().error).toMatchObject({ code: 'BAD_CREDENTIALS', message: 'wrong username or password' })
      expect(bad.headers['set-cookie']).toBeUndefined()
    }
  })

  it('answers 401 on every non-public /api route without credentials, and with a bad token', async () => {
    const routes = listRoutes(collector.app).filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD')
    expect(routes.length).toBeGreaterThan(30)
    const publicOnes = routes.filter((r) => r.auth?.public).map((r) => `${r.method} ${r.url}`)
    expect(publicOnes.sort()).toEqual([...PUBLIC_API_ROUTES].sort())
    const fill = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '1').replace(/\*$/, 'x')
    const failures: string[] = []
    for (const route of routes.filter((r) => !r.auth?.public)) {
      for (const headers of [{}, { authorization: 'Bearer ptk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }, { cookie: 'patrol_session=forged' }]) {
        const res = await collector.app.inject({ method: route.method as 'GET', url: fill(route.url), headers, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} })
        if (res.statusCode !== 401 || res.json().error?.code !== 'UNAUTHENTICATED') failures.push(`${route.method} ${route.url} with ${JSON.stringify(headers)}: ${res.statusCode} ${res.body.slice(0, 120)}`)
      }
    }
    expect(failures).toEqual([])
    // An /api path no route claims is refused the same way: no probing for routes without signing in.
    expect((await collector.app.inject({ url: '/api/no-such-thing' })).statusCode).toBe(401)
  })

  it('refuses a cookie-authenticated change without the CSRF token; a Bearer token needs none', async () => {
    const eng = await apiAuth(collector.db, { role: 'engineer', customers: ['csrfco'] })
    const signedIn = await login(eng.username, eng.password)
    const cookie = sessionCookie(signedIn).value
    const { csrfToken } = signedIn.json()
    const window = { customer: 'csrfco', startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), reason: 'csrf check' }
    const post = (headers: Record<string, string>) => collector.app.inject({ method: 'POST', url: '/api/maintenance-windows', payload: window, headers })
    const attempts: Record<string, string>[] = [{ cookie: `patrol_session=${cookie}` }, { cookie: `patrol_session=${cookie}`, 'x-csrf-token': 'guessed' }, { cookie: `patrol_session=${cookie}`, 'x-csrf-token': `${csrfToken}x` }]
    for (const headers of attempts) {
      const refused = await post(headers)
      expect(refused.statusCode).toBe(403)
      expect(refused.json().error.code).toBe('CSRF')
    }
    const count = async () => (await collector.db.query<{ n: number }>("select count(*)::int as n from maintenance_window where customer = 'csrfco'")).rows[0]!.n
    expect(await count()).toBe(0)
    expect((await post({ cookie: `patrol_session=${cookie}`, 'x-csrf-token': csrfToken })).statusCode).toBe(201)
    expect((await post(eng.headers)).statusCode).toBe(201)
    expect(await count()).toBe(2)
    // Reads need no token.
    expect((await collector.app.inject({ url: '/api/maintenance-windows', cookies: { patrol_session: cookie } })).json().items).toHaveLength(2)
  })

  it('limits sign-in attempts per username: 429 with Retry-After, even with the right password', async () => {
    const bob = await apiAuth(collector.db, { role: 'viewer', customers: ['acme'] })
    for (let i = 0; i < 4; i++) expect((await login(bob.username, `wrong-${i}`)).statusCode).toBe(401)
    const limited = await login(bob.username, bob.password)
    expect(limited.statusCode).toBe(429)
    expect(limited.json().error.code).toBe('RATE_LIMITED')
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    expect((await login(bob.username, bob.password)).statusCode).toBe(429)
    // Refusals are audited, once per window, not once per attempt.
    const refused = await waitFor(async () => (await collector.db.query<{ details: unknown }>("select details from audit_log where username = $1 and action = 'login-refused'", [bob.username])).rows, { what: 'the refusal audited' })
    expect(refused.length).toBe(1)
    // Another username from the same address is not held up by bob's.
    const carol = await apiAuth(collector.db, { role: 'viewer', customers: ['acme'] })
    expect((await login(carol.username, carol.password)).statusCode).toBe(200)
  })

  it('sign-out ends the session for good', async () => {
    const dave = await apiAuth(collector.db, { role: 'manager' })
    const signedIn = await login(dave.username, dave.password)
    const cookies = { patrol_session: sessionCookie(signedIn).value }
    const { csrfToken } = signedIn.json()
    expect((await collector.app.inject({ url: '/api/auth/me', cookies })).statusCode).toBe(200)
    const out = await collector.app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { 'x-csrf-token': csrfToken } })
    expect(out.statusCode).toBe(204)
    expect(out.cookies.find((c) => c.name === 'patrol_session')?.value).toBe('')
    const after = await collector.app.inject({ url: '/api/auth/me', cookies })
    expect(after.statusCode).toBe(401)
    expect((await collector.app.inject({ url: '/api/devices', cookies })).statusCode).toBe(401)
  })

  it('refuses revoked and expired tokens, ended sessions, and everything of a disabled user', async () => {
    const erin = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
    expect((await collector.app.inject({ url: '/api/devices', headers: erin.headers })).statusCode).toBe(200)
    const tokenId = (await collector.db.query<{ id: string }>('select id from api_token where user_id = $1', [erin.userId])).rows[0]!.id
    expect(await revokeApiToken(collector.db, tokenId)).toBe(true)
    expect((await collector.app.inject({ url: '/api/devices', headers: erin.headers })).statusCode).toBe(401)

    const frank = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
    await collector.db.query("update api_token set expires_at = now() - interval '1 second' where user_id = $1", [frank.userId])
    const expired = await collector.app.inject({ url: '/api/devices', headers: frank.headers })
    expect(expired.statusCode).toBe(401)
    expect(expired.json().error.message).toMatch(/unknown, revoked or expired/)

    // A session past its idle timeout, and one past its absolute maximum, are both over.
    const kim = await apiAuth(collector.db, { role: 'manager' })
    const kimCookies = { patrol_session: sessionCookie(await login(kim.username, kim.password)).value }
    expect((await collector.app.inject({ url: '/api/auth/me', cookies: kimCookies })).statusCode).toBe(200)
    await collector.db.query("update user_session set expires_at = now() - interval '1 second' where user_id = $1", [kim.userId])
    expect((await collector.app.inject({ url: '/api/auth/me', cookies: kimCookies })).statusCode).toBe(401)
    const lee = await apiAuth(collector.db, { role: 'manager' })
    const leeCookies = { patrol_session: sessionCookie(await login(lee.username, lee.password)).value }
    // Signed in 8 days ago (the maximum is 7), last seen 2 minutes ago: this request may pass, it cannot extend the session.
    await collector.db.query("update user_session set created_at = now() - interval '8 days', last_seen_at = now() - interval '2 minutes' where user_id = $1", [lee.userId])
    await collector.app.inject({ url: '/api/auth/me', cookies: leeCookies })
    expect((await collector.app.inject({ url: '/api/auth/me', cookies: leeCookies })).statusCode).toBe(401)

    const gina = await apiAuth(collector.db, { role: 'manager' })
    const cookies = { patrol_session: sessionCookie(await login(gina.username, gina.password)).value }
    expect((await collector.app.inject({ url: '/api/devices', cookies })).statusCode).toBe(200)
    await setUserDisabled(collector.db, gina.userId, true)
    expect((await collector.app.inject({ url: '/api/devices', cookies })).statusCode).toBe(401)
    expect((await collector.app.inject({ url: '/api/devices', headers: gina.headers })).statusCode).toBe(401)
    expect((await login(gina.username, gina.password)).statusCode).toBe(401)
    await setUserDisabled(collector.db, gina.userId, false)
    expect((await collector.app.inject({ url: '/api/devices', headers: gina.headers })).statusCode).toBe(200)
  })

  it('enforces roles: a viewer changes nothing, an engineer does not manage rules', async () => {
    const viewer = await apiAuth(collector.db, { role: 'viewer', customers: ['acme'] })
    const engineer = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
    const window = { customer: 'acme', startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), reason: 'role check' }
    const byViewer = await collector.app.inject({ method: 'POST', url: '/api/maintenance-windows', payload: window, headers: viewer.headers })
    expect(byViewer.statusCode).toBe(403)
    expect(byViewer.json().error).toMatchObject({ code: 'FORBIDDEN', message: 'needs the engineer role or above; you are viewer' })
    expect((await collector.app.inject({ url: '/api/rules', headers: viewer.headers })).statusCode).toBe(403)
    expect((await collector.app.inject({ url: '/api/rules', headers: engineer.headers })).statusCode).toBe(200)
    expect((await collector.app.inject({ method: 'PUT', url: '/api/rule-overrides/customer/acme/fs-nearly-full', payload: { params: {} }, headers: engineer.headers })).statusCode).toBe(403)
    expect((await collector.app.inject({ url: '/api/notification-targets', headers: engineer.headers })).statusCode).toBe(403)
  })

  it('lets a viewer change nothing but their own account, on every route', async () => {
    // Changes a viewer may make, all to their own account; a route added to this list is a decision.
    const selfService = ['POST /api/auth/logout', 'POST /api/auth/password', 'POST /api/tokens', 'DELETE /api/tokens/:id']
    const writes = listRoutes(collector.app).filter((r) => r.url.startsWith('/api/') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !r.auth?.public)
    const open = writes.filter((r) => !r.auth?.minRole && !selfService.includes(`${r.method} ${r.url}`)).map((r) => `${r.method} ${r.url}`)
    expect(open, 'give these routes a minRole, or add them to selfService if they only touch the caller').toEqual([])
    const viewer = await apiAuth(collector.db, { role: 'viewer', customers: ['acme'] })
    for (const r of writes.filter((w) => w.auth?.minRole)) {
      const res = await collector.app.inject({ method: r.method as 'POST', url: r.url.replace(/:([A-Za-z0-9_]+)/g, '1'), headers: viewer.headers, payload: {} })
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403)
    }
  })

  it('sends the security headers, on refusals too; HSTS only over TLS', async () => {
    for (const res of [await collector.app.inject({ url: '/api/health' }), await collector.app.inject({ url: '/api/devices' })]) {
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("script-src 'self'")
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("img-src 'self' data: blob:")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['referrer-policy']).toBe('same-origin')
      expect(res.headers['strict-transport-security']).toBeUndefined()
    }
  })

  it('writes an audit row for a ticket action with the signed-in user, and for sign-ins, without secrets', async () => {
    const hana = await apiAuth(collector.db, { role: 'engineer', customers: ['auditco'] })
    const device = `aud-${randomUUID().slice(0, 8)}`
    await collector.db.query("insert into device (id, customer, site, kind, status, last_seen, latest) values ($1, 'auditco', 'hq', 'agent', 'online', now(), $2::jsonb)", [
      device,
      JSON.stringify({ 'fs.used_percent|C:': [Date.now(), 99] }),
    ])
    const { opened } = await new TicketEngine(collector.db, { logger: pino({ level: 'silent' }) }).evaluate([device], Date.now())
    const ticket = opened[0]!
    const ack = await collector.app.inject({ method: 'POST', url: `/api/tickets/${ticket}/acknowledge`, payload: { actor: 'someone-else' }, headers: hana.headers })
    expect(ack.statusCode, ack.body).toBe(200)
    const row = await waitFor(
      async () => (await collector.db.query<Record<string, unknown>>("select * from audit_log where user_id = $1 and action like 'POST %'", [hana.userId])).rows[0],
      { what: 'the audit row of the acknowledgement' },
    )
    expect(row).toMatchObject({ username: hana.username, via: 'token', action: 'POST /api/tickets/:id/acknowledge', method: 'POST', target_type: 'tickets', target_id: String(ticket), customer_id: 'auditco', status: 200 })
    expect((await collector.db.query<{ actor: string }>("select actor from ticket_event where ticket_id = $1 and kind = 'acknowledge'", [ticket])).rows[0]!.actor).toBe(hana.username)
    // A refused change leaves no row.
    const viewer = await apiAuth(collector.db, { role: 'viewer', customers: ['auditco'] })
    expect((await collector.app.inject({ method: 'POST', url: `/api/tickets/${ticket}/start`, payload: {}, headers: viewer.headers })).statusCode).toBe(403)

    await login(hana.username, 'not her password')
    await login(hana.username, hana.password)
    const logins = await waitFor(
      async () => {
        const { rows } = await collector.db.query<{ action: string; username: string; details: unknown; user_id: string | null }>("select action, username, details, user_id from audit_log where username = $1 and action like 'login%' order by id", [hana.username])
        return rows.length >= 2 ? rows : undefined
      },
      { what: 'sign-in audit rows' },
    )
    expect(logins.map((r) => r.action)).toEqual(['login-failed', 'login'])
    expect(logins[1]!.user_id).toBe(hana.userId)
    const all = JSON.stringify((await collector.db.query('select * from audit_log')).rows)
    expect(all).not.toContain(hana.password)
    expect(all).not.toContain('not her password')
    expect(all).not.toContain(hana.token)
    expect((await collector.db.query('select 1 from audit_log where user_id = $1 and route like $2', [viewer.userId, '/api/tickets%'])).rows).toEqual([])
  })

  it('logs no password, API token, session cookie or CSRF token', async () => {
    const ivan = await apiAuth(collector.db, { role: 'admin' })
    const signedIn = await login(ivan.username, ivan.password)
    const { csrfToken } = signedIn.json()
    const cookie = sessionCookie(signedIn).value
    await login(ivan.username, 'another wrong password')
    await collector.app.inject({ url: '/api/devices', headers: ivan.headers })
    await collector.app.inject({ method: 'POST', url: '/api/maintenance-windows', payload: { nonsense: true }, cookies: { patrol_session: cookie }, headers: { 'x-csrf-token': csrfToken } })
    // A request that fails inside a handler is logged with its context; make sure that is not where secrets leak.
    collector.app.log.error({ req: { headers: { authorization: ivan.headers.authorization, cookie: `patrol_session=${cookie}` } }, password: ivan.password }, 'redaction check')
    const text = log.join('')
    expect(text).toContain('redaction check')
    for (const secret of [ivan.password, ivan.token, cookie, csrfToken, 'another wrong password']) expect(text).not.toContain(secret)
  })
})

const openssl = commandPeer('openssl', 'openssl')

describe.skipIf(!openssl.available)('sign-in over HTTPS', () => {
  const target = makeTarget('embedded')
  let dir: string
  let ca: Buffer
  let collector: RunningCollector

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-auth-tls-'))
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=patrol auth test CA', '-keyout', 'ca.key', '-out', 'ca.crt')
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr')
    await writeFile(path.join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n')
    run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt')
    ca = await readFile(path.join(dir, 'ca.crt'))
    collector = await startTestCollector(await target.config({ tlsCertFile: path.join(dir, 'server.crt'), tlsKeyFile: path.join(dir, 'server.key') }))
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
    await rm(dir, { recursive: true, force: true })
  })

  it('marks the session cookie Secure and sends HSTS when the request came over TLS', async () => {
    const user = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
    const answer = await new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      const request = https.request(`${collector.url}/api/auth/login`, { method: 'POST', ca, headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (response) => {
        response.resume()
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }))
      })
      request.on('error', reject)
      request.end(JSON.stringify({ username: user.username, password: user.password }))
    })
    expect(collector.url).toMatch(/^https:/)
    expect(answer.status).toBe(200)
    const cookie = String(answer.headers['set-cookie'])
    expect(cookie).toMatch(/patrol_session=[^;]+;/)
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; HttpOnly/)
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
  })
})
