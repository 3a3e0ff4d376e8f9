/**
 * An engineer's edits to the generated findings before the report is issued: change a finding's
 * wording, drop one, or add their own. Matched by the finding's stable key, so the same edits file
 * still applies when the report is regenerated from newer data.
 */
import type { Finding, ReportData } from './model.js'

export interface FindingEdit {
  key: string
  text?: string
  recommendation?: string
  severity?: Finding['severity']
  /** Leave this finding out of the report. */
  remove?: boolean
}

export interface ReportEdits {
  findings?: FindingEdit[]
  /** Findings the data did not produce (what the engineer saw on site). */
  add?: Omit<Finding, 'key'>[]
}

export function applyEdits(report: ReportData, edits: ReportEdits): ReportData {
  const byKey = new Map((edits.findings ?? []).map((e) => [e.key, e]))
  const edited = report.sections.findings.findings
    .filter((f) => !byKey.get(f.key)?.remove)
    .map((f) => {
      const e = byKey.get(f.key)
      return e ? { ...f, text: e.text ?? f.text, recommendation: e.recommendation ?? f.recommendation, severity: e.severity ?? f.severity } : f
    })
  const added = (edits.add ?? []).map((f, i) => ({ ...f, key: `engineer:${i + 1}` }))
  return { ...report, sections: { ...report.sections, findings: { findings: [...edited, ...added] } } }
}
