import { defineRule, ruleParams } from './support/rule.js'
import { upsOf } from './support/device-state.js'

/** The UPS's last self-test did not pass (RFC 1628 upsTestResultsSummary / APC upsAdvTestDiagnosticsResults). */
export default defineRule({
  id: 'ups-self-test-failed',
  title: 'UPS self-test failed',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const ups = upsOf(snapshot)
    if (!ups?.lastSelfTest || !/fail|error|invalid/i.test(ups.lastSelfTest)) return []
    return [{ instance: '', title: `UPS self-test: ${ups.lastSelfTest}`, readings: { lastSelfTest: ups.lastSelfTest, lastSelfTestDate: ups.lastSelfTestDate } }]
  },
})
