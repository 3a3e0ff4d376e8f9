/**
 * HTML → PDF with the system's headless Chromium (Debian's `chromium`) driven by playwright-core:
 * no browser download, no network. The page is loaded with setContent, and every request the page
 * might still try (there should be none) is refused, so a report can never phone out.
 *
 * Why Chromium and not a pure-JS renderer (pdfkit, pdfmake, jsPDF) with an embedded CJK font:
 * - Chinese shaping and line breaking: Chromium lays out CJK text with HarfBuzz and breaks lines
 *   by the Unicode line-breaking rules (no break before "，" or "。", Latin runs kept whole in
 *   mixed text such as "PC-017 的磁盘 C:"). pdfkit/fontkit draw glyphs but break lines only at
 *   spaces, which Chinese does not have: every paragraph and table cell would need our own
 *   breaking and measuring, i.e. a layout engine.
 * - One document: the HTML a customer opens, the HTML attached to a mail and the PDF are the same
 *   file, tables, inline SVG charts and CSS included. A JS renderer would need a second renderer
 *   of every section (tables that split across pages, repeated headers, SVG charts redrawn as
 *   PDF paths) that could drift from the HTML.
 * - Page furniture: page numbers "第 N 页 / 共 M 页" need the total page count, which Chromium's
 *   header/footer templates provide after layout; in pdfkit that means laying out twice.
 * - Fonts: Chromium uses the system's Noto Sans CJK (fonts-noto-cjk) and embeds only the glyphs
 *   used; a JS renderer would ship a CJK font in the package (Noto Sans SC is ~8–16 MB per weight)
 *   and subset it itself.
 * - Cost: a Chromium launch is ~1 s, and its memory is apart from the collector's. Chromium is
 *   run as one process (`--single-process`): for the 500-device report its memory peaks at about
 *   490 MB (PSS, bench:report's chromium_peak_pss_mb) instead of about 650 MB for the usual
 *   browser, GPU and renderer processes (1.25 GB summed RSS), with the same PDF (its 41 pages
 *   rendered to PNG are identical). Chromium calls that mode unsupported, so a render that fails
 *   in it is retried once in the usual mode. pdfkit would be lighter; not measured here (no
 *   dependency added for it). Where no Chromium is installed the HTML is still produced and the
 *   archive says why there is no PDF and how to get one.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { esc } from './format.js'
import type { Lang } from './i18n.js'

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
export const HOW_TO_GET_CHROMIUM = 'install Debian\'s chromium and a CJK font: apt-get install -y chromium fonts-noto-cjk (or set PATROL_CHROMIUM to a Chromium binary)'

export function findChromium(): string | null {
  const fromEnv = process.env.PATROL_CHROMIUM
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p)) ?? null
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
/** One process instead of browser + GPU + renderer: about a quarter less memory, same output. */
const ONE_PROCESS_ARGS = ['--single-process', '--no-zygote']

export interface PdfOptions {
  lang: Lang
  /** Printed at the top of every page but the first. */
  header: string
  executablePath?: string
}

function footer(lang: Lang): string {
  const n = '<span class="pageNumber"></span>'
  const total = '<span class="totalPages"></span>'
  const text = lang === 'zh-CN' ? `第 ${n} 页 / 共 ${total} 页` : `Page ${n} of ${total}`
  return `<div style="font-size:8px;width:100%;text-align:center;color:#666;font-family:'Noto Sans CJK SC',sans-serif">${text}</div>`
}

/** Renders one HTML document to an A4 PDF with a header and page numbers; returns the bytes. */
export async function htmlToPdf(html: string, options: PdfOptions): Promise<Buffer> {
  const executablePath = options.executablePath ?? findChromium()
  if (!executablePath) throw new Error(`no Chromium found: ${HOW_TO_GET_CHROMIUM}`)
  try {
    return await render(html, options, executablePath, [...CHROMIUM_ARGS, ...ONE_PROCESS_ARGS])
  } catch (error) {
    try {
      return await render(html, options, executablePath, CHROMIUM_ARGS)
    } catch (again) {
      throw new Error(`Chromium could not print the report (one-process mode: ${(error as Error).message}; usual mode: ${(again as Error).message})`, { cause: again })
    }
  }
}

async function render(html: string, options: PdfOptions, executablePath: string, args: string[]): Promise<Buffer> {
  const { chromium } = await import('playwright-core')
  // A fresh profile each time: nothing from an earlier run (or a person's browser) leaks in.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'patrol-report-chromium-'))
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args, offline: true }).catch(async (error: Error) => {
    await rm(profile, { recursive: true, force: true })
    throw error
  })
  try {
    await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()))
    const page = context.pages()[0] ?? (await context.newPage())
    await page.setContent(html, { waitUntil: 'load' })
    // Wait for fonts so CJK glyphs are laid out before printing (string: the collector has no DOM types).
    await page.evaluate('document.fonts.ready.then(() => true)')
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: `<div style="font-size:8px;width:100%;padding:0 14mm;color:#666;font-family:'Noto Sans CJK SC',sans-serif">${esc(options.header)}</div>`,
      footerTemplate: footer(options.lang),
      margin: { top: '18mm', bottom: '16mm', left: '14mm', right: '14mm' },
      preferCSSPageSize: false,
    })
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
}
