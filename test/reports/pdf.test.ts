/**
 * The PDF as a reader gets it: parsed back with pdftotext for the key figures, its fonts checked
 * for an embedded CJK face (Chinese that renders, not tofu), and a page rendered to PNG with
 * pdftoppm under test/reports/out/ so a person can look at it. Needs Debian's chromium,
 * poppler-utils and fonts-noto-cjk: skipped locally without them, failing under CI=true.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPglite, type Db } from '@patrol/collector'
import { generateReport, type GeneratedReport } from '../../collector/src/reports/generate.js'
import { findChromium, htmlToPdf } from '../../collector/src/reports/pdf.js'
import { commandPeer, REPO_ROOT, requirePeer } from '../support/peers.js'
import { CUSTOMER, QUARTER, seedQuarter, TZ } from './seed.js'

const chromium = requirePeer('chromium', findChromium() !== null, 'apt-get install -y chromium fonts-noto-cjk')
const poppler = commandPeer('pdftotext', 'poppler-utils')
const OUT = path.join(REPO_ROOT, 'test/reports/out')

const text = (pdf: string) => execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
/** Reading order without layout, whitespace removed: finds sentences that wrap inside a table cell. */
const squeezed = (pdf: string) => execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, '')

describe.skipIf(!chromium.available || !poppler.available)('inspection report PDF', () => {
  let db: Db
  let dir: string
  let zh: GeneratedReport
  let en: GeneratedReport

  beforeAll(async () => {
    db = await openPglite()
    await migrate(db)
    await seedQuarter(db)
    dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-report-'))
    const now = new Date('2026-10-02T00:00:00Z')
    zh = await generateReport(db, { customerId: CUSTOMER, period: QUARTER, lang: 'zh-CN', tz: TZ, now, outDir: dir })
    en = await generateReport(db, { customerId: CUSTOMER, period: QUARTER, lang: 'en', tz: TZ, now, outDir: dir })
  })
  afterAll(async () => {
    await db?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('prints the key figures, in Chinese, with page numbers and a header', () => {
    expect(zh.pdfPath).not.toBeNull()
    const pdf = text(zh.pdfPath!)
    expect(pdf).toContain('巡检报告')
    expect(pdf).toContain('华东制造集团')
    expect(pdf).toContain('上海总部')
    const availability = new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(zh.report.sections.availability.overallPercent / 100)
    expect(pdf).toContain(availability)
    expect(squeezed(zh.pdfPath!)).toContain(zh.report.sections.findings.findings[0]!.text.replace(/\s+/g, ''))
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [zh.pdfPath!], { encoding: 'utf8' }))![1])
    expect(pages).toBeGreaterThan(3)
    expect(pdf).toContain(`第 1 页 / 共 ${pages} 页`)
    expect(pdf).toContain(`巡检报告 · 华东制造集团 · ${QUARTER}`)
  })

  it('has the CJK font the report asks for, so Chinese prints as glyphs and not tofu', () => {
    // Chromium embeds glyphs as Type 3 fonts (no names to check in pdffonts), so check that the
    // first family of the report's CSS is what fontconfig will hand Chromium for Chinese.
    const families = execFileSync('fc-match', ['-s', 'Noto Sans CJK SC:lang=zh-cn', 'family'], { encoding: 'utf8' }).split('\n')[0] ?? ''
    expect(families).toMatch(/Noto Sans CJK/)
  })

  it('prints the English report in English', () => {
    const pdf = text(en.pdfPath!)
    expect(pdf).toContain('Inspection report')
    expect(pdf).toMatch(/Page 1 of \d+/)
    expect(squeezed(en.pdfPath!)).toContain(en.report.sections.findings.findings[0]!.text.replace(/\s+/g, ''))
    expect(pdf).not.toContain('巡检报告')
  })

  it('renders pages to PNG for a person to look at', async () => {
    await mkdir(OUT, { recursive: true })
    for (const [name, r] of [['zh', zh], ['en', en]] as const) {
      execFileSync('pdftoppm', ['-f', '2', '-l', '2', '-r', '70', '-png', '-singlefile', r.pdfPath!, path.join(OUT, `report-${name}-page2`)])
      expect(existsSync(path.join(OUT, `report-${name}-page2.png`))).toBe(true)
    }
  })

  it('prints in the usual Chromium mode when the one-process mode fails, and says why when both fail', async () => {
    // A real Chromium behind a wrapper that refuses --single-process and logs each launch's mode.
    const log = path.join(dir, 'launches.log')
    const wrapper = path.join(dir, 'chromium-no-single-process')
    await writeFile(wrapper, `#!/bin/sh
case " $* " in *" --single-process "*) echo single >> ${log}; echo "refusing --single-process" >&2; exit 3;; esac
echo usual >> ${log}
exec ${findChromium()} "$@"
`)
    await chmod(wrapper, 0o755)
    const pdf = await htmlToPdf('<html><body><h1>巡检报告 fallback</h1></body></html>', { lang: 'zh-CN', header: 'fallback', executablePath: wrapper })
    const file = path.join(dir, 'fallback.pdf')
    await writeFile(file, pdf)
    expect(text(file)).toContain('巡检报告 fallback')
    expect((await readFile(log, 'utf8')).split('\n').filter(Boolean)).toEqual(['single', 'usual'])

    const broken = path.join(dir, 'chromium-broken')
    await writeFile(broken, '#!/bin/sh\necho "no display for you" >&2\nexit 4\n')
    await chmod(broken, 0o755)
    await expect(htmlToPdf('<p>x</p>', { lang: 'en', header: 'x', executablePath: broken })).rejects.toThrow(/one-process mode: .*usual mode: /s)
  })
})
