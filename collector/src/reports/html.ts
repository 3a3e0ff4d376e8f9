/**
 * The report as one self-contained HTML file: inline CSS and SVG, no scripts, no external URL, so
 * it opens offline, mails as an attachment and prints to the same PDF everywhere.
 */
import { esc, makeFormatter } from './format.js'
import type { ReportData, SectionId } from './model.js'
import { SECTIONS } from './sections/index.js'

// Noto Sans CJK SC is Debian's fonts-noto-cjk; the other names cover macOS/Windows viewers.
const FONTS = `"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Sans", "DejaVu Sans", sans-serif`

export const REPORT_CSS = `
@page { size: A4; margin: 18mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: ${FONTS}; font-size: 10.5pt; color: #222; margin: 0; line-height: 1.45; }
main { max-width: 190mm; margin: 0 auto; }
h1 { font-size: 22pt; margin: 0 0 6mm; color: #1d3f6e; }
h2 { font-size: 14pt; color: #1d3f6e; border-bottom: 2px solid #1d3f6e; padding-bottom: 1mm; margin: 8mm 0 3mm; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #c8d0da; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
table.small { font-size: 8.5pt; }
.cover { page-break-after: always; padding-top: 40mm; }
.cover dl { display: grid; grid-template-columns: 40mm 1fr; gap: 2mm 4mm; font-size: 12pt; }
.cover dt { color: #667; }
.big { font-size: 20pt; font-weight: 700; margin: 1mm 0; }
.grade { display: flex; align-items: center; gap: 4mm; font-size: 13pt; margin: 2mm 0 4mm; }
.grade .letter { font-size: 30pt; font-weight: 700; width: 18mm; height: 18mm; border-radius: 50%; display: inline-flex; align-items: center; justify-content: center; color: #fff; }
.grade-A .letter { background: #2e8b57; } .grade-B .letter { background: #6b9e2f; } .grade-C .letter { background: #e0a100; } .grade-D .letter { background: #c0392b; }
.sev-critical { color: #c0392b; } .sev-warning { color: #e0a100; } .sev-info { color: #2f6db5; }
.w-expired { color: #c0392b; } .w-ending { color: #e0a100; font-weight: 600; }
.muted { color: #888; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 2mm 0; break-inside: avoid; page-break-inside: avoid; }
section { page-break-inside: auto; }
.checklist li { list-style: none; } .checklist li::before { content: "☐ "; }
`

export function renderHtml(report: ReportData): string {
  const fmt = makeFormatter(report.meta.lang, report.meta.tz)
  const { t } = fmt
  const { meta } = report
  const sites = meta.customer.sites.map((s) => s.name).join(t.listSeparator)
  const cover = `<div class="cover"><h1>${esc(t.reportTitle)}</h1><dl>
    <dt>${esc(t.customer)}</dt><dd>${esc(meta.customer.name)}</dd>
    <dt>${esc(t.sites)}</dt><dd>${esc(sites)}</dd>
    <dt>${esc(t.period)}</dt><dd>${esc(meta.period.label)} (${esc(fmt.date(meta.period.from))} – ${esc(fmt.date(new Date(meta.period.to.getTime() - 1)))})</dd>
    <dt>${esc(t.devicesCovered)}</dt><dd>${esc(fmt.number(meta.devices))}</dd>
    ${meta.customer.engineer ? `<dt>${esc(t.engineer)}</dt><dd>${esc(meta.customer.engineer)}</dd>` : ''}
    <dt>${esc(t.generatedAt)}</dt><dd>${esc(fmt.dateTime(meta.generatedAt))}</dd></dl></div>`
  const body = SECTIONS.map((s) => s.render(report.sections[s.id as SectionId] as never, fmt, report)).join('\n')
  return `<!doctype html><html lang="${esc(meta.lang)}"><head><meta charset="utf-8"><title>${esc(`${t.reportTitle} · ${meta.customer.name} · ${meta.period.label}`)}</title><style>${REPORT_CSS}</style></head><body><main>${cover}${body}</main></body></html>`
}
