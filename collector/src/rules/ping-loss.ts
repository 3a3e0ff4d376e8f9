import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams, sustainedAbove } from './support/rule.js'

/** Echo requests lost above a share for a sustained period, as seen from the site poller. */
export default defineRule({
  id: 'ping-loss',
  title: 'Packet loss',
  level: 'L3',
  reachability: true,
  params: ruleParams({ lossPercent: Type.Number({ minimum: 0, maximum: 100, default: 20 }), windowS: Type.Number({ minimum: 0, default: 300 }), autoResolve: Type.Boolean({ default: true }) }),
  history: { metrics: ['ping.loss_percent'], windowS: (p) => p.windowS },
  evaluate(snapshot, params, now) {
    const series = historyOf(snapshot, 'ping.loss_percent').get('')
    const s = sustainedAbove(series, params.lossPercent - 1e-9, params.windowS, now)
    if (!s.sustained || s.min >= 100) return []
    return [{ instance: '', title: `Packet loss at least ${s.min.toFixed(0)} % for ${Math.round(params.windowS / 60)} min`, readings: { minLossPercent: s.min, samples: s.samples }, series: ['ping.loss_percent|'] }]
  },
})
