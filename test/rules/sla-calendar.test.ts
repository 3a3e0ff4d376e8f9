/**
 * SLA clock arithmetic on service calendars: known cases from the contracts in DOMAIN.md and
 * properties over random instants, durations, calendars and time zones.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addBusinessTime, businessTimeBetween, inService, validateCalendar, type ServiceCalendar } from '../../collector/src/tickets/sla/calendar.js'
import { computeDeadlines, onsiteMinutesForDistance } from '../../collector/src/tickets/sla/deadlines.js'

const H = 3_600_000
const M = 60_000
const weekdays = (timeZone: string, extra: Partial<Extract<ServiceCalendar, { kind: 'business' }>> = {}): ServiceCalendar => ({
  kind: 'business',
  timeZone,
  days: [1, 2, 3, 4, 5],
  periods: [{ start: '08:30', end: '17:30' }],
  ...extra,
})
// 004: Mon–Fri 9:00–12:00 and 13:00–18:00, a lunch break between.
const lunch = (timeZone: string): ServiceCalendar => ({ kind: 'business', timeZone, days: [1, 2, 3, 4, 5], periods: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }] })
const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

describe('service calendars, known cases', () => {
  it('a ticket opened Friday 17:50 on a weekday contract is due Monday', () => {
    // 2026-11-20 is a Friday; Shanghai is UTC+8 all year.
    const opened = at('2026-11-20T17:50:00+08:00')
    expect(iso(addBusinessTime(weekdays('Asia/Shanghai'), opened, 2 * H))).toBe(iso(at('2026-11-23T10:30:00+08:00')))
    expect(iso(addBusinessTime(weekdays('Asia/Shanghai'), opened, 0))).toBe(iso(at('2026-11-23T08:30:00+08:00')))
  })

  it('skips the lunch break', () => {
    const opened = at('2026-11-24T11:30:00+08:00')
    expect(iso(addBusinessTime(lunch('Asia/Shanghai'), opened, 1 * H))).toBe(iso(at('2026-11-24T13:30:00+08:00')))
    expect(businessTimeBetween(lunch('Asia/Shanghai'), at('2026-11-24T11:00:00+08:00'), at('2026-11-24T14:00:00+08:00'))).toBe(2 * H)
    expect(inService(lunch('Asia/Shanghai'), at('2026-11-24T12:30:00+08:00'))).toBe(false)
  })

  it('skips public holidays and honours swapped working days', () => {
    // National Day week 2026: 1–7 October off; Saturday 10 October worked instead.
    const holidays = ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']
    const cal = weekdays('Asia/Shanghai', { holidays, workdays: ['2026-10-10'] })
    const opened = at('2026-09-30T17:00:00+08:00')
    expect(iso(addBusinessTime(cal, opened, 4 * H))).toBe(iso(at('2026-10-08T12:00:00+08:00')))
    expect(iso(addBusinessTime(cal, at('2026-10-09T17:00:00+08:00'), 1 * H))).toBe(iso(at('2026-10-10T09:00:00+08:00')))
  })

  it('follows the contract’s zone across a DST change (Europe/Berlin, 25 October 2026)', () => {
    const cal = weekdays('Europe/Berlin')
    // Friday 23 Oct 17:00 CEST (UTC+2) + 1 h → Monday 26 Oct 09:00 CET (UTC+1).
    expect(iso(addBusinessTime(cal, at('2026-10-23T17:00:00+02:00'), 1 * H))).toBe(iso(at('2026-10-26T09:00:00+01:00')))
  })

  it('7×24 is the wall clock; weekend days can be part of a calendar', () => {
    expect(addBusinessTime({ kind: '24x7' }, at('2026-11-21T03:00:00Z'), 5 * H)).toBe(at('2026-11-21T08:00:00Z'))
    const weekend = weekdays('UTC', { days: [6, 7] })
    expect(iso(addBusinessTime(weekend, at('2026-11-20T12:00:00Z'), 30 * M))).toBe(iso(at('2026-11-21T09:00:00Z')))
  })

  it('refuses calendars that cannot work', () => {
    expect(validateCalendar({ kind: 'business', timeZone: 'Mars/Olympus', days: [1], periods: [{ start: '09:00', end: '08:00' }] })).toEqual([
      'unknown time zone "Mars/Olympus"',
      'period 09:00–08:00 ends before it starts',
    ])
    expect(() => addBusinessTime(weekdays('UTC', { days: [1], holidays: [] , periods: [] }), 0, H)).toThrow(/no service time/)
  })

  it('stretches the on-site promise with distance, and deadlines follow the calendar', () => {
    expect([10, 80, 300, 700, 1200].map(onsiteMinutesForDistance)).toEqual([120, 240, 480, 720, 1440])
    const d = computeDeadlines(weekdays('Asia/Shanghai'), { responseMin: 30, onsiteMin: 60, resolveMin: 240 }, at('2026-11-20T17:10:00+08:00'), { distanceKm: 80 })
    // 20 min left on Friday, the rest from Monday 08:30.
    expect(iso(d.responseDue)).toBe(iso(at('2026-11-23T08:40:00+08:00')))
    // 80 km: four hours on site, not the contract's one.
    expect(iso(d.onsiteDue)).toBe(iso(at('2026-11-23T12:10:00+08:00')))
    expect(iso(d.resolveDue)).toBe(iso(at('2026-11-23T12:10:00+08:00')))
  })
})

const zones = ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Australia/Adelaide']
const calendarArb: fc.Arbitrary<ServiceCalendar> = fc.oneof(
  fc.constant({ kind: '24x7' } as const),
  fc.record({
    kind: fc.constant('business' as const),
    timeZone: fc.constantFrom(...zones),
    days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
    periods: fc.constantFrom<{ start: string; end: string }[]>([{ start: '08:30', end: '17:30' }], [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }], [{ start: '00:00', end: '24:00' }]),
    holidays: fc.array(fc.integer({ min: 0, max: 60 }).map((d) => new Date(Date.UTC(2026, 9, 1) + d * 86_400_000).toISOString().slice(0, 10)), { maxLength: 8 }),
  }),
)
const instant = fc.integer({ min: Date.UTC(2026, 8, 1), max: Date.UTC(2026, 11, 31) })
const duration = fc.integer({ min: 0, max: 60 * H })

describe('service calendars, properties', () => {
  it('adding more time never lands earlier, and starting later never ends earlier', () => {
    fc.assert(
      fc.property(calendarArb, instant, duration, duration, (cal, t, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a]
        expect(addBusinessTime(cal, t, lo)).toBeLessThanOrEqual(addBusinessTime(cal, t, hi))
        expect(addBusinessTime(cal, t, lo)).toBeLessThanOrEqual(addBusinessTime(cal, t + Math.abs(b - a), lo))
      }),
      { numRuns: 300 },
    )
  })

  it('7×24 equals the wall clock', () => {
    fc.assert(fc.property(instant, duration, (t, d) => addBusinessTime({ kind: '24x7' }, t, d) === t + d))
  })

  it('the service time between the start and the deadline is the duration added', () => {
    fc.assert(
      fc.property(calendarArb, instant, duration, (cal, t, d) => {
        expect(businessTimeBetween(cal, t, addBusinessTime(cal, t, d))).toBe(d)
      }),
      { numRuns: 300 },
    )
  })

  it('a deadline with positive time to run lands in service time or at a period’s end', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 1, max: 60 * H }), (cal, t, d) => {
        const due = addBusinessTime(cal, t, d)
        expect(due).toBeGreaterThan(t)
        expect(inService(cal, due - 1)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('service time is additive: split at any point, the parts add up', () => {
    fc.assert(
      fc.property(calendarArb, instant, fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.integer({ min: 0, max: 10 * 86_400_000 }), (cal, t, a, b) => {
        expect(businessTimeBetween(cal, t, t + a) + businessTimeBetween(cal, t + a, t + a + b)).toBe(businessTimeBetween(cal, t, t + a + b))
      }),
      { numRuns: 200 },
    )
  })
})
