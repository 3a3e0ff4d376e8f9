import { defineRule, ruleParams } from './support/rule.js'
import { isConsumable, printerOf, supplyName } from './support/device-state.js'

/** Toner or ink empty: the printer stops or will stop printing (L3: service directly affected). */
export default defineRule({
  id: 'printer-supply-empty',
  title: 'Printer supply empty',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer) return []
    return printer.supplies
      .filter((s) => isConsumable(s) && (s.state === 'empty' || s.percent === 0))
      .map((s) => ({ instance: supplyName(s), title: `${supplyName(s)} empty`, readings: { supply: s } }))
  },
})
