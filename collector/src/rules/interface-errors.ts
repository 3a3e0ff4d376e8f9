import { Type } from '@sinclair/typebox'
import { defineRule, historyOf, ruleParams } from './support/rule.js'

/**
 * Errors on a port, per poll, rising: the recent half of the window averages more than
 * `minErrorsPerPoll` and more than the older half (a bad cable or duplex mismatch getting worse).
 */
export default defineRule({
  id: 'interface-errors',
  title: 'Interface errors rising',
  level: 'L4',
  params: ruleParams({ minErrorsPerPoll: Type.Number({ minimum: 0, default: 10 }), windowS: Type.Number({ minimum: 60, default: 1800 }), autoResolve: Type.Boolean({ default: true }) }),
  history: { metrics: ['if.in_errors', 'if.out_errors'], windowS: (p) => p.windowS },
  evaluate(snapshot, params, now) {
    const out = []
    const byPort = new Map<string, { ts: number; value: number }[]>()
    for (const metric of ['if.in_errors', 'if.out_errors']) {
      for (const [port, points] of historyOf(snapshot, metric)) byPort.set(port, [...(byPort.get(port) ?? []), ...points.filter((p) => p.ts >= now - params.windowS * 1000)])
    }
    const middle = now - (params.windowS * 1000) / 2
    const avg = (xs: { value: number }[]) => (xs.length ? xs.reduce((s, p) => s + p.value, 0) / xs.length : 0)
    for (const [port, points] of byPort) {
      const older = avg(points.filter((p) => p.ts < middle))
      const recent = avg(points.filter((p) => p.ts >= middle))
      if (recent > params.minErrorsPerPoll && recent > older) {
        out.push({ instance: port, title: `Port ${port}: ${recent.toFixed(0)} errors per poll, rising`, readings: { recentErrorsPerPoll: recent, olderErrorsPerPoll: older }, series: [`if.in_errors|${port}`, `if.out_errors|${port}`] })
      }
    }
    return out
  },
})
