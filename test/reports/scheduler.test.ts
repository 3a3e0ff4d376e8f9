/**
 * The quarter-end scheduler with an injected clock (no timers): a group customer in Asia/Shanghai
 * and one in Europe/Berlin get their 2026Q3 report only after their own local quarter end plus the
 * grace period, once however often it runs, e-mailed through a real in-process SMTP server
 * (smtp-server) with the report attached, a refused delivery retried with backoff. On PGlite
 * always, and on the real PostgreSQL when DATABASE_URL is set (there also: two schedulers at once
 * make one report).
 */
import { createHash } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPglite, openPostgres, type Db } from '@patrol/collector'
import { ReportScheduler, type SchedulerSettings } from '../../collector/src/reports/scheduler.js'
import { uniqueName } from '../support/targets.js'
import { startSmtpSink, type SmtpSink } from './smtp-sink.js'


const DATABASE_URL = process.env.DATABASE_URL
const engines = DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const)
const logger = pino({ level: 'silent' })
const GRACE_H = 6

// 2026Q3 ends at local midnight 2026-10-01: 16:00 UTC on 30 Sep in Shanghai (UTC+8), 22:00 UTC in Berlin (CEST, UTC+2).
const SHANGHAI_DUE = new Date('2026-09-30T22:00:00Z')
const BERLIN_DUE = new Date('2026-10-01T04:00:00Z')
const minutes = (d: Date, n: number) => new Date(d.getTime() + n * 60_000)

