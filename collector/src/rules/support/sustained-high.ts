import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams, sustainedAbove, type FaultLevel } from './rule.js'

export interface SustainedHighRule {
  id: string
  title: string
  /** The metrics watched, in order; an agent's and an SNMP poller's name for the same thing. */
  metrics: string[]
  unit: string
  defaultAbove: number
  level?: FaultLevel
}

/**
 * A rule that fires when every reading of a metric stays above a limit for `windowS`: a
 * sustained load, not a spike. CPU, memory and temperature differ only in these settings.
 */
export function sustainedHighRule(spec: SustainedHighRule) {
  return defineRule({
    id: spec.id,
    title: spec.title,
    level: spec.level ?? 'L4',
    params: ruleParams({ above: Type.Number({ default: spec.defaultAbove }), windowS: Type.Number({ minimum: 60, default: 900 }), autoResolve: Type.Boolean({ default: true }) }),
    history: { metrics: spec.metrics, windowS: (p) => p.windowS },
    evaluate(snapshot, params, now) {
      const out = []
      for (const metric of spec.metrics) {
        for (const [instance, points] of historyOf(snapshot, metric)) {
          const s = sustainedAbove(points, params.above, params.windowS, now)
          if (!s.sustained) continue
          const what = instance ? `${metric} ${instance}` : metric
          out.push({
            instance: instance ? `${metric}|${instance}` : metric,
            title: `${spec.title}: ${what} above ${params.above} ${spec.unit} for ${Math.round(params.windowS / 60)} min`,
            readings: { metric, instance, minimum: s.min, samples: s.samples },
            series: [`${metric}|${instance}`],
          })
        }
      }
      return out
    },
  })
}
