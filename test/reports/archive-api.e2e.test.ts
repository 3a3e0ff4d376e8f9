/**
 * The report archive and inspection records through the HTTP API, on both targets: generate
 * (versions 1, 2 …), list newest first without file bodies, download HTML and PDF with safe file
 * names, tenancy (another customer's report is a 404, never a 403), roles, ids that try to climb
 * out of the archive, e-mail through a real in-process SMTP server with the PDF read back, and
 * the inspection record that appears in the report of its period.
 */
import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningCollector } from '@patrol/collector'
import type { ArchiveDetail, ArchiveEntry } from '../../collector/src/reports/archive.js'
import { findChromium } from '../../collector/src/reports/pdf.js'
import { apiAuth, type ApiAuth } from '../support/auth.js'
import { commandPeer, requirePeer } from '../support/peers.js'
import { makeTarget, startTestCollector, targets } from '../support/targets.js'
import { startSmtpSink, type SmtpSink } from './smtp-sink.js'
import { CUSTOMER, seedQuarter } from './seed.js'


const names = await targets()
const chromium = requirePeer('chromium', findChromium() !== null, 'apt-get install -y chromium fonts-noto-cjk')
const poppler = commandPeer('pdftotext', 'poppler-utils')

describe.each(names)('report archive API on %s', (name) => {
  const target = makeTarget(name)
  let collector: RunningCollector
  let smtp: SmtpSink
  let dir: string
  let engineer: ApiAuth
  let manager: ApiAuth
  let viewer: ApiAuth
  let stranger: ApiAuth
  let first: ArchiveEntry
  let second: ArchiveEntry

  beforeAll(async () => {
    smtp = await startSmtpSink()
    collector = await startTestCollector(await target.config({ reportSchedule: false, reportSmtpUrl: smtp.url, reportMailFrom: 'reports@msp.example' }))
    await seedQuarter(collector.db)
    await collector.db.query(`insert into customer (id, name, class, contact_email) values ('other', 'Other Co', 'group', 'it@other.example')`)
    engineer = await apiAuth(collector.db, { role: 'engineer', customers: [CUSTOMER] })
    manager = await apiAuth(collector.db, { role: 'manager' })
    viewer = await apiAuth(collector.db, { role: 'viewer', customers: [CUSTOMER] })
    stranger = await apiAuth(collector.db, { role: 'engineer', customers: ['other'] })
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-archive-api-'))
  })
  afterAll(async () => {
    await collector?.close()
    await smtp?.close()
    await target.cleanup()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const call = (who: ApiAuth, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    collector.app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })

  it('generates the quarter as version 1, then version 2, keeping both', async () => {
    const res1 = await call(engineer, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026Q3', lang: 'en', pdf: false })
    expect(res1.statusCode, res1.body).toBe(201)
    first = res1.json<ArchiveEntry>()
    expect(first).toMatchObject({ customer: CUSTOMER, site: null, periodLabel: '2026Q3', lang: 'en', version: 1, status: 'draft', trigger: 'api', generatedBy: engineer.username, pdfBytes: null })
    expect(first.pdfMissing).toBe('PDF not requested')
    expect(first.periodFrom).toBe('2026-06-30T16:00:00.000Z') // the customer's zone, Asia/Shanghai
    // Edits go in with the regeneration and are kept with it.
    const edits = { add: [{ severity: 'warning', deviceId: null, text: 'Server room door does not lock', recommendation: 'Repair the lock' }] }
    const res2 = await call(engineer, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026q3', lang: 'en', edits, ...(chromium.available ? {} : { pdf: false }) })
    expect(res2.statusCode, res2.body).toBe(201)
    second = res2.json<ArchiveEntry>()
    expect(second.version).toBe(2)
    if (chromium.available) {
      expect(second.pdfBytes).toBeGreaterThan(10_000)
      expect(second.pdfPages).toBeGreaterThan(3)
    }
    const detail = (await call(viewer, 'GET', `/api/reports/${second.id}`)).json<ArchiveDetail>()
    expect(detail.findings.at(-1)).toMatchObject({ key: 'engineer:1', text: 'Server room door does not lock' })
    expect(detail.edits).toEqual(edits)
    // A Chinese report of the same quarter is its own line of versions.
    const zh = await call(engineer, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026Q3', pdf: false })
    expect(zh.json<ArchiveEntry>()).toMatchObject({ lang: 'zh-CN', version: 1 })
  })

  it('lists newest first, scoped, filtered, paginated, without file bodies', async () => {
    const res = await call(viewer, 'GET', '/api/reports?lang=en')
    expect(res.statusCode).toBe(200)
    const page = res.json<{ total: number; limit: number; offset: number; items: Record<string, unknown>[] }>()
    expect(page).toMatchObject({ total: 2, limit: 50, offset: 0 })
    expect(page.items.map((i) => i.version)).toEqual([2, 1])
    expect(page.items.every((i) => !('html' in i) && !('pdf' in i) && !('findings' in i))).toBe(true)
    expect((await call(viewer, 'GET', '/api/reports?limit=1&offset=1&lang=en')).json<{ items: ArchiveEntry[] }>().items.map((i) => i.id)).toEqual([first.id])
    expect((await call(viewer, 'GET', '/api/reports')).json<{ total: number }>().total).toBe(3)
    expect((await call(manager, 'GET', `/api/reports?customer=${CUSTOMER}&period=2026Q3`)).json<{ total: number }>().total).toBe(3)
    // Someone else's staff see none of it, and asking by customer does not help.
    expect((await call(stranger, 'GET', '/api/reports')).json<{ total: number }>().total).toBe(0)
    expect((await call(stranger, 'GET', `/api/reports?customer=${CUSTOMER}`)).json<{ total: number }>().total).toBe(0)
    expect((await call(viewer, 'GET', '/api/reports?limit=0')).statusCode).toBe(400)
  })

  it('downloads the HTML and the PDF with a safe file name and the archived bytes', async () => {
    const html = await call(viewer, 'GET', `/api/reports/${first.id}/html`)
    expect(html.statusCode).toBe(200)
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8')
    const disposition = String(html.headers['content-disposition'])
    expect(disposition).toBe(`attachment; filename="inspection-acme-2026Q3-en-v1.html"; filename*=UTF-8''${encodeURIComponent('华东制造集团 2026Q3 inspection report v1.html')}`)
    expect(html.headers['x-content-type-options']).toBe('nosniff')
    expect(createHash('sha256').update(html.rawPayload).digest('hex')).toBe(first.htmlSha256)
    expect(html.body).toContain('华东制造集团')
    expect(String((await call(viewer, 'GET', `/api/reports/${first.id}/html?disposition=inline`)).headers['content-disposition'])).toMatch(/^inline; filename="/)
    const noPdf = await call(viewer, 'GET', `/api/reports/${first.id}/pdf`)
    expect(noPdf.statusCode).toBe(404)
    expect(noPdf.json()).toMatchObject({ error: { code: 'NO_PDF', message: expect.stringContaining('PDF not requested') } })
    if (!chromium.available) return
    const pdf = await call(viewer, 'GET', `/api/reports/${second.id}/pdf`)
    expect(pdf.statusCode).toBe(200)
    expect(pdf.headers['content-type']).toBe('application/pdf')
    expect(String(pdf.headers['content-disposition'])).toContain('filename="inspection-acme-2026Q3-en-v2.pdf"')
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-')
    expect(createHash('sha256').update(pdf.rawPayload).digest('hex')).toBe(second.pdfSha256)
    if (poppler.available) {
      const file = path.join(dir, 'v2.pdf')
      await writeFile(file, pdf.rawPayload)
      expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')).toContain('Server room door does not lock')
    }
  })

  it("another tenant's report is not found, whatever is asked", async () => {
    for (const url of [`/api/reports/${first.id}`, `/api/reports/${first.id}/html`, `/api/reports/${second.id}/pdf`]) {
      const res = await call(stranger, 'GET', url)
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toMatchObject({ error: { code: 'NOT_FOUND' } })
    }
    // Same answer as an id that does not exist at all: nothing to probe.
    const missing = await call(stranger, 'GET', '/api/reports/00000000-0000-4000-8000-000000000000')
    const theirs = await call(stranger, 'GET', `/api/reports/${first.id}`)
    expect(theirs.json<{ error: { message: string } }>().error.message.replace(first.id, 'X')).toBe(missing.json<{ error: { message: string } }>().error.message.replace('00000000-0000-4000-8000-000000000000', 'X'))
    expect((await call(stranger, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026Q3', pdf: false })).statusCode).toBe(404)
    expect((await collector.app.inject({ method: 'GET', url: `/api/reports/${first.id}/html` })).statusCode).toBe(401)
  })

  it('ids that try to leave the archive are refused before any query', async () => {
    const attempts = [
      '/api/reports/..%2f..%2f..%2fetc%2fpasswd/html',
      '/api/reports/%2e%2e%2f%2e%2e%2fetc%2fpasswd/pdf',
      '/api/reports/..%5c..%5cwindows%5cwin.ini/html',
      `/api/reports/${first.id}%2f..%2f..%2fetc%2fpasswd/html`,
      `/api/reports/${first.id}%00/html`,
      "/api/reports/1'%20or%20'1'='1/html",
    ]
    for (const url of attempts) {
      const res = await call(viewer, 'GET', url)
      expect([400, 404], `${url} → ${res.statusCode}`).toContain(res.statusCode)
      expect(res.body, url).not.toMatch(/root:|\[fonts\]/)
      expect(res.headers['content-disposition'], url).toBeUndefined()
    }
    // Unencoded dots are resolved by the URL itself (to /etc/passwd) before any route sees them:
    // whatever answers that path, it is no file from the archive or the disk.
    const raw = await call(viewer, 'GET', '/api/reports/../../../../etc/passwd')
    expect(raw.body).not.toMatch(/root:/)
    expect(raw.headers['content-disposition']).toBeUndefined()
  })

  it('bad requests get a reason; roles are enforced', async () => {
    const bad = [
      { customer: CUSTOMER, quarter: '2026Q5' },
      { customer: CUSTOMER },
      { customer: CUSTOMER, quarter: '2026Q3', from: '2026-07-01T00:00:00Z', to: '2026-08-01T00:00:00Z' },
      { customer: CUSTOMER, from: '2026-08-01T00:00:00Z', to: '2026-07-01T00:00:00Z' },
      { customer: CUSTOMER, from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { customer: CUSTOMER, quarter: '2026Q3', lang: 'fr' },
      { customer: '../acme', quarter: '2026Q3' },
    ]
    for (const payload of bad) {
      const res = await call(engineer, 'POST', '/api/reports', payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(400)
      expect(res.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(5)
    }
    expect((await call(engineer, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026Q3', site: 'nowhere' })).statusCode).toBe(404)
    expect((await call(viewer, 'POST', '/api/reports', { customer: CUSTOMER, quarter: '2026Q3' })).statusCode).toBe(403)
    expect((await call(engineer, 'POST', `/api/reports/${first.id}/issue`)).statusCode).toBe(403)
    expect((await call(engineer, 'POST', `/api/reports/${first.id}/send`)).statusCode).toBe(403)
    const issued = await call(manager, 'POST', `/api/reports/${first.id}/issue`)
    expect(issued.statusCode).toBe(200)
    expect(issued.json()).toMatchObject({ status: 'issued', issuedBy: manager.username })
  })

  it('sends the report to the customer with the PDF attached, and records it', async () => {
    const res = await call(manager, 'POST', `/api/reports/${second.id}/send`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ emailedTo: ['it@acme.example'], emailAttempts: 1, emailError: null, status: 'issued' })
    const mail = smtp.mails.at(-1)!
    expect(mail.to).toEqual(['it@acme.example'])
    expect(mail.subject).toBe('Inspection report 2026Q3 — 华东制造集团 (version 2)')
    const file = mail.attachments[0]!
    if (chromium.available) {
      expect(file.contentType).toMatch(/^application\/pdf/)
      expect(file.filename).toBe('华东制造集团 2026Q3 inspection report v2.pdf')
      expect(createHash('sha256').update(file.content).digest('hex')).toBe(second.pdfSha256)
      if (poppler.available) {
        const out = path.join(dir, 'mailed.pdf')
        await writeFile(out, file.content)
        expect(execFileSync('pdfinfo', [out], { encoding: 'utf8' })).toMatch(/Pages:\s+\d+/)
      }
    } else expect(file.contentType).toMatch(/^text\/html/)
    // A customer without any address: the failure is recorded with its reason, not lost.
    await collector.db.query(`update customer set contact_email = null where id = $1`, [CUSTOMER])
    const failed = await call(manager, 'POST', `/api/reports/${first.id}/send`)
    expect(failed.statusCode).toBe(502)
    expect(failed.json()).toMatchObject({ error: { code: 'MAIL_FAILED', message: expect.stringContaining('no report_recipients and no contact_email') } })
    expect((await call(viewer, 'GET', `/api/reports/${first.id}`)).json()).toMatchObject({ emailedAt: null, emailAttempts: 1, emailError: expect.stringContaining('no contact_email') })
    await collector.db.query(`update customer set contact_email = 'it@acme.example' where id = $1`, [CUSTOMER])
  })

  it('saves the ticked checklist as an inspection record, lists it, and prints it in the report', async () => {
    const url = `/api/customers/${CUSTOMER}/sites/hq/inspections`
    const body = {
      visitedAt: '2026-08-12T02:30:00Z',
      items: [
        { item: 'Check the machine room: temperature, dust, cabling, UPS indicator lights', done: true },
        { item: 'Replace the consumables and parts on the bring list', done: false, notes: 'toner CF289A out of stock' },
      ],
      notes: 'Customer asked for a second UPS',
    }
    const saved = await call(engineer, 'POST', url, body)
    expect(saved.statusCode, saved.body).toBe(201)
    expect(saved.json()).toMatchObject({ customer: CUSTOMER, site: 'hq', engineer: engineer.username, visitedAt: '2026-08-12T02:30:00.000Z', items: body.items })
    expect((await call(viewer, 'POST', url, body)).statusCode).toBe(403)
    expect((await call(stranger, 'POST', url, body)).statusCode).toBe(404)
    expect((await call(stranger, 'GET', url)).statusCode).toBe(404)
    expect((await call(engineer, 'POST', `/api/customers/${CUSTOMER}/sites/nowhere/inspections`, body)).statusCode).toBe(404)
    for (const wrong of [{ ...body, items: [] }, { ...body, items: [{ item: 'x', done: 'yes' }] }, { ...body, visitedAt: '2099-01-01T00:00:00Z' }, { ...body, extra: 1 }]) {
      expect((await call(engineer, 'POST', url, wrong)).statusCode, JSON.stringify(wrong).slice(0, 80)).toBe(400)
    }
    const list = (await call(viewer, 'GET', url)).json<{ total: number; items: { id: string }[] }>()
    expect(list.total).toBe(1)
    const report = (await call(engineer, 'POST', '/api/reports', { customer: CUSTOMER, from: '2026-08-01T00:00:00+08:00', to: '2026-09-01T00:00:00+08:00', lang: 'en', pdf: false })).json<ArchiveEntry>()
    expect(report.periodLabel).toBe('2026-07-31 – 2026-08-31')
    const html = (await call(viewer, 'GET', `/api/reports/${report.id}/html`)).body
    const section = /<section id="inspections">[\s\S]*?<\/section>/.exec(html)?.[0] ?? ''
    expect(section).toContain(engineer.username)
    expect(section).toContain('1 / 2')
    expect(section).toContain('toner CF289A out of stock')
    expect(section).toContain('Customer asked for a second UPS')
  })
})
