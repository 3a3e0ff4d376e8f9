import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'
import { upsOf } from './support/device-state.js'

/** Mains power lost: the UPS runs on battery (potential whole-system outage, L2). */
export default defineRule({
  id: 'ups-on-battery',
  title: 'UPS on battery',
  level: 'L2',
  params: ruleParams({ autoResolve: Type.Boolean({ default: true }) }),
  evaluate(snapshot) {
    const ups = upsOf(snapshot)
    const latest = snapshot.latest['ups.on_battery|']
    const onBattery = ups?.onBattery ?? (latest ? latest[1] === 1 : false)
    if (!onBattery) return []
    return [{ instance: '', title: 'UPS on battery', readings: { onBattery: true, chargePercent: ups?.chargePercent, runtimeS: ups?.runtimeS, secondsOnBattery: ups?.secondsOnBattery, outputSource: ups?.outputSource } }]
  },
})
