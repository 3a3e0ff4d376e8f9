import { badRequest } from './errors.js'

/** An instant given as ISO 8601 or epoch milliseconds, or relative to now: `-24h`, `-7d`, `now`. */
export function parseInstant(value: string | undefined, fallback: number, now = Date.now()): number {
  if (value === undefined || value === '') return fallback
  if (value === 'now') return now
  const relative = /^-(\d+)(s|m|h|d)$/.exec(value)
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]
  if (/^\d{10,14}$/.test(value)) return Number(value)
  const parsed = Date.parse(value)
  if (Number.isNaN(parsed)) throw badRequest(`"${value.slice(0, 60)}" is not a time: use ISO 8601, epoch milliseconds, "now" or "-24h"`)
  return parsed
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** A bucket width such as `30s`, `5m`, `1h`, `1d`, in milliseconds. */
export function parseBucket(value: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(value)
  if (!match || Number(match[1]) <= 0) throw badRequest(`bucket "${value.slice(0, 20)}" must look like 30s, 5m, 1h or 1d`)
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]
}

/** A bucket that suits the range: about 300 points. */
export function autoBucket(rangeMs: number): number {
  const steps = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000]
  return steps.find((s) => rangeMs / s <= 400) ?? 86_400_000
}
