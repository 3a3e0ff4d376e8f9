import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'

/** The asset's warranty (质保期) ends within `days` or has ended: decide who pays before the next fault. */
export default defineRule({
  id: 'warranty-expiring',
  title: 'Warranty expiring',
  level: 'L4',
  params: ruleParams({ days: Type.Number({ minimum: 0, default: 30 }), autoResolve: Type.Boolean({ default: true }) }),
  evaluate(snapshot, params, now) {
    const end = snapshot.device.warrantyEnd
    if (!end) return []
    // Warranty covers its last day: it ends at the following midnight (UTC, a day's precision).
    const endsAt = Date.parse(`${end}T00:00:00Z`) + 86_400_000
    const daysLeft = (endsAt - now) / 86_400_000
    if (daysLeft > params.days) return []
    return [{ instance: '', title: daysLeft <= 0 ? `Warranty ended ${end}` : `Warranty ends ${end} (${Math.ceil(daysLeft)} days)`, readings: { warrantyEnd: end, daysLeft: Number(daysLeft.toFixed(1)) } }]
  },
})
