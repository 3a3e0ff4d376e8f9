/**
 * `pnpm report` as a person runs it, on an embedded data folder: HTML written, and without a
 * Chromium the command still succeeds and says how to get the PDF. Bad input fails with a reason.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPglite } from '@patrol/collector'
import { REPO_ROOT } from '../support/peers.js'
import { CUSTOMER, seedQuarter } from './seed.js'

const run = promisify(execFile)
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx')
const CLI = path.join(REPO_ROOT, 'collector/src/reports/cli.ts')

describe('pnpm report', () => {
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-report-cli-'))
    await mkdir(path.join(dir, 'data'))
    const db = await openPglite({ dataDir: path.join(dir, 'data', 'pglite') })
    await migrate(db)
    await seedQuarter(db)
    await db.close()
  })
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('writes the HTML and, with no Chromium, says how to get the PDF', async () => {
    const out = path.join(dir, 'out')
    const { stdout, stderr } = await run(TSX, [CLI, '--customer', CUSTOMER, '--quarter', '2026Q3', '--lang', 'en', '--out', out, '--data-dir', path.join(dir, 'data')], {
      env: { ...process.env, PATROL_CHROMIUM: path.join(dir, 'no-such-chromium'), DATABASE_URL: '' },
    })
    const html = path.join(out, 'inspection-acme-2026Q3-en.html')
    expect(stdout.trim().split('\n')).toEqual([html])
    expect(stderr).toContain('10/10')
    expect(stderr).toContain('apt-get install -y chromium')
    expect(await readdir(out)).toEqual(['inspection-acme-2026Q3-en.html'])
    const text = await readFile(html, 'utf8')
    expect(text).toContain('Inspection report')
    expect(text).toContain('华东制造集团')
  })

  it("takes the customer's own language when the command line does not name one", async () => {
    const db = await openPglite({ dataDir: path.join(dir, 'data', 'pglite') })
    await db.query("update customer set language = 'en', time_zone = 'Europe/London' where id = $1", [CUSTOMER])
    await db.close()
    const out = path.join(dir, 'out-default-lang')
    const { stdout } = await run(TSX, [CLI, '--customer', CUSTOMER, '--quarter', '2026Q3', '--out', out, '--data-dir', path.join(dir, 'data'), '--no-pdf'], {
      env: { ...process.env, DATABASE_URL: '' },
    })
    expect(stdout.trim()).toBe(path.join(out, 'inspection-acme-2026Q3-en.html'))
    const back = await openPglite({ dataDir: path.join(dir, 'data', 'pglite') })
    await back.query("update customer set language = 'zh-CN', time_zone = 'Asia/Shanghai' where id = $1", [CUSTOMER])
    await back.close()
  })

  it('--all-group-customers --archive: every group customer, each stored as the next version', async () => {
    const db = await openPglite({ dataDir: path.join(dir, 'data', 'pglite') })
    await db.query(`insert into customer (id, name, class, language, time_zone) values ('beta', 'Beta AG', 'group', 'en', 'Europe/Berlin'), ('gamma', 'Gamma', 'member', 'en', 'UTC')`)
    await db.close()
    const out = path.join(dir, 'out-all')
    const args = [CLI, '--all-group-customers', '--archive', '--quarter', '2026Q3', '--out', out, '--data-dir', path.join(dir, 'data'), '--no-pdf']
    const env = { ...process.env, DATABASE_URL: '' }
    const { stdout, stderr } = await run(TSX, args, { env })
    expect(stdout.trim().split('\n')).toEqual([path.join(out, 'inspection-acme-2026Q3-zh-CN.html'), path.join(out, 'inspection-beta-2026Q3-en.html')])
    // Not a terminal: plain progress lines, one per section and customer.
    expect(stderr).toContain('[acme] 10/10')
    expect(stderr).toContain('[beta] 10/10')
    expect(stderr).toMatch(/archived: beta 2026Q3 en version 1/)
    await run(TSX, args, { env })
    const back = await openPglite({ dataDir: path.join(dir, 'data', 'pglite') })
    const { rows } = await back.query<{ customer_id: string; version: number; trigger: string; time_zone: string; generated_by: string }>(
      'select customer_id, version, trigger, time_zone, generated_by from report_archive order by customer_id, version',
    )
    await back.close()
    expect(rows.map((r) => [r.customer_id, r.version, r.trigger, r.time_zone])).toEqual([
      ['acme', 1, 'cli', 'Asia/Shanghai'], ['acme', 2, 'cli', 'Asia/Shanghai'], ['beta', 1, 'cli', 'Europe/Berlin'], ['beta', 2, 'cli', 'Europe/Berlin'],
    ])
    expect(rows[0]!.generated_by).toMatch(/^cli:/)
    await expect(run(TSX, [CLI, '--customer', CUSTOMER, '--all-group-customers', '--quarter', '2026Q3', '--data-dir', path.join(dir, 'data')], { env })).rejects.toMatchObject({
      stderr: expect.stringContaining('give --customer ID, or --all-group-customers'),
    })
  })

  it('fails with the reason on a malformed quarter or an unknown customer', async () => {
    const base = ['--lang', 'zh-CN', '--out', path.join(dir, 'bad'), '--data-dir', path.join(dir, 'data'), '--no-pdf']
    const env = { ...process.env, DATABASE_URL: '' }
    await expect(run(TSX, [CLI, '--customer', CUSTOMER, '--quarter', '2026-Q5', ...base], { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('must look like 2026Q3') })
    await expect(run(TSX, [CLI, '--customer', 'nobody', '--quarter', '2026Q3', ...base], { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no customer "nobody"') })
    expect(existsSync(path.join(dir, 'bad'))).toBe(false)
  })
})
