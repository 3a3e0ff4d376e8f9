import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'
import { upsOf } from './support/device-state.js'

/** The battery would not last: estimated runtime below a limit, or the UPS reports its battery low. */
export default defineRule({
  id: 'ups-low-runtime',
  title: 'UPS runtime low',
  level: 'L2',
  params: ruleParams({ minRuntimeS: Type.Number({ minimum: 0, default: 600 }), autoResolve: Type.Boolean({ default: true }) }),
  evaluate(snapshot, params) {
    const ups = upsOf(snapshot)
    const runtime = ups?.runtimeS ?? snapshot.latest['ups.runtime_seconds|']?.[1]
    const low = snapshot.latest['ups.battery_low|']?.[1] === 1
    if (!(runtime !== undefined && runtime < params.minRuntimeS) && !low) return []
    return [{ instance: '', title: runtime !== undefined ? `UPS runtime ${Math.round(runtime / 60)} min` : 'UPS battery low', readings: { runtimeS: runtime, batteryLow: low, batteryStatus: ups?.batteryStatus, minRuntimeS: params.minRuntimeS }, series: ['ups.runtime_seconds|'] }]
  },
})
