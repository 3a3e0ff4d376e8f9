/**
 * The administration API on each target, as its users meet it: a manager sets up a customer with a
 * site and a contract, an administrator creates an engineer assigned to it, and the engineer's own
 * API token sees that customer and no other. Around it: who may write what, the refusals (with
 * the field they concern), customer health from real device and ticket rows, API tokens and their
 * revocation, passwords, and the audit trail of the writes.
 */
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken, type RunningCollector } from '@patrol/collector'
import { verifyPassword } from '../../collector/src/auth/passwords.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { waitFor } from '../support/peers.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'

const names = await targets()

describe.each(names)('administration API on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let admin: ApiAuth
  let manager: ApiAuth
  let viewer: ApiAuth
  const tag = randomUUID().slice(0, 6)
  const customer = `acme${tag}`
  const other = `globex${tag}`
  const today = new Date().toISOString().slice(0, 10)
  const startedAt = new Date().toISOString()
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)

  const call = async (auth: { headers: Record<string, string> } | null, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const res = await collector.app.inject({ method, url, headers: auth?.headers ?? {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
    return { status: res.statusCode, body: res.body && res.headers['content-type']?.toString().includes('json') ? res.json() : res.body }
  }
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })

  beforeAll(async () => {
    collector = await startTestCollector(await target.config())
    await collector.tickets.stop()
    admin = await apiAuth(collector.db, { role: 'admin' })
    manager = await apiAuth(collector.db, { role: 'manager' })
    viewer = await apiAuth(collector.db, { role: 'viewer', customers: [`viewerco${tag}`] })
  })
  afterAll(async () => {
    await collector?.close()
    await target.cleanup()
  })

  let engineerId: string
  let engineerToken: string

  it('manager: customer → site → contract; the customer shows its site and the contract in force', async () => {
    const created = await call(manager, 'POST', '/api/customers', { id: customer, name: 'ACME Group', class: 'group', contactEmail: 'it@acme.example', language: 'en', timeZone: 'Europe/Berlin' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ id: customer, class: 'group', timeZone: 'Europe/Berlin', contract: null, health: { sites: 0, devices: { total: 0 } } })
    expect((await call(manager, 'POST', '/api/customers', { id: customer, name: 'again' })).status).toBe(409)
    expect((await call(manager, 'POST', '/api/customers', { id: other, name: 'Globex' })).status).toBe(201)

    const site = await call(manager, 'POST', `/api/customers/${customer}/sites`, { id: 'hq', name: 'Head office', distanceKm: 12 })
    expect(site.status, JSON.stringify(site.body)).toBe(201)
    expect(site.body).toMatchObject({ customerId: customer, id: 'hq', distanceKm: 12, address: null })
    const patchedSite = await call(manager, 'PATCH', `/api/customers/${customer}/sites/hq`, { address: '1 Main St' })
    expect(patchedSite.body).toMatchObject({ name: 'Head office', address: '1 Main St', distanceKm: 12 })
    expect((await call(manager, 'POST', `/api/customers/nobody${tag}/sites`, { id: 'hq', name: 'x' })).status).toBe(404)

    const contract = await call(manager, 'POST', `/api/customers/${customer}/contracts`, {
      id: `k-${tag}`,
      name: 'Weekday service',
      validFrom: today,
      validTo: nextYear,
      calendar: { kind: 'business', timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], periods: [{ start: '09:00', end: '18:00' }] },
      targets: { L1: { responseMin: 30, onsiteMin: 120, resolveMin: 240 } },
      escalationContacts: ['boss@acme.example'],
    })
    expect(contract.status, JSON.stringify(contract.body)).toBe(201)
    expect(contract.body).toMatchObject({ id: `k-${tag}`, customerId: customer, validNow: true })
    const patched = await call(manager, 'PATCH', `/api/contracts/k-${tag}`, { name: 'Weekday service 2026' })
    expect(patched.body).toMatchObject({ name: 'Weekday service 2026', validFrom: today, targets: { L1: { responseMin: 30 } } })

    const detail = await call(manager, 'GET', `/api/customers/${customer}`)
    expect(detail.status).toBe(200)
    expect(detail.body.contract).toEqual({ id: `k-${tag}`, name: 'Weekday service 2026', validFrom: today, validTo: nextYear })
    expect(detail.body.health.sites).toBe(1)
    expect(detail.body.sites.map((s: { id: string }) => s.id)).toEqual(['hq'])
    const renamed = await call(manager, 'PATCH', `/api/customers/${customer}`, { engineer: 'Wang Wei', contactEmail: null, reportRecipients: ['cio@acme.example', 'it@acme.example'] })
    expect(renamed.body).toMatchObject({ name: 'ACME Group', engineer: 'Wang Wei', contactEmail: null, class: 'group', timeZone: 'Europe/Berlin', reportRecipients: ['cio@acme.example', 'it@acme.example'] })
    // The report mailer reads the same column.
    expect((await collector.db.query('select report_recipients from customer where id = $1', [customer])).rows[0]).toEqual({ report_recipients: ['cio@acme.example', 'it@acme.example'] })
    expect((await call(manager, 'PATCH', `/api/customers/${customer}`, { reportRecipients: ['not an address'] })).status).toBe(400)
  })

  it('health counts devices by status and unresolved tickets by level and SLA state, per customer and per site', async () => {
    const device = (id: string, status: string) =>
      collector.db.query("insert into device (id, customer, site, kind, status, first_seen, last_seen) values ($1, $2, 'hq', 'agent', $3, now(), now())", [`${id}-${tag}`, customer, status])
    await device('a', 'online')
    await device('b', 'online')
    await device('c', 'offline')
    const hour = 3_600_000
    const ticket = (level: string, status: string, fields: { responseDue?: number; resolveDue?: number; acknowledged?: boolean; stage?: number; waiting?: boolean }) =>
      collector.db.query(
        `insert into ticket (device_id, customer, site, rule_id, problem_key, status, level, initial_level, title, opened_at, last_occurrence_at, acknowledged_at, response_due, resolve_due, escalation_stage, waiting_since)
         values ($1, $2, 'hq', 'test', $3, $4, $5, $5, 'test', now() - interval '1 hour', now(), $6, $7, $8, $9, $10)`,
        [
          `a-${tag}`,
          customer,
          randomUUID(),
          status,
          level,
          fields.acknowledged ? new Date(Date.now() - hour / 2) : null,
          fields.responseDue === undefined ? null : new Date(Date.now() + fields.responseDue),
          fields.resolveDue === undefined ? null : new Date(Date.now() + fields.resolveDue),
          fields.stage ?? 0,
          fields.waiting ? new Date() : null,
        ],
      )
    await ticket('L1', 'open', { responseDue: -hour }) // response missed: breached
    await ticket('L2', 'acknowledged', { acknowledged: true, responseDue: -hour, resolveDue: hour, stage: 1 }) // answered in time; resolve near: at risk
    await ticket('L3', 'in_progress', { acknowledged: true, resolveDue: -hour, waiting: true }) // overdue but paused: ok
    await ticket('L3', 'open', { responseDue: hour })
    await ticket('L4', 'resolved', { responseDue: -hour }) // resolved: not counted

    const { body } = await call(manager, 'GET', `/api/customers/${customer}`)
    expect(body.health).toEqual({
      sites: 1,
      devices: { total: 3, online: 2, offline: 1, unknown: 0 },
      openTickets: { total: 4, byLevel: { L1: 1, L2: 1, L3: 2, L4: 0 }, bySla: { ok: 2, atRisk: 1, breached: 1 } },
    })
    const sites = await call(manager, 'GET', `/api/customers/${customer}/sites`)
    expect(sites.body).toMatchObject({ total: 1, limit: 100, offset: 0 })
    expect(sites.body.items[0].health.devices).toEqual({ total: 3, online: 2, offline: 1, unknown: 0 })
    expect(sites.body.items[0].health.openTickets.total).toBe(4)
  })

  it('admin creates an engineer assigned to the customer; the engineer’s own token lists only that customer', async () => {
    const created = await call(admin, 'POST', '/api/users', { username: `eng-${tag}`, displayName: 'Li Na', role: 'engineer', customers: [customer], language: 'zh-CN', password: 'correct horse battery' })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body).toMatchObject({ username: `eng-${tag}`, role: 'engineer', customers: [customer], disabled: false, lastLoginAt: null })
    expect(created.body).not.toHaveProperty('password')
    expect(JSON.stringify(created.body)).not.toMatch(/scrypt/)
    engineerId = created.body.id
    expect((await call(admin, 'POST', '/api/users', { username: `ENG-${tag}`, role: 'viewer' })).status).toBe(409)

    // The engineer's first token comes straight from the store (no login needed for this test);
    // with it the engineer makes a token of their own through the API.
    const first = await createApiToken(collector.db, engineerId, 'bootstrap')
    const made = await call(bearer(first.token), 'POST', '/api/tokens', { name: 'laptop script', expiresInDays: 30 })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    expect(made.body.token).toMatch(/^ptk_/)
    expect(made.body).toMatchObject({ name: 'laptop script', username: `eng-${tag}`, active: true, revokedAt: null })
    expect(Date.parse(made.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000)
    engineerToken = made.body.token

    const seen = await call(bearer(engineerToken), 'GET', '/api/customers')
    expect(seen.status).toBe(200)
    expect(seen.body.items.map((c: { id: string }) => c.id)).toEqual([customer])
    expect(seen.body.total).toBe(1)
    expect((await call(bearer(engineerToken), 'GET', `/api/customers/${other}`)).status).toBe(404)
    expect((await call(bearer(engineerToken), 'GET', `/api/customers/${other}/sites`)).status).toBe(404)
    expect((await call(bearer(engineerToken), 'GET', `/api/customers/${other}/contracts`)).status).toBe(404)
    expect((await call(bearer(engineerToken), 'GET', `/api/customers/${customer}/sites/hq`)).status).toBe(200)
    expect((await call(bearer(engineerToken), 'GET', '/api/contracts')).body.items.map((c: { id: string }) => c.id)).toEqual([`k-${tag}`])
    // An engineer reads customers but does not change them.
    expect((await call(bearer(engineerToken), 'PATCH', `/api/customers/${customer}`, { name: 'mine now' })).status).toBe(403)

    const listed = await call(bearer(engineerToken), 'GET', '/api/tokens')
    expect(listed.body.items.map((t: { name: string }) => t.name).sort()).toEqual(['bootstrap', 'laptop script'])
    expect(JSON.stringify(listed.body)).not.toContain(engineerToken)
    expect((await call(bearer(engineerToken), 'GET', `/api/tokens?user=${admin.userId}`)).status).toBe(404)
    expect((await call(admin, 'GET', `/api/tokens?user=${engineerId}`)).body.total).toBe(2)
  })

  it('a revoked token is refused (401); someone else’s token cannot be revoked by a non-admin', async () => {
    const mine = (await call(bearer(engineerToken), 'GET', '/api/tokens')).body.items.find((t: { name: string }) => t.name === 'laptop script')
    expect((await call(viewer, 'DELETE', `/api/tokens/${mine.id}`)).status).toBe(404)
    expect((await call(bearer(engineerToken), 'DELETE', `/api/tokens/${mine.id}`)).status).toBe(204)
    const after = await call(bearer(engineerToken), 'GET', '/api/customers')
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('UNAUTHENTICATED')
    const listed = await call(admin, 'GET', `/api/tokens?user=${engineerId}&active=false`)
    expect(listed.body.items).toEqual([expect.objectContaining({ id: mine.id, active: false, revokedAt: expect.any(String) })])
  })

  it('a viewer writes nothing here (403) and a manager cannot create users, least of all an administrator', async () => {
    expect((await call(viewer, 'POST', '/api/customers', { id: `v${tag}`, name: 'x' })).status).toBe(403)
    expect((await call(viewer, 'PATCH', `/api/customers/${customer}/sites/hq`, { name: 'x' })).status).toBe(403)
    expect((await call(viewer, 'PATCH', `/api/contracts/k-${tag}`, { name: 'x' })).status).toBe(403)
    expect((await call(viewer, 'GET', '/api/users')).status).toBe(403)
    expect((await call(viewer, 'GET', '/api/audit')).status).toBe(403)
    // What a viewer may see: their own customer only.
    expect((await call(viewer, 'GET', '/api/customers')).body.items.map((c: { id: string }) => c.id)).toEqual([`viewerco${tag}`])

    const refused = await call(manager, 'POST', '/api/users', { username: `boss-${tag}`, role: 'admin', password: 'a long enough password' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('FORBIDDEN')
    expect((await collector.db.query('select 1 from app_user where username = $1', [`boss-${tag}`])).rows).toEqual([])
    expect((await call(manager, 'PATCH', `/api/users/${engineerId}`, { role: 'admin' })).status).toBe(403)
  })

  it('refuses bad input with 400 and the fields concerned, and writes nothing', async () => {
    const zone = await call(manager, 'POST', '/api/customers', { id: `tz${tag}`, name: 'x', timeZone: 'Mars/Olympus_Mons' })
    expect(zone.status).toBe(400)
    expect(zone.body.error.details).toEqual([{ instancePath: '/timeZone', message: expect.stringContaining('unknown time zone') }])
    const unknown = await call(manager, 'POST', '/api/customers', { id: `uk${tag}`, name: 'x', colour: 'red' })
    expect(unknown.status).toBe(400)
    expect(JSON.stringify(unknown.body.error.details)).toContain('colour')
    const badId = await call(manager, 'PATCH', `/api/customers/${customer}`, {})
    expect(badId.status).toBe(400)
    const targets = await call(manager, 'POST', `/api/customers/${customer}/contracts`, {
      id: `bad-${tag}`,
      name: 'impossible',
      validFrom: nextYear,
      validTo: today,
      calendar: { kind: '24x7' },
      targets: { L2: { responseMin: 60, onsiteMin: 120, resolveMin: 30 } },
    })
    expect(targets.status).toBe(400)
    expect(targets.body.error.details.map((d: { instancePath: string }) => d.instancePath).sort()).toEqual(['/targets/L2/resolveMin', '/validTo'])
    const shortPassword = await call(admin, 'POST', '/api/users', { username: `short-${tag}`, role: 'viewer', password: 'tooshort' })
    expect(shortPassword.status).toBe(400)
    expect(shortPassword.body.error.details[0].instancePath).toBe('/password')
    const noSuchCustomer = await call(admin, 'POST', '/api/users', { username: `lost-${tag}`, role: 'engineer', customers: [customer, `nowhere${tag}`] })
    expect(noSuchCustomer.body.error.details).toEqual([{ instancePath: '/customers/1', message: `customer "nowhere${tag}" does not exist` }])
    const rows = await collector.db.query("select id from customer where id in ($1, $2) union all select id from contract where id = $3 union all select id from app_user where username in ($4, $5)", [
      `tz${tag}`,
      `uk${tag}`,
      `bad-${tag}`,
      `short-${tag}`,
      `lost-${tag}`,
    ])
    expect(rows.rows).toEqual([])
  })

  it('users: generated password shown once, reset, disable (token refused), own password change, last admin kept', async () => {
    const made = await call(admin, 'POST', '/api/users', { username: `gen-${tag}`, role: 'viewer', customers: [customer] })
    expect(made.status).toBe(201)
    expect(made.body.password).toHaveLength(24)
    const hash = async (id: string) => (await collector.db.query<{ password_hash: string }>('select password_hash from app_user where id = $1', [id])).rows[0]!.password_hash
    expect(await verifyPassword(made.body.password, await hash(made.body.id))).toBe(true)
    expect((await call(admin, 'GET', `/api/users/${made.body.id}`)).body).not.toHaveProperty('password')

    const reset = await call(admin, 'POST', `/api/users/${made.body.id}/password`, {})
    expect(reset.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/)
    expect(await verifyPassword(reset.body.password, await hash(made.body.id))).toBe(true)

    // Signing in with it shows as the last login; a later reset ends that session.
    const login = await collector.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `gen-${tag}`, password: reset.body.password } })
    expect(login.statusCode, login.body).toBe(200)
    const cookie = String(login.headers['set-cookie']).split(';')[0]!
    expect((await collector.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200)
    const lastLogin = await waitFor(async () => (await call(admin, 'GET', `/api/users/${made.body.id}`)).body.lastLoginAt as string | null)
    expect(Date.now() - Date.parse(lastLogin)).toBeLessThan(60_000)
    expect((await call(admin, 'POST', `/api/users/${made.body.id}/password`, { password: 'chosen by the admin' })).body).toEqual({ id: made.body.id })
    expect((await collector.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401)

    const token = await createApiToken(collector.db, made.body.id, 'viewer script')
    expect((await call(bearer(token.token), 'GET', '/api/customers')).status).toBe(200)
    const disabled = await call(admin, 'PATCH', `/api/users/${made.body.id}`, { disabled: true })
    expect(disabled.body).toMatchObject({ disabled: true })
    expect((await call(bearer(token.token), 'GET', '/api/customers')).status).toBe(401)
    expect((await call(admin, 'GET', '/api/users?disabled=true')).body.items.map((u: { id: string }) => u.id)).toEqual([made.body.id])
    expect((await call(admin, 'PATCH', `/api/users/${made.body.id}`, { role: 'manager', customers: [customer] })).status).toBe(400)
    expect((await call(admin, 'PATCH', `/api/users/${made.body.id}`, { role: 'manager', disabled: false })).body).toMatchObject({ role: 'manager', customers: [], disabled: false })

    const wrong = await call(manager, 'POST', '/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new password' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.code).toBe('BAD_CREDENTIALS')
    const changed = await call(manager, 'POST', '/api/auth/password', { currentPassword: manager.password, newPassword: 'a brand new password' })
    expect(changed.status).toBe(204)
    expect(await verifyPassword('a brand new password', await hash(manager.userId))).toBe(true)

    // The last enabled administrator cannot be demoted or disabled. The collector made one of its
    // own at start (bootstrap); disable the others first, then put them back.
    const others = (await call(admin, 'GET', '/api/users?role=admin&disabled=false')).body.items.filter((u: { id: string }) => u.id !== admin.userId)
    expect(others.length).toBeGreaterThan(0)
    for (const u of others) expect((await call(admin, 'PATCH', `/api/users/${u.id}`, { disabled: true })).status).toBe(200)
    const demote = await call(admin, 'PATCH', `/api/users/${admin.userId}`, { role: 'manager' })
    expect(demote.status).toBe(409)
    expect(demote.body.error.code).toBe('LAST_ADMIN')
    expect((await call(admin, 'PATCH', `/api/users/${admin.userId}`, { disabled: true })).status).toBe(409)
    for (const u of others) expect((await call(admin, 'PATCH', `/api/users/${u.id}`, { disabled: false })).status).toBe(200)
  })

  it('changing your own password is rate-limited per user', async () => {
    const guesser = await apiAuth(collector.db, { role: 'viewer', customers: [customer] })
    for (let i = 0; i < 10; i++) expect((await call(guesser, 'POST', '/api/auth/password', { currentPassword: `guess number ${i}`, newPassword: 'whatever I like now' })).status).toBe(400)
    const limited = await call(guesser, 'POST', '/api/auth/password', { currentPassword: guesser.password, newPassword: 'whatever I like now' })
    expect(limited.status).toBe(429)
    expect(limited.body.error.code).toBe('RATE_LIMITED')
    // Someone else is not held back by it.
    const other = await apiAuth(collector.db, { role: 'viewer', customers: [customer] })
    expect((await call(other, 'POST', '/api/auth/password', { currentPassword: other.password, newPassword: 'whatever I like now' })).status).toBe(204)
  })

  it('lists paginate with total, limit and offset, and filter', async () => {
    const first = await call(manager, 'GET', '/api/customers?limit=1&offset=0')
    expect(first.body).toMatchObject({ limit: 1, offset: 0 })
    expect(first.body.total).toBeGreaterThanOrEqual(3)
    expect(first.body.items).toHaveLength(1)
    const second = await call(manager, 'GET', '/api/customers?limit=1&offset=1')
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id)
    expect((await call(manager, 'GET', `/api/customers?q=GLOBEX${tag}`)).body.items.map((c: { id: string }) => c.id)).toEqual([other])
    expect((await call(manager, 'GET', `/api/customers?class=group&q=${tag}`)).body.items.map((c: { id: string }) => c.id)).toEqual([customer])
    expect((await call(manager, 'GET', '/api/customers?q=%25')).body.total).toBe(0)
    expect((await call(manager, 'GET', '/api/customers?limit=0')).status).toBe(400)
    expect((await call(admin, 'GET', `/api/users?customer=${customer}&role=engineer`)).body.items.map((u: { username: string }) => u.username)).toEqual([`eng-${tag}`])
  })

  it('the writes are in the audit log, newest first, filterable, with no password in it', async () => {
    interface Entry { time: string; username: string | null; action: string; customer: string | null; target: { type: string | null; id: string | null } | null; details: { body?: Record<string, unknown> } | null }
    const audit = async (query: string) => {
      const res = await call(admin, 'GET', `/api/audit?${query}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body as { total: number; items: Entry[] }
    }
    // Rows are written after each answer has gone out: the last write of the previous test may still be on its way.
    const ofManager = await waitFor(async () => {
      const page = await audit(`user=${manager.username}&limit=500`)
      return page.items.some((e) => e.action === 'POST /api/auth/password') ? page : null
    })
    const actions = ofManager.items.map((e) => e.action)
    for (const action of ['POST /api/customers', 'PATCH /api/customers/:customer', 'POST /api/customers/:customer/sites', 'PATCH /api/customers/:customer/sites/:site', 'POST /api/customers/:customer/contracts', 'PATCH /api/contracts/:id']) {
      expect(actions, action).toContain(action)
    }
    expect(ofManager.items.every((e) => e.username === manager.username)).toBe(true)
    const times = ofManager.items.map((e) => e.time)
    expect(times).toEqual([...times].sort().reverse())
    // Refused writes (403, 400) are not changes and leave no row.
    expect((await audit(`user=${viewer.username}&action=/api/customers`)).total).toBe(0)

    const ofCustomer = await audit(`customer=${customer}`)
    expect(ofCustomer.items.map((e) => e.action)).toEqual(expect.arrayContaining(['PATCH /api/customers/:customer', 'POST /api/customers/:customer/sites', 'POST /api/customers/:customer/contracts']))
    expect(ofCustomer.items.every((e) => e.customer === customer)).toBe(true)

    const users = await audit(`action=${encodeURIComponent('POST /api/users')}`)
    const engineerCreated = users.items.find((e) => e.details?.body?.username === `eng-${tag}`)
    expect(engineerCreated?.details?.body?.password).toBe('[removed]')
    const everything = JSON.stringify((await audit('limit=500')).items)
    expect(everything).not.toContain('correct horse battery')
    expect(everything).not.toContain('a brand new password')
    expect(everything).not.toContain(manager.password)

    expect((await audit(`from=${encodeURIComponent(startedAt)}&user=${manager.username}`)).total).toBe(ofManager.total)
    expect((await audit(`to=${encodeURIComponent(startedAt)}&user=${manager.username}`)).total).toBe(0)
    const paged = await audit(`user=${manager.username}&limit=2&offset=1`)
    expect(paged.items.map((e) => e.time)).toEqual(times.slice(1, 3))
    expect((await call(manager, 'GET', '/api/audit')).status).toBe(403)
  })
})
