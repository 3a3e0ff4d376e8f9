import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams, sustainedAbove } from './support/rule.js'

/** Round-trip time above a limit for a sustained period. */
export default defineRule({
  id: 'ping-latency',
  title: 'High latency',
  level: 'L4',
  params: ruleParams({ rttMs: Type.Number({ minimum: 0, default: 200 }), windowS: Type.Number({ minimum: 0, default: 300 }), autoResolve: Type.Boolean({ default: true }) }),
  history: { metrics: ['ping.rtt_ms'], windowS: (p) => p.windowS },
  evaluate(snapshot, params, now) {
    const s = sustainedAbove(historyOf(snapshot, 'ping.rtt_ms').get(''), params.rttMs, params.windowS, now)
    if (!s.sustained) return []
    return [{ instance: '', title: `Round trip above ${params.rttMs} ms for ${Math.round(params.windowS / 60)} min`, readings: { minRttMs: s.min, samples: s.samples }, series: ['ping.rtt_ms|'] }]
  },
})
