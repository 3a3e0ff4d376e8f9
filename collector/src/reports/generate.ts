/**
 * One report to files: HTML always, PDF when a Chromium is present. Shared by the CLI and (later)
 * the quarterly scheduler and the API.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Queryable } from '../store/db.js'
import { buildReport, type BuildOptions } from './build.js'
import { applyEdits, type ReportEdits } from './edits.js'
import { renderHtml } from './html.js'
import { stringsFor } from './i18n.js'
import type { ReportData } from './model.js'
import { findChromium, HOW_TO_GET_CHROMIUM, htmlToPdf } from './pdf.js'

export interface GenerateOptions extends BuildOptions {
  outDir: string
  /** false: HTML only. */
  pdf?: boolean
  log?: (line: string) => void
  /** The engineer's changes to the findings (see edits.ts). */
  edits?: ReportEdits
}

export interface GeneratedReport {
  report: ReportData
  htmlPath: string
  pdfPath: string | null
  /** Why there is no PDF, with how to get one. */
  pdfMissing: string | null
}

export function reportFileName(report: ReportData): string {
  const site = report.meta.site ? `-${report.meta.site}` : ''
  const label = report.meta.period.label.replace(/[^0-9A-Za-z-]+/g, '_')
  return `inspection-${report.meta.customer.id}${site}-${label}-${report.meta.lang}`.replace(/[^0-9A-Za-z._-]/g, '_')
}

export async function generateReport(db: Queryable, options: GenerateOptions): Promise<GeneratedReport> {
  const log = options.log ?? (() => undefined)
  const built = await buildReport(db, options)
  const report = options.edits ? applyEdits(built, options.edits) : built
  await mkdir(options.outDir, { recursive: true })
  const base = path.join(options.outDir, reportFileName(report))
  const html = renderHtml(report)
  const htmlPath = `${base}.html`
  await writeFile(htmlPath, html)
  log(`HTML written: ${htmlPath}`)
  if (options.pdf === false) return { report, htmlPath, pdfPath: null, pdfMissing: 'PDF not requested' }
  const chromium = findChromium()
  if (!chromium) {
    const why = `no PDF: ${HOW_TO_GET_CHROMIUM}, then run the command again`
    log(why)
    return { report, htmlPath, pdfPath: null, pdfMissing: why }
  }
  const t = stringsFor(report.meta.lang)
  const pdf = await htmlToPdf(html, { lang: report.meta.lang, header: `${t.reportTitle} · ${report.meta.customer.name} · ${report.meta.period.label}`, executablePath: chromium })
  const pdfPath = `${base}.pdf`
  await writeFile(pdfPath, pdf)
  log(`PDF written: ${pdfPath}`)
  return { report, htmlPath, pdfPath, pdfMissing: null }
}
