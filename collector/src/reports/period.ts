/** The time span a report covers: a calendar quarter in the customer's time zone, or any from/to. */
export interface ReportPeriod {
  /** Inclusive start. */
  from: Date
  /** Exclusive end. */
  to: Date
  /** "2026Q3" for quarters; "2026-07-01 – 2026-09-30" otherwise. */
  label: string
  /** The span just before, of the same kind, for quarter-over-quarter numbers. */
  previous: { from: Date; to: Date; label: string }
}

/** Midnight of a local calendar day in `tz`, as an instant (handles DST by re-checking the offset). */
export function zonedMidnight(year: number, month1: number, day: number, tz: string): Date {
  const guess = Date.UTC(year, month1 - 1, day)
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(at))
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at
  }
  const first = guess - offset(guess)
  return new Date(guess - offset(first))
}

function quarterSpan(year: number, quarter: number, tz: string) {
  const from = zonedMidnight(year, (quarter - 1) * 3 + 1, 1, tz)
  const nextYear = quarter === 4 ? year + 1 : year
  const nextQuarter = quarter === 4 ? 1 : quarter + 1
  const to = zonedMidnight(nextYear, (nextQuarter - 1) * 3 + 1, 1, tz)
  return { from, to, label: `${year}Q${quarter}` }
}

export function parseQuarter(text: string, tz: string): ReportPeriod {
  const match = /^(\d{4})-?Q([1-4])$/i.exec(text.trim())
  if (!match) throw new Error(`quarter "${text}" must look like 2026Q3`)
  const year = Number(match[1])
  const quarter = Number(match[2])
  const current = quarterSpan(year, quarter, tz)
  const previous = quarter === 1 ? quarterSpan(year - 1, 4, tz) : quarterSpan(year, quarter - 1, tz)
  return { ...current, previous }
}

/** Any span; the previous period is the span of the same length just before. */
export function customPeriod(from: Date, to: Date): ReportPeriod {
  if (!(to > from)) throw new Error('the period must end after it starts')
  const length = to.getTime() - from.getTime()
  const day = (d: Date) => d.toISOString().slice(0, 10)
  const previousFrom = new Date(from.getTime() - length)
  return {
    from,
    to,
    label: `${day(from)} – ${day(new Date(to.getTime() - 1))}`,
    previous: { from: previousFrom, to: from, label: `${day(previousFrom)} – ${day(new Date(from.getTime() - 1))}` },
  }
}

export function periodDays(period: { from: Date; to: Date }): number {
  return (period.to.getTime() - period.from.getTime()) / 86_400_000
}

/** The calendar quarter an instant falls in, on the wall calendar of `tz`. */
export function localQuarter(at: Date, tz: string): { year: number; quarter: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric' }).formatToParts(at)
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: get('year'), quarter: Math.floor((get('month') - 1) / 3) + 1 }
}

/** Label of the last quarter that had ended, in `tz`, by the instant `at` ("2026Q3" on 2026-10-01 local). */
export function lastClosedQuarter(at: Date, tz: string): string {
  const { year, quarter } = localQuarter(at, tz)
  return quarter === 1 ? `${year - 1}Q4` : `${year}Q${quarter - 1}`
}
