/**
 * Business-time arithmetic on a contract's service calendar (DOMAIN.md: "SLA clocks must follow
 * the contract's calendar"). Pure: instants in epoch ms in, epoch ms out. Calendars are written in
 * the contract's local time (its time zone), so a weekday 08:30–17:30 contract in Asia/Shanghai
 * means Shanghai office hours whatever zone the collector runs in, across DST where there is one.
 */

export type ServiceCalendar =
  | { kind: '24x7' }
  | {
      kind: 'business'
      /** IANA zone, e.g. Asia/Shanghai. */
      timeZone: string
      /** ISO weekdays served: 1 Monday … 7 Sunday. */
      days: number[]
      /** Service periods of a served day, "HH:MM"–"HH:MM", sorted, not overlapping; a lunch break is the gap between two. */
      periods: { start: string; end: string }[]
      /** Public holidays, local dates "YYYY-MM-DD": not served. */
      holidays?: string[]
      /** Extra working days (a Saturday swapped for a holiday), local dates: served. */
      workdays?: string[]
    }

const DAY_MS = 86_400_000
/** A calendar without any service time would loop forever; no real contract goes ten years without a working day. */
const MAX_DAYS = 3660

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formatters.set(timeZone, f)
  }
  return f
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, at: number): number {
  const parts: Record<string, number> = {}
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return asUtc - Math.floor(at / 1000) * 1000
}

/** The instant a local wall-clock time happens (days as a UTC-based day number). Skipped DST times move forward. */
function localToInstant(timeZone: string, localMs: number): number {
  let guess = localMs - zoneOffsetMs(timeZone, localMs)
  guess = localMs - zoneOffsetMs(timeZone, guess)
  return guess
}

/** Local midnight of the local day containing `at`, as "local ms" (wall clock read as if UTC). */
function localDayStart(timeZone: string, at: number): number {
  const local = at + zoneOffsetMs(timeZone, at)
  return Math.floor(local / DAY_MS) * DAY_MS
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm)
  if (!m) throw new Error(`service calendar time "${hhmm}" is not HH:MM`)
  const value = Number(m[1]) * 60 + Number(m[2])
  if (value > 24 * 60 || Number(m[2]) > 59) throw new Error(`service calendar time "${hhmm}" is out of range`)
  return value
}

export function validateCalendar(calendar: ServiceCalendar): string[] {
  if (calendar.kind === '24x7') return []
  const problems: string[] = []
  try {
    formatter(calendar.timeZone)
  } catch {
    problems.push(`unknown time zone "${calendar.timeZone}"`)
  }
  if (!calendar.days.length || calendar.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) problems.push('days must be ISO weekdays 1–7, at least one')
  let previousEnd = -1
  try {
    for (const p of calendar.periods) {
      const s = minutes(p.start)
      const e = minutes(p.end)
      if (e <= s) problems.push(`period ${p.start}–${p.end} ends before it starts`)
      if (s < previousEnd) problems.push(`period ${p.start}–${p.end} overlaps or is out of order`)
      previousEnd = e
    }
  } catch (error) {
    problems.push((error as Error).message)
  }
  if (!calendar.periods.length) problems.push('at least one service period is needed')
  return problems
}

type Business = Extract<ServiceCalendar, { kind: 'business' }>

/** The service intervals [start, end) of the local day starting at `dayLocal`, as instants. */
function intervalsOfDay(calendar: Business, dayLocal: number): [number, number][] {
  const iso = new Date(dayLocal).toISOString().slice(0, 10)
  const weekday = ((new Date(dayLocal).getUTCDay() + 6) % 7) + 1
  const served = calendar.workdays?.includes(iso) || (calendar.days.includes(weekday) && !calendar.holidays?.includes(iso))
  if (!served) return []
  return calendar.periods.map((p) => [localToInstant(calendar.timeZone, dayLocal + minutes(p.start) * 60_000), localToInstant(calendar.timeZone, dayLocal + minutes(p.end) * 60_000)])
}

/** The instant when `durationMs` of service time has passed after `start`. */
export function addBusinessTime(calendar: ServiceCalendar, start: number, durationMs: number): number {
  if (durationMs < 0) throw new Error(`cannot add a negative duration (${durationMs} ms)`)
  if (calendar.kind === '24x7') return start + durationMs
  let remaining = durationMs
  let day = localDayStart(calendar.timeZone, start)
  for (let i = 0; i < MAX_DAYS; i++, day += DAY_MS) {
    for (const [from, to] of intervalsOfDay(calendar, day)) {
      if (to <= start) continue
      const begin = Math.max(from, start)
      // A zero duration lands on the start itself when that is already service time, else on the next opening.
      if (remaining <= to - begin) return begin + remaining
      remaining -= to - begin
    }
  }
  throw new Error(`service calendar has no service time within ${MAX_DAYS} days of ${new Date(start).toISOString()}`)
}

/** Service time between two instants (0 when `to` is not after `from`). */
export function businessTimeBetween(calendar: ServiceCalendar, from: number, to: number): number {
  if (to <= from) return 0
  if (calendar.kind === '24x7') return to - from
  let total = 0
  for (let day = localDayStart(calendar.timeZone, from); ; day += DAY_MS) {
    const intervals = intervalsOfDay(calendar, day)
    for (const [a, b] of intervals) total += Math.max(0, Math.min(b, to) - Math.max(a, from))
    // Stop once the day's last possible instant is past `to` (a day spans at most 25 h with DST).
    if (localToInstant(calendar.timeZone, day) > to) return total
  }
}

/** Whether `at` falls in service time. */
export function inService(calendar: ServiceCalendar, at: number): boolean {
  if (calendar.kind === '24x7') return true
  return intervalsOfDay(calendar, localDayStart(calendar.timeZone, at)).some(([a, b]) => at >= a && at < b)
}
