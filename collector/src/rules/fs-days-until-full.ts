import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams } from './support/rule.js'
import { slopePerDay } from './support/trend.js'

/**
 * Preventive: at the recent rate of growth, a filesystem fills within `days`. A ticket before the
 * customer notices, not a fault yet (L4).
 */
export default defineRule({
  id: 'fs-days-until-full',
  title: 'Filesystem will be full soon',
  level: 'L4',
  params: ruleParams({
    days: Type.Number({ minimum: 0, default: 14 }),
    /** How far back the trend looks; also the minimum span of readings needed. */
    trendHours: Type.Number({ minimum: 1, default: 72 }),
    autoResolve: Type.Boolean({ default: true }),
  }),
  history: { metrics: ['fs.used_percent'], windowS: (p) => p.trendHours * 3600 },
  evaluate(snapshot, params, now) {
    const out = []
    for (const [instance, all] of historyOf(snapshot, 'fs.used_percent')) {
      const points = all.filter((p) => p.ts >= now - params.trendHours * 3_600_000)
      // A trend over a few minutes says nothing about next week: ask for half the window at least.
      if (points.length < 3 || points.at(-1)!.ts - points[0]!.ts < params.trendHours * 1_800_000) continue
      const slope = slopePerDay(points)
      if (slope === null || slope <= 0) continue
      const current = points.at(-1)!.value
      const daysLeft = (100 - current) / slope
      if (daysLeft >= params.days) continue
      out.push({
        instance,
        title: `Filesystem ${instance} full in about ${daysLeft.toFixed(1)} days`,
        readings: { usedPercent: current, growthPercentPerDay: Number(slope.toFixed(3)), daysLeft: Number(daysLeft.toFixed(2)), thresholdDays: params.days },
        series: [`fs.used_percent|${instance}`],
      })
    }
    return out
  },
})
