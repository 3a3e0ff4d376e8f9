import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams, sustainedAbove } from './support/rule.js'

/** Temperature high: every reading above the limit for `windowS` (a sustained load, not a spike). */
export default defineRule({
  id: 'temperature-high',
  title: 'Temperature high',
  level: 'L4',
  params: ruleParams({ above: Type.Number({ default: 85 }), windowS: Type.Number({ minimum: 60, default: 900 }), autoResolve: Type.Boolean({ default: true }) }),
  history: { metrics: ['cpu.temperature_celsius', 'smart.temperature_celsius'], windowS: (p) => p.windowS },
  evaluate(snapshot, params, now) {
    const out = []
    for (const metric of ['cpu.temperature_celsius', 'smart.temperature_celsius']) {
      for (const [instance, points] of historyOf(snapshot, metric)) {
        const s = sustainedAbove(points, params.above, params.windowS, now)
        if (!s.sustained) continue
        const what = instance ? `${metric} ${instance}` : metric
        out.push({ instance: instance ? `${metric}|${instance}` : metric, title: `Temperature high: ${what} above ${params.above} °C for ${Math.round(params.windowS / 60)} min`, readings: { metric, instance, minimum: s.min, samples: s.samples }, series: [`${metric}|${instance}`] })
      }
    }
    return out
  },
})
