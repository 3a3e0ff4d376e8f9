/**
 * The web console in a real browser (Debian's chromium through playwright-core) against a real
 * collector on each target, with an agent for this machine reporting every 5 s:
 * 1. an administrator signs in, sees the overview, opens this machine's device page and sees its
 *    CPU, memory and filesystems update, with charts drawn;
 * 2. a full filesystem reported through ingest opens a ticket; an engineer acknowledges it on the
 *    ticket page and assigns it to himself; the API shows it acknowledged by and assigned to that engineer;
 * 3. a report generated and downloaded from the reports page carries the customer's name;
 * 4. a viewer of customer acme opening customer beta's device sees "not found", and beta's device
 *    appears in none of acme's lists;
 * 5. the language switches to English and back to Chinese, and the choice survives a reload;
 * 6. on a tablet an engineer ticks the site's pre-inspection checklist and saves it (two columns
 *    from 768 px, one below);
 * 7. an administrator goes through every administration page, adds a customer and edits it, changes
 *    a user's role and disables and re-enables them, and creates a site enrollment token, shown once.
 * Every page visited is saved as test/e2e/screenshots/<scenario>-<page>.png.
 */
import { readFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { apiAuth, type ApiAuth } from '../../support/auth.js'
import { hasCommand, waitFor } from '../../support/peers.js'
import { targets } from '../../support/targets.js'
import { browserPeers, ingest, launchBrowser, login, shot, startStack, type Stack } from './support.js'

const peers = browserPeers()
const names = await targets()

interface TicketJson {
  id: number
  status: string
  acknowledgedAt: string | null
  assignee: string | null
  history: { kind: string; actor: string | null }[]
}

describe.skipIf(!peers.available).each(names)('console in the browser on %s', (target) => {
  let stack: Stack
  let browser: Browser
  let admin: ApiAuth
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ;[stack, browser] = await Promise.all([startStack(target), launchBrowser()])
    admin = await apiAuth(stack.collector.db, { role: 'admin', username: 'ada-admin' })
  })
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined)
    await browser?.close()
    await stack?.stop()
  })

  /** A fresh browser profile (no stored language, no session) at tablet-landscape size. */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })
    contexts.push(context)
    const page = await context.newPage()
    // Anything the page fails to load is a test failure, not a silently broken console.
    const failures: string[] = []
    page.on('pageerror', (e) => failures.push(`page error: ${e.message}`))
    ;(page as Page & { failures?: string[] }).failures = failures
    return page
  }
  const api = async <T>(url: string, who: ApiAuth = admin) => {
    const res = await stack.collector.app.inject({ url, headers: who.headers })
    return { status: res.statusCode, body: res.json() as T }
  }
  const pageErrors = (page: Page) => (page as Page & { failures?: string[] }).failures ?? []

  it('1: an administrator signs in, sees the overview and this machine with live values and charts', async () => {
    const page = await newPage()
    await login(page, stack.url, admin.username, admin.password)
    // The administrator's language is English (apiAuth) and nothing is stored yet: the console follows the user.
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Overview')
    const deviceLink = page.locator(`[data-testid=customers], [data-testid=devices]`).locator(`a[href="/devices/${stack.localDevice}"]`).first()
    await waitFor(
      async () => {
        if (await deviceLink.isVisible()) return true
        await page.reload()
        await page.locator('h1').first().waitFor()
        return false
      },
      { what: 'this machine in the overview', timeoutMs: 60_000, intervalMs: 2000 },
    )
    await expect(page.locator('[data-testid=customers]').textContent()).resolves.toContain('ACME 精密制造')
    await shot(page, target, '1-admin', 'overview')

    await deviceLink.click()
    await page.locator('[data-testid=device-page]').waitFor()
    const cpu = page.locator('[data-metric=cpu] strong')
    const memory = page.locator('[data-metric=memory] strong')
    await waitFor(async () => /\d/.test((await cpu.textContent()) ?? '') && /\d/.test((await memory.textContent()) ?? ''), { what: 'CPU and memory values', timeoutMs: 60_000 })
    const memoryPercent = Number((await memory.textContent())!.replace(/[^\d.]/g, ''))
    expect(memoryPercent).toBeGreaterThan(0)
    expect(memoryPercent).toBeLessThanOrEqual(100)
    await waitFor(async () => (await page.locator('[data-testid=filesystems] tbody tr td meter').count()) > 0, { what: 'filesystems with their use', timeoutMs: 30_000 })
    await expect(page.locator('[data-testid=filesystems]').textContent()).resolves.toContain('/')

    // Live: the values refresh by themselves (the agent reports every 5 s; the page re-reads).
    const lastSeen = page.locator('[data-testid=last-seen]')
    const before = await lastSeen.textContent()
    await waitFor(async () => (await lastSeen.textContent()) !== before, { what: 'the device page to show a newer reading', timeoutMs: 60_000, intervalMs: 500 })

    // Charts are drawn by uPlot once there are points.
    const history = async () => `history section: ${(await page.locator('[data-testid=history-charts]').textContent())?.slice(0, 300)}`
    await waitFor(async () => (await page.locator('[data-testid="chart-cpu.load_percent"] canvas').count()) > 0, { what: 'the CPU chart', timeoutMs: 60_000, intervalMs: 1000, onTimeout: history })
    await waitFor(async () => (await page.locator('[data-testid="chart-mem.used_percent"] canvas').count()) > 0, { what: 'the memory chart', timeoutMs: 30_000 })
    expect(Number(await page.locator('[data-testid="chart-cpu.load_percent"] .chart').getAttribute('data-points'))).toBeGreaterThan(0)
    await shot(page, target, '1-admin', 'device')
    expect(pageErrors(page)).toEqual([])
  })

  it('2: an engineer acknowledges and assigns a ticket that a full filesystem opened; the API shows who', async () => {
    const device = { customer: 'acme', site: 'hq', device: 'acme-srv-01' }
    const now = Date.now()
    await ingest(stack.collector, device, 'inventory', {
      collectedAt: now,
      inventory: { system: { manufacturer: 'Dell Inc.', model: 'PowerEdge T150', serial: 'CN7XYZ1' }, os: { distro: 'Windows Server 2022', hostname: 'ACME-SRV-01' } },
    })
    await ingest(stack.collector, device, 'metrics', { points: [-3, -2, -1, 0].map((m) => ({ ts: now + m * 60_000, metric: 'fs.used_percent', instance: 'D:', value: 98 + m * 0.1 })) })
    const ticket = await waitFor(
      async () => (await stack.collector.db.query<{ id: number }>(`select id from ticket where device_id = 'acme-srv-01' and status = 'open'`)).rows[0],
      { what: 'a ticket from the full filesystem', timeoutMs: 30_000 },
    )
    const engineer = await apiAuth(stack.collector.db, { role: 'engineer', customers: ['acme'], username: 'erin-engineer' })

    const page = await newPage()
    await login(page, stack.url, engineer.username, engineer.password)
    await page.locator('nav a[href="/tickets"]').first().click()
    const row = page.locator(`[data-ticket="${ticket.id}"]`)
    await row.waitFor({ timeout: 30_000 })
    // The response clock of the contract's 30 minutes counts down by itself.
    const clock = row.locator('.clock').first()
    const first = (await clock.textContent()) ?? ''
    expect(first).toMatch(/\d+ min \d+ s left/)
    await waitFor(async () => ((await clock.textContent()) ?? first) !== first, { what: 'the SLA clock to tick', timeoutMs: 5000 })
    await shot(page, target, '2-ticket', 'queue')

    // Live: a new fault shows up in the open queue by itself, through /api/events (the page's
    // fallback timer is 30 s; the event arrives within a second or two).
    await page.locator('.live.on').waitFor({ timeout: 15_000 })
    await ingest(stack.collector, { ...device, device: 'acme-srv-02' }, 'metrics', { points: [{ ts: Date.now(), metric: 'fs.used_percent', instance: 'E:', value: 99.5 }] })
    await page.locator('[data-testid=tickets]').getByText('acme-srv-02').first().waitFor({ timeout: 20_000 })

    await row.locator(`a[href="/tickets/${ticket.id}"]`).first().click()
    await page.locator('[data-testid=ticket-page] h1').waitFor()
    await expect(page.locator('[data-testid=ticket-page] h1').textContent()).resolves.toContain('D:')
    await shot(page, target, '2-ticket', 'ticket')
    await page.locator('[data-action=acknowledge]').click()
    await page.locator('h1 .tstate-acknowledged').waitFor({ timeout: 30_000 })
    await page.locator('[data-testid=history]').getByText(engineer.username).first().waitFor()
    await shot(page, target, '2-ticket', 'acknowledged')

    // Assign it: to the engineer, by name.
    const events = page.locator('[data-testid=history] li')
    const before = await events.count()
    await page.locator('input[name=assignee]').fill(engineer.username)
    await page.locator('[data-action=assign]').click()
    await waitFor(async () => (await events.count()) > before, { what: 'the assignment in the history', timeoutMs: 30_000 })
    expect(await page.locator('[data-testid=ticket-page] .error').count()).toBe(0)
    await shot(page, target, '2-ticket', 'assigned')

    const { status, body } = await api<TicketJson>(`/api/tickets/${ticket.id}`)
    expect(status).toBe(200)
    expect(body.status).toBe('acknowledged')
    expect(body.acknowledgedAt).not.toBeNull()
    expect(body.history.find((h) => h.kind === 'acknowledge')?.actor).toBe(engineer.username)
    expect(body.assignee).toBe(engineer.username)
    expect(body.history.find((h) => h.kind === 'assign')?.actor).toBe(engineer.username)
    expect(pageErrors(page)).toEqual([])
  })

  it("3: a report generated on the reports page downloads with the customer's name inside", async () => {
    const page = await newPage()
    await login(page, stack.url, admin.username, admin.password)
    await page.goto(`${stack.url}/reports?customer=acme`)
    await page.locator('[data-testid=reports]').waitFor()
    await shot(page, target, '3-report', 'reports')
    const d = new Date()
    const quarter = `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`
    await page.locator('input[name=quarter]').fill(quarter)
    await page.locator('select[name=lang]').selectOption('zh-CN')
    await page.getByRole('button', { name: 'Generate report' }).click()
    const row = page.locator('[data-testid=reports] tr[data-report]').first()
    await row.waitFor({ timeout: 170_000 })
    await expect(row.textContent()).resolves.toContain(quarter)
    await shot(page, target, '3-report', 'generated')

    const [html] = await Promise.all([page.waitForEvent('download'), row.locator('a[data-format=html]').click()])
    const htmlText = await readFile((await html.path())!, 'utf8')
    expect(htmlText).toMatch(/^<!doctype html>/i)
    expect(htmlText).toContain('ACME 精密制造')
    expect(html.suggestedFilename()).toMatch(/\.html$/)

    if (await row.locator('a[data-format=pdf]').count()) {
      const [pdf] = await Promise.all([page.waitForEvent('download'), row.locator('a[data-format=pdf]').click()])
      const file = (await pdf.path())!
      expect((await readFile(file)).subarray(0, 5).toString()).toBe('%PDF-')
      if (hasCommand('pdftotext')) expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('ACME 精密制造')
    }
    expect(pageErrors(page)).toEqual([])
  })

  it("4: a viewer of acme gets 'not found' for beta's device and never sees it in acme's lists", async () => {
    const beta = { customer: 'beta', site: 'main', device: 'beta-pc-01' }
    const now = Date.now()
    await ingest(stack.collector, beta, 'metrics', { points: [-2, -1, 0].map((m) => ({ ts: now + m * 60_000, metric: 'fs.used_percent', instance: 'C:', value: 99 })) })
    await waitFor(async () => (await stack.collector.db.query(`select 1 from ticket where device_id = 'beta-pc-01'`)).rows.length > 0, { what: "beta's ticket", timeoutMs: 30_000 })
    const viewer = await apiAuth(stack.collector.db, { role: 'viewer', customers: ['acme'], username: 'vic-viewer' })

    const page = await newPage()
    await login(page, stack.url, viewer.username, viewer.password)
    // The lists have loaded (acme's own machine is there) and carry nothing of beta's.
    await page.locator(`a[href="/devices/${stack.localDevice}"]`).first().waitFor({ timeout: 60_000 })
    const overview = (await page.locator('main').textContent()) ?? ''
    expect(overview).not.toContain('beta-pc-01')
    expect(overview).not.toContain('Beta Logistics')
    await expect(page.locator('nav a[href="/admin"]').count()).resolves.toBe(0)
    await shot(page, target, '4-viewer', 'overview')

    await page.goto(`${stack.url}/tickets?status=`)
    await page.locator('[data-testid=tickets]').waitFor()
    await waitFor(async () => !(await page.locator('.muted', { hasText: 'Loading' }).count()), { what: 'the ticket list' })
    const tickets = (await page.locator('main').textContent()) ?? ''
    expect(tickets).toContain('acme-srv-01')
    expect(tickets).not.toContain('beta-pc-01')
    await shot(page, target, '4-viewer', 'tickets')

    await page.goto(`${stack.url}/devices/beta-pc-01`)
    await page.locator('[data-testid=not-found]').waitFor({ timeout: 30_000 })
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/Beta Logistics|99/)
    await shot(page, target, '4-viewer', 'device-of-other-customer')
    // Reports: a viewer reads acme's archive but has nothing to generate with.
    await page.goto(`${stack.url}/reports`)
    await page.locator('[data-testid=reports]').waitFor()
    await page.locator('select[name=customer] option').first().waitFor({ state: 'attached' })
    await expect(page.locator('select[name=customer] option').allTextContents()).resolves.toEqual(['ACME 精密制造'])
    await expect(page.locator('input[name=quarter]').count()).resolves.toBe(0)
    // The API agrees: another tenant's device looks exactly like one that does not exist.
    expect((await api(`/api/devices/beta-pc-01`, viewer)).status).toBe(404)
    expect((await api(`/api/devices/no-such-device`, viewer)).status).toBe(404)
    expect(pageErrors(page)).toEqual([])
  })

  it('5: the language switches to English and back to Chinese, and stays after a reload', async () => {
    const page = await newPage()
    await page.goto(stack.url)
    // Before anyone signs in, the console speaks Chinese.
    await page.getByRole('button', { name: '登录' }).waitFor()
    await shot(page, target, '5-language', 'login-zh')
    await login(page, stack.url, admin.username, admin.password)
    const heading = page.locator('main h1').first()
    await expect(heading.textContent()).resolves.toBe('Overview')
    await page.locator('[data-testid=lang]').selectOption('zh-CN')
    await waitFor(async () => (await heading.textContent()) === '总览', { what: 'the Chinese overview' })
    await expect(page.locator('nav').first().textContent()).resolves.toContain('工单')
    await page.locator('[data-testid=lang]').selectOption('en')
    await waitFor(async () => (await heading.textContent()) === 'Overview', { what: 'the English overview' })
    await expect(page.locator('nav').first().textContent()).resolves.toContain('Tickets')
    await shot(page, target, '5-language', 'overview-en')
    await page.locator('[data-testid=lang]').selectOption('zh-CN')
    await waitFor(async () => (await heading.textContent()) === '总览', { what: 'Chinese again' })
    await page.reload()
    await page.locator('main h1').first().waitFor()
    await expect(page.locator('main h1').first().textContent()).resolves.toBe('总览')
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN')
    await shot(page, target, '5-language', 'overview-zh')
    // Signing out ends the session: back to the login form, and the API no longer knows this browser.
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('button', { name: '登录' }).waitFor()
    await expect(page.evaluate(() => fetch('/api/auth/me').then((r) => r.status))).resolves.toBe(401)
    expect(pageErrors(page)).toEqual([])
  })

  it('6: on a tablet an engineer ticks the pre-inspection checklist and saves it; narrower screens get one column', async () => {
    const engineer = await apiAuth(stack.collector.db, { role: 'engineer', customers: ['acme'], username: 'tess-tablet' })
    const page = await newPage()
    await page.setViewportSize({ width: 768, height: 1024 })
    await login(page, stack.url, engineer.username, engineer.password)
    await page.goto(`${stack.url}/customers/acme/sites/hq`)
    const checklist = page.locator('[data-testid=checklist]')
    await checklist.waitFor({ timeout: 30_000 })
    // Evaluated in the page (the test's own TypeScript has no DOM library).
    type Styled = { getComputedStyle(el: unknown): { gridTemplateColumns: string } }
    const columns = async () =>
      (await page.locator('main .cols').first().evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).gridTemplateColumns)).split(' ').length
    await expect(columns()).resolves.toBe(2)
    const boxes = checklist.locator('input[type=checkbox]')
    expect(await boxes.count()).toBeGreaterThan(2)
    // Touch-sized: every checklist row is at least 40 px tall.
    for (const height of await checklist.locator('label.check').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) expect(height).toBeGreaterThanOrEqual(40)
    const ticked = [await checklist.locator('label.check span').nth(0).textContent(), await checklist.locator('label.check span').nth(1).textContent()]
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await checklist.locator('textarea').fill('UPS 电池已检查')
    await shot(page, target, '6-tablet', 'site-review')
    await checklist.locator('button.primary').click()
    await checklist.locator('.ok').waitFor({ timeout: 30_000 })
    await shot(page, target, '6-tablet', 'site-saved')

    const { status, body } = await api<{ total: number; items: { engineer: string; notes: string | null; items: { item: string; done: boolean }[] }[] }>(
      '/api/customers/acme/sites/hq/inspections',
      engineer,
    )
    expect(status).toBe(200)
    expect(body.total).toBe(1)
    expect(body.items[0]!.engineer).toBe(engineer.username)
    expect(body.items[0]!.notes).toBe('UPS 电池已检查')
    expect(body.items[0]!.items.filter((i) => i.done).map((i) => i.item)).toEqual(ticked)

    await page.setViewportSize({ width: 600, height: 900 })
    await page.goto(stack.url)
    await page.locator('main .cols').first().waitFor()
    await expect(columns()).resolves.toBe(1)
    await shot(page, target, '6-phone', 'overview')
    expect(pageErrors(page)).toEqual([])
  })

  it('7: an administrator goes through the administration pages, adds and edits a customer, edits a user, adds an enrollment token', async () => {
    const page = await newPage()
    await login(page, stack.url, admin.username, admin.password)
    await page.locator('nav a[href="/admin"]').click()
    const sections = await page.locator('nav.subnav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!))
    expect(sections).toEqual(['/admin/customers', '/admin/sites', '/admin/contracts', '/admin/users', '/admin/tokens', '/admin/enrollment', '/admin/rules', '/admin/overrides', '/admin/audit'])
    for (const href of sections) {
      await page.locator(`nav.subnav a[href="${href}"]`).click()
      const table = page.locator(`[data-testid=admin-${href.split('/').pop()}]`)
      await table.waitFor()
      await waitFor(async () => (await page.locator('main .muted', { hasText: 'Loading' }).count()) === 0, { what: `${href} to load` })
      // Every list loads: an API error would show in the page's error box.
      expect(await page.locator('main .error').allTextContents(), href).toEqual([])
      await shot(page, target, '7-admin', href.split('/').pop()!)
      if (href === '/admin/rules') await expect(table.textContent()).resolves.toContain('fs-nearly-full')
      if (href === '/admin/users') await expect(table.textContent()).resolves.toContain(admin.username)
    }

    await page.locator('nav.subnav a[href="/admin/customers"]').click()
    await page.locator('input[name=id]').fill('gamma')
    await page.locator('input[name=name]').fill('Gamma 医院')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('[data-testid=admin-customers]').getByText('Gamma 医院').waitFor({ timeout: 15_000 })
    expect((await api<{ name: string }>('/api/customers/gamma')).body.name).toBe('Gamma 医院')
    // Edit it: only the fields changed are sent.
    await page.locator('[data-testid=admin-customers] button[data-edit=gamma]').click()
    const customerForm = page.locator('[data-testid=admin-edit]')
    await customerForm.locator('input[name=contactEmail]').fill('it@gamma.example')
    await customerForm.locator('select[name=class]').selectOption('group')
    await customerForm.getByRole('button', { name: 'Save' }).click()
    await customerForm.locator('.ok').waitFor({ timeout: 15_000 })
    const gamma = (await api<{ name: string; class: string; contactEmail: string | null }>('/api/customers/gamma')).body
    expect(gamma).toMatchObject({ name: 'Gamma 医院', class: 'group', contactEmail: 'it@gamma.example' })

    // Users: change a user's role, disable them, enable them again.
    const user = await apiAuth(stack.collector.db, { role: 'viewer', customers: ['acme'], username: 'uma-user' })
    type UserJson = { id: string; username: string; role: string; disabled: boolean; customers: string[] }
    const userJson = async () => (await api<{ items: UserJson[] }>('/api/users?q=uma-user')).body.items[0]!
    const { id: userId } = await userJson()
    await page.locator('nav.subnav a[href="/admin/users"]').click()
    const editUser = page.locator(`[data-testid=admin-users] button[data-edit="${userId}"]`)
    await editUser.click()
    const userForm = page.locator('[data-testid=admin-edit]')
    await userForm.locator('select[name=role]').selectOption('engineer')
    await userForm.locator('input[name=disabled]').check()
    await userForm.getByRole('button', { name: 'Save' }).click()
    await userForm.locator('.ok').waitFor({ timeout: 15_000 })
    await expect(userJson()).resolves.toMatchObject({ username: user.username, role: 'engineer', disabled: true, customers: ['acme'] })
    await shot(page, target, '7-admin', 'user-edited')
    await userForm.locator('input[name=disabled]').uncheck()
    await userForm.getByRole('button', { name: 'Save' }).click()
    await waitFor(async () => !(await userJson()).disabled, { what: 'the user enabled again', timeoutMs: 15_000 })
    await expect(userJson()).resolves.toMatchObject({ role: 'engineer', disabled: false })

    await page.locator('nav.subnav a[href="/admin/enrollment"]').click()
    await page.locator('input[name=customer]').fill('acme')
    await page.locator('input[name=site]').fill('hq')
    await page.locator('input[name=note]').fill('新前台电脑')
    await page.getByRole('button', { name: 'Save' }).click()
    const secret = page.locator('.secret code')
    await secret.waitFor({ timeout: 15_000 })
    expect(((await secret.textContent()) ?? '').length).toBeGreaterThan(16)
    await page.locator('[data-testid=admin-enrollment]').getByText('新前台电脑').waitFor()
    await shot(page, target, '7-admin', 'enrollment-created')
    expect(pageErrors(page)).toEqual([])
  })
})
