/**
 * One report in memory: data → (edits) → HTML → PDF when a Chromium is present. What the CLI
 * writes to files, and what the API and the quarterly scheduler put in the archive.
 */
import type { Queryable } from '../store/db.js'
import { buildReport, type BuildOptions } from './build.js'
import { applyEdits, type ReportEdits } from './edits.js'
import { renderHtml } from './html.js'
import { stringsFor } from './i18n.js'
import type { ReportData } from './model.js'
import { findChromium, HOW_TO_GET_CHROMIUM, htmlToPdf } from './pdf.js'

export interface ProduceOptions extends BuildOptions {
  /** false: HTML only. */
  pdf?: boolean
  /** The engineer's changes to the findings (see edits.ts). */
  edits?: ReportEdits | undefined
}

export interface ProducedReport {
  report: ReportData
  html: string
  pdf: Buffer | null
  /** Why there is no PDF, with how to get one; null when there is one. */
  pdfMissing: string | null
  pdfPages: number | null
}

/** Pages of a Chromium PDF: its page objects are plain dictionaries (no object streams). */
export function countPdfPages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length
}

export async function produceReport(db: Queryable, options: ProduceOptions): Promise<ProducedReport> {
  const built = await buildReport(db, options)
  const report = options.edits ? applyEdits(built, options.edits) : built
  const html = renderHtml(report)
  if (options.pdf === false) return { report, html, pdf: null, pdfMissing: 'PDF not requested', pdfPages: null }
  const chromium = findChromium()
  if (!chromium) return { report, html, pdf: null, pdfMissing: `no PDF: ${HOW_TO_GET_CHROMIUM}`, pdfPages: null }
  const t = stringsFor(report.meta.lang)
  const pdf = await htmlToPdf(html, { lang: report.meta.lang, header: `${t.reportTitle} · ${report.meta.customer.name} · ${report.meta.period.label}`, executablePath: chromium })
  return { report, html, pdf, pdfMissing: null, pdfPages: countPdfPages(pdf) }
}