describe.each(engines)('quarter-end scheduler on %s', (engine) => {
  let db: Db
  let smtp: SmtpSink
  let settings: SchedulerSettings
  const schema = uniqueName('sched')
  /** Recipients whose next delivery the server refuses (once each). */
  const refuseOnce = new Set<string>()

  beforeAll(async () => {
    db = engine === 'pglite' ? await openPglite() : await openPostgres({ connectionString: DATABASE_URL!, schema })
    await migrate(db)
    // Both exist since before Q3 but after Q2: only 2026Q3 is theirs to get.
    await db.query(
      `insert into customer (id, name, class, contact_email, language, time_zone, created_at) values
        ('sh', '上海测试集团', 'group', 'it@sh.example', 'zh-CN', 'Asia/Shanghai', '2026-07-02T00:00:00Z'),
        ('be', 'Berlin Test GmbH', 'group', 'it@be.example', 'en', 'Europe/Berlin', '2026-07-02T00:00:00Z'),
        ('member', 'A member', 'member', 'm@example.com', 'en', 'UTC', '2026-01-01T00:00:00Z')`,
    )
    await db.query("update customer set report_recipients = array['boss@be.example', 'it@be.example'] where id = 'be'")
    await db.query(`insert into site (customer_id, id, name) values ('sh', 'hq', '总部'), ('be', 'hq', 'Zentrale')`)
    await db.query(
      `insert into device (id, customer, site, kind, hostname, status, category, first_seen, assigned_at)
       values ('sh-pc1', 'sh', 'hq', 'agent', 'SH-PC1', 'online', 'pc', '2026-06-01', '2026-06-01'), ('be-pc1', 'be', 'hq', 'agent', 'BE-PC1', 'online', 'pc', '2026-06-01', '2026-06-01')`,
    )
    smtp = await startSmtpSink({ refuseOnce })
    // HTML only: the PDF path is the same code as the API's and has its own tests.
    settings = { graceHours: GRACE_H, checkIntervalS: 300, mail: { smtpUrl: smtp.url, from: 'reports@msp.example' }, pdf: false }
  })
  afterAll(async () => {
    await smtp?.close()
    if (engine === 'postgres') await db?.query(`drop schema if exists ${schema} cascade`)
    await db?.close()
  })

  const scheduled = async () =>
    (await db.query<{ customer_id: string; period_label: string; lang: string; version: number; period_from: Date; emailed_at: Date | null; html_sha256: string }>(
      "select customer_id, period_label, lang, version, period_from, emailed_at, html_sha256 from report_archive where trigger = 'scheduled' order by customer_id",
    )).rows

  it('makes nothing before the first local quarter end plus grace', async () => {
    const round = await new ReportScheduler(db, settings, logger).tick(minutes(SHANGHAI_DUE, -1))
    expect(round.generated).toEqual([])
    expect(round.skipped.map((s) => `${s.customer} ${s.period} ${s.why}`).sort()).toEqual(['be 2026Q2 customer-newer', 'sh 2026Q2 customer-newer'])
    expect(await scheduled()).toEqual([])
  })

  it("Shanghai's report after Shanghai's quarter end, Berlin's only after Berlin's", async () => {
    const scheduler = new ReportScheduler(db, settings, logger)
    const first = await scheduler.tick(minutes(SHANGHAI_DUE, 1))
    expect(first.generated.map((e) => [e.customer, e.periodLabel, e.lang, e.version])).toEqual([['sh', '2026Q3', 'zh-CN', 1]])
    expect(first.generated[0]!.periodFrom).toBe('2026-06-30T16:00:00.000Z')
    expect(await scheduler.tick(minutes(BERLIN_DUE, -1))).toMatchObject({ generated: [] })
    const second = await scheduler.tick(minutes(BERLIN_DUE, 1))
    expect(second.generated.map((e) => [e.customer, e.periodLabel, e.lang, e.version])).toEqual([['be', '2026Q3', 'en', 1]])
    expect(second.generated[0]!.periodFrom).toBe('2026-06-30T22:00:00.000Z')
    expect(second.generated[0]!.generatedBy).toBe('scheduler')
    // The member customer never gets one.
    expect((await scheduled()).map((r) => r.customer_id)).toEqual(['be', 'sh'])
  })

  it('running again (or much later) makes no second version', async () => {
    const scheduler = new ReportScheduler(db, settings, logger)
    for (const at of [minutes(BERLIN_DUE, 5), minutes(BERLIN_DUE, 5), new Date('2026-11-20T00:00:00Z')]) {
      const round = await scheduler.tick(at)
      expect(round.generated).toEqual([])
      expect(round.skipped.filter((s) => s.why === 'exists').map((s) => s.customer).sort()).toEqual(['be', 'sh'])
    }
    const rows = await scheduled()
    expect(rows.map((r) => [r.customer_id, r.period_label, r.version])).toEqual([['be', '2026Q3', 1], ['sh', '2026Q3', 1]])
  })

  it('mailed each customer its report, in its language, with the report attached', async () => {
    const rows = await scheduled()
    expect(rows.every((r) => r.emailed_at !== null)).toBe(true)
    const sh = smtp.mails.find((m) => m.to.includes('it@sh.example'))!
    expect(sh.subject).toBe('上海测试集团 2026Q3 巡检报告')
    expect(sh.text).toContain('附件为贵单位 2026Q3 的巡检报告')
    const be = smtp.mails.find((m) => m.to.includes('boss@be.example'))!
    expect(be.to).toContain('it@be.example')
    expect(be.subject).toBe('Inspection report 2026Q3 — Berlin Test GmbH')
    for (const [mail, row] of [[sh, rows.find((r) => r.customer_id === 'sh')!], [be, rows.find((r) => r.customer_id === 'be')!]] as const) {
      expect(mail.attachments).toHaveLength(1)
      const file = mail.attachments[0]!
      expect(file.contentType).toMatch(/^text\/html/)
      expect(file.filename).toMatch(/\.html$/)
      // The attachment is byte for byte the archived file.
      expect(createHash('sha256').update(file.content).digest('hex')).toBe(row.html_sha256)
      expect(file.content.toString('utf8')).toMatch(/^<!doctype html>/)
    }
    expect(smtp.mails).toHaveLength(2)
  })

  it('a refused delivery is recorded and retried with backoff, then sent once', async () => {
    await db.query(`insert into customer (id, name, class, contact_email, language, time_zone, created_at) values ('late', 'Late Ltd', 'group', 'ops@late.example', 'en', 'UTC', '2026-08-01T00:00:00Z')`)
    refuseOnce.add('ops@late.example')
    const scheduler = new ReportScheduler(db, settings, logger)
    // The collector was down at quarter end: the next round, weeks later, catches up.
    const at = new Date('2026-11-15T09:00:00Z')
    const round = await scheduler.tick(at)
    expect(round.generated.map((e) => [e.customer, e.periodLabel])).toEqual([['late', '2026Q3']])
    const failed = round.mailed.find((m) => m.entry.customer === 'late')!
    expect(failed.sent).toBe(false)
    expect(failed.error).toMatch(/mailbox busy/)
    expect(failed.entry.emailAttempts).toBe(1)
    expect(failed.entry.emailNextAt).toBe(minutes(at, 1).toISOString())
    expect((await scheduler.tick(minutes(at, 0.5))).mailed).toEqual([]) // not due yet
    const retry = await scheduler.tick(minutes(at, 1))
    expect(retry.mailed.map((m) => [m.entry.customer, m.sent, m.entry.emailAttempts, m.entry.emailError])).toEqual([['late', true, 2, null]])
    expect(smtp.mails.filter((m) => m.to.includes('ops@late.example'))).toHaveLength(1)
    expect((await scheduler.tick(minutes(at, 10))).mailed).toEqual([])
  })

  it.runIf(engine === 'postgres')('two schedulers at the same moment make one report', async () => {
    await db.query(`insert into customer (id, name, class, contact_email, language, time_zone, created_at) values ('twin', 'Twin Co', 'group', null, 'en', 'UTC', '2026-08-01T00:00:00Z')`)
    const other = await openPostgres({ connectionString: DATABASE_URL!, schema })
    try {
      const at = new Date('2026-10-02T00:00:00Z')
      const rounds = await Promise.all([new ReportScheduler(db, { ...settings, mail: null }, logger).tick(at), new ReportScheduler(other, { ...settings, mail: null }, logger).tick(at)])
      expect(rounds.flatMap((r) => r.generated).filter((e) => e.customer === 'twin')).toHaveLength(1)
      expect(rounds.flatMap((r) => r.failed)).toEqual([])
      const { rows } = await db.query<{ n: number }>("select count(*)::int as n from report_archive where customer_id = 'twin'")
      expect(rows[0]!.n).toBe(1)
    } finally {
      await other.close()
    }
  })
})
