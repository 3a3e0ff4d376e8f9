import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams, sustainedAbove } from './support/rule.js'

/** Memory use high: every reading above the limit for `windowS` (a sustained load, not a spike). */
export default defineRule({
  id: 'memory-high',
  title: 'Memory use high',
  level: 'L4',
  params: ruleParams({ above: Type.Number({ default: 95 }), windowS: Type.Number({ minimum: 60, default: 900 }), autoResolve: Type.Boolean({ default: true }) }),
  history: { metrics: ['mem.used_percent', 'host.memory_used_percent'], windowS: (p) => p.windowS },
  evaluate(snapshot, params, now) {
    const out = []
    for (const metric of ['mem.used_percent', 'host.memory_used_percent']) {
      for (const [instance, points] of historyOf(snapshot, metric)) {
        const s = sustainedAbove(points, params.above, params.windowS, now)
        if (!s.sustained) continue
        const what = instance ? `${metric} ${instance}` : metric
        out.push({ instance: instance ? `${metric}|${instance}` : metric, title: `Memory use high: ${what} above ${params.above} % for ${Math.round(params.windowS / 60)} min`, readings: { metric, instance, minimum: s.min, samples: s.samples }, series: [`${metric}|${instance}`] })
      }
    }
    return out
  },
})
