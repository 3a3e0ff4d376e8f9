/** Hysteresis, flapping and escalation stages: the pure timing rules behind tickets. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { stepCondition, type ConditionRow } from '../../collector/src/tickets/conditions.js'
import { escalationStage, raiseOne } from '../../collector/src/tickets/escalation.js'
import { businessTimeBetween, type ServiceCalendar } from '../../collector/src/tickets/sla/calendar.js'

const timing = { forS: 60, clearS: 120, flapChanges: 4, flapWindowS: 600 }
const S = 1000

describe('stepCondition', () => {
  it('opens only after the condition held forS, recovers only after it cleared clearS', () => {
    let row: ConditionRow | undefined
    const at = (s: number, truth: boolean) => {
      const step = stepCondition(row, truth, s * S, timing)
      row = step.next ?? undefined
      return step
    }
    expect(at(0, true).shouldOpen).toBe(false)
    expect(at(59, true).shouldOpen).toBe(false)
    expect(at(60, true).shouldOpen).toBe(true)
    expect(at(100, false).recovered).toBe(false)
    expect(at(219, false).recovered).toBe(false)
    expect(at(220, false).recovered).toBe(true)
  })

  it('forgets a clear condition it never saw, and marks flapping after flapChanges changes in the window', () => {
    expect(stepCondition(undefined, false, 0, timing)).toMatchObject({ next: null, changed: false })
    let row: ConditionRow | undefined
    const flips = [0, 10, 20, 30, 40].map((s, i) => {
      const step = stepCondition(row, i % 2 === 0, s * S, timing)
      row = step.next ?? undefined
      return step.flapping
    })
    expect(flips).toEqual([false, false, false, false, true])
    // Once the changes age out of the window, it is a plain condition again.
    expect(stepCondition(row, true, 10_000 * S, timing).flapping).toBe(false)
  })

  it('never opens and recovers in the same step, and never opens on a false reading', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 60 }), (readings) => {
        let row: ConditionRow | undefined
        let t = 0
        for (const [truth, gap] of readings) {
          t += gap * S
          const step = stepCondition(row, truth, t, timing)
          expect(step.shouldOpen && step.recovered).toBe(false)
          if (!truth) expect(step.shouldOpen).toBe(false)
          if (truth) expect(step.recovered).toBe(false)
          row = step.next ?? undefined
        }
      }),
    )
  })
})

describe('escalation stages', () => {
  const opened = Date.parse('2026-11-20T17:50:00+08:00')
  const ticket = { opened_at: new Date(opened), acknowledged_at: null, response_due: new Date(Date.parse('2026-11-23T09:00:00+08:00')), resolve_due: null, waiting_since: null }
  const weekday: ServiceCalendar = { kind: 'business', timeZone: 'Asia/Shanghai', days: [1, 2, 3, 4, 5], periods: [{ start: '08:30', end: '17:30' }] }
  const service = (from: number, to: number) => businessTimeBetween(weekday, from, to)

  it('counts the share used in service time: a weekend and the night use none of a weekday clock', () => {
    const early = Date.parse('2026-11-23T06:00:00+08:00')
    expect(escalationStage(ticket, early)).toBe(1) // wall clock: the weekend looks like 95 % used
    expect(escalationStage(ticket, early, 0.8, service)).toBe(0)
    expect(escalationStage(ticket, Date.parse('2026-11-23T08:55:00+08:00'), 0.8, service)).toBe(1)
    expect(escalationStage(ticket, Date.parse('2026-11-23T09:01:00+08:00'), 0.8, service)).toBe(2)
    expect(escalationStage({ ...ticket, acknowledged_at: new Date(opened) }, Date.parse('2026-11-23T09:01:00+08:00'), 0.8, service)).toBe(0)
    expect(escalationStage({ ...ticket, waiting_since: new Date(opened) }, Date.parse('2026-11-24T09:01:00+08:00'))).toBe(0)
  })

  it('raises one level at a time, never above L1', () => {
    expect(['L4', 'L3', 'L2', 'L1'].map(raiseOne)).toEqual(['L3', 'L2', 'L1', 'L1'])
  })
})
