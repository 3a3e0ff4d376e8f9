/**
 * A metric's history as a uPlot line chart (one line per instance: each filesystem, each CPU…).
 * uPlot draws on a canvas and is small (≈ 50 KB), which is why it was chosen over SVG kits.
 */
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { useI18n } from '../i18n/index.js'

export interface SeriesResponse {
  metric: string
  from: string
  to: string
  bucketSeconds: number
  series: { instance: string; points: { t: string; avg: number; min: number; max: number; n: number }[] }[]
}

const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#bf3989', '#0a7ea4', '#6e7781']

/** Aligns the instances' points on one time axis (uPlot wants columns). */
export function toColumns(res: SeriesResponse): uPlot.AlignedData {
  const times = [...new Set(res.series.flatMap((s) => s.points.map((p) => Date.parse(p.t) / 1000)))].sort((a, b) => a - b)
  const index = new Map(times.map((t, i) => [t, i]))
  const columns: (number | null)[][] = res.series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(times.length).fill(null)
    for (const p of s.points) col[index.get(Date.parse(p.t) / 1000)!] = p.avg
    return col
  })
  return [times, ...columns] as uPlot.AlignedData
}

export function Chart({ data, unit, height = 220 }: { data: SeriesResponse; unit?: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null)
  const { lang, fmt, t } = useI18n()
  const points = data.series.reduce((n, s) => n + s.points.length, 0)
  useEffect(() => {
    const el = box.current
    if (!el || !points) return
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height,
      series: [
        { value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleString(lang)) },
        ...data.series.map((s, i) => ({
          label: s.instance || data.metric,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${fmt.number(v)}${unit ? ` ${unit}` : ''}`),
        })),
      ],
      axes: [{}, { values: (_u, vals) => vals.map((v) => fmt.number(v)), size: 56 }],
      // The asked-for window, not just the span of the points: one early point must not stretch the axis over years.
      scales: { x: { time: true, range: [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000] }, ...(unit === '%' ? { y: { range: [0, 100] } } : {}) },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    }
    const plot = new uPlot(opts, toColumns(data), el)
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [data, lang, height])
  if (!points) return <p class="muted">{t('device.noHistory')}</p>
  return <div class="chart" ref={box} data-points={points} />
}
