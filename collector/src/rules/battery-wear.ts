import { Type } from '@sinclair/typebox'
import { defineRule, latestOf, ruleParams } from './support/rule.js'

/** A laptop battery that lost much of its design capacity: plan a replacement (spare parts). */
export default defineRule({
  id: 'battery-wear',
  title: 'Battery worn',
  level: 'L4',
  params: ruleParams({ wearPercent: Type.Number({ minimum: 0, maximum: 100, default: 40 }) }),
  evaluate(snapshot, params) {
    return latestOf(snapshot, 'battery.wear_percent')
      .filter((r) => r.value >= params.wearPercent)
      .map((r) => ({ instance: r.instance, title: `Battery ${r.instance || ''} worn ${r.value.toFixed(0)} %`.replace('  ', ' '), readings: { wearPercent: r.value, battery: snapshot.inventory?.battery }, series: [`battery.wear_percent|${r.instance}`] }))
  },
})
