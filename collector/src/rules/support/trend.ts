import type { HistoryPoint } from './rule.js'

/** Least-squares slope in percent per day; null when the points cannot carry a trend. */
export function slopePerDay(points: HistoryPoint[]): number | null {
  if (points.length < 3) return null
  const t0 = points[0]!.ts
  const xs = points.map((p) => (p.ts - t0) / 86_400_000)
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length
  const my = points.reduce((s, p) => s + p.value, 0) / points.length
  let num = 0
  let den = 0
  points.forEach((p, i) => {
    num += (xs[i]! - mx) * (p.value - my)
    den += (xs[i]! - mx) ** 2
  })
  return den === 0 ? null : num / den
}
