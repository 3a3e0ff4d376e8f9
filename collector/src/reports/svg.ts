/**
 * Tiny inline SVG charts: the report must be one self-contained file, so no chart library and no
 * fetch. Each returns an <svg> string sized in CSS pixels that prints sharply.
 */
import { esc } from './format.js'

export interface Bar {
  label: string
  value: number
  /** Printed at the bar's end; defaults to the value. */
  text?: string
}

/** Horizontal bars 0..max, one per row, with a label column. */
export function barChart(bars: Bar[], options: { max?: number; width?: number; color?: (b: Bar) => string } = {}): string {
  if (!bars.length) return ''
  const width = options.width ?? 640
  const labelW = 270
  const rowH = 20
  // Long supply names would run off the left edge: cut them, the table beside has them whole.
  const cut = (label: string) => (label.length > 44 ? `${label.slice(0, 43)}…` : label)
  const max = options.max ?? Math.max(...bars.map((b) => b.value), 1)
  // Room right of the longest bar for its text ("192.0 Mbit/s (45 %)").
  const plotW = width - labelW - 110
  const rows = bars
    .map((b, i) => {
      const w = Math.max(0, Math.min(1, b.value / max)) * plotW
      const y = i * rowH
      const color = options.color?.(b) ?? '#2f6db5'
      return `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${esc(cut(b.label))}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${color}"/>` +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 14}">${esc(b.text ?? String(b.value))}</text>`
    })
    .join('')
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${bars.length * rowH}" font-size="11">${rows}</svg>`
}

/** A line over time with min/max labels; points must be in time order. */
export function lineChart(points: { x: number; y: number }[], options: { width?: number; height?: number; yMax?: number; label?: (y: number) => string; xLabel?: (x: number) => string } = {}): string {
  if (points.length < 2) return ''
  const width = options.width ?? 640
  const height = options.height ?? 140
  const pad = 28
  const xs = points.map((p) => p.x)
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs)
  const yMax = options.yMax ?? Math.max(...points.map((p) => p.y), 1)
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad)
  const sy = (y: number) => height - pad + -(y / yMax) * (height - 2 * pad)
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('')
  const label = options.label ?? ((y: number) => y.toFixed(0))
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="10">` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/>` +
    `<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#999"/>` +
    `<text x="2" y="${pad + 4}">${esc(label(yMax))}</text><text x="2" y="${height - pad}">0</text>` +
    (options.xLabel ? `<text x="${pad}" y="${height - pad + 14}">${esc(options.xLabel(x0))}</text><text x="${width - pad}" y="${height - pad + 14}" text-anchor="end">${esc(options.xLabel(x1))}</text>` : '') +
    `<path d="${path}" fill="none" stroke="#2f6db5" stroke-width="1.5"/></svg>`
}

/** Green/amber/red by how close a percentage is to a good value. */
export function levelColor(percent: number, warnBelow: number, badBelow: number): string {
  if (percent < badBelow) return '#c0392b'
  if (percent < warnBelow) return '#e0a100'
  return '#2e8b57'
}
