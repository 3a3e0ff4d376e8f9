import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'
import { isConsumable, printerOf, supplyName } from './support/device-state.js'

/** Toner or ink below a level: order a cartridge before it runs out (consumables run out predictably). */
export default defineRule({
  id: 'printer-supply-low',
  title: 'Printer supply low',
  level: 'L4',
  params: ruleParams({ belowPercent: Type.Number({ minimum: 0, maximum: 100, default: 10 }), autoResolve: Type.Boolean({ default: true }) }),
  evaluate(snapshot, params) {
    const printer = printerOf(snapshot)
    if (!printer) return []
    return printer.supplies
      .filter((s) => isConsumable(s) && s.state !== 'empty' && s.percent !== null && s.percent > 0 && s.percent < params.belowPercent)
      .map((s) => ({ instance: supplyName(s), title: `${supplyName(s)} low (${s.percent} %)`, readings: { supply: s }, series: [`printer.supply_percent|${supplyName(s)}`] }))
  },
})
