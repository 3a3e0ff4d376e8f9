/**
 * One report to files: HTML always, PDF when a Chromium is present (the CLI's output).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Queryable } from '../store/db.js'
import type { ReportData } from './model.js'
import { produceReport, type ProduceOptions, type ProducedReport } from './produce.js'

export interface GenerateOptions extends ProduceOptions {
  outDir: string
  log?: (line: string) => void
}

export interface GeneratedReport {
  report: ReportData
  htmlPath: string
  pdfPath: string | null
  /** Why there is no PDF, with how to get one. */
  pdfMissing: string | null
  /** The report in memory too, for the archive. */
  produced: ProducedReport
}

export function reportFileName(report: ReportData): string {
  const site = report.meta.site ? `-${report.meta.site}` : ''
  const label = report.meta.period.label.replace(/[^0-9A-Za-z-]+/g, '_')
  return `inspection-${report.meta.customer.id}${site}-${label}-${report.meta.lang}`.replace(/[^0-9A-Za-z._-]/g, '_')
}

export async function generateReport(db: Queryable, options: GenerateOptions): Promise<GeneratedReport> {
  const log = options.log ?? (() => undefined)
  const produced = await produceReport(db, options)
  const { report } = produced
  await mkdir(options.outDir, { recursive: true })
  const base = path.join(options.outDir, reportFileName(report))
  const htmlPath = `${base}.html`
  await writeFile(htmlPath, produced.html)
  log(`HTML written: ${htmlPath}`)
  if (!produced.pdf) {
    if (options.pdf !== false) log(`${produced.pdfMissing ?? 'no PDF'}, then run the command again`)
    return { report, htmlPath, pdfPath: null, pdfMissing: produced.pdfMissing, produced }
  }
  const pdfPath = `${base}.pdf`
  await writeFile(pdfPath, produced.pdf)
  log(`PDF written: ${pdfPath}`)
  return { report, htmlPath, pdfPath, pdfMissing: null, produced }
}
