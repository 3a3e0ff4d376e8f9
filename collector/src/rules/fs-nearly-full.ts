import { Type } from '@sinclair/typebox'
import { defineRule, latestOf, ruleParams } from './support/rule.js'

/** A filesystem above its warning (L3) or critical (L2) fill level. */
export default defineRule({
  id: 'fs-nearly-full',
  title: 'Filesystem nearly full',
  level: 'L3',
  params: ruleParams({
    warningPercent: Type.Number({ minimum: 0, maximum: 100, default: 90 }),
    criticalPercent: Type.Number({ minimum: 0, maximum: 100, default: 97 }),
    autoResolve: Type.Boolean({ default: true }),
  }),
  evaluate(snapshot, params) {
    return latestOf(snapshot, 'fs.used_percent')
      .filter((r) => r.value >= params.warningPercent)
      .map((r) => ({
        instance: r.instance,
        level: r.value >= params.criticalPercent ? 'L2' : 'L3',
        title: `Filesystem ${r.instance} ${r.value.toFixed(1)} % full`,
        readings: { usedPercent: r.value, at: new Date(r.ts).toISOString(), warningPercent: params.warningPercent, criticalPercent: params.criticalPercent },
        series: [`fs.used_percent|${r.instance}`],
      }))
  },
})
