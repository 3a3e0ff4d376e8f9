import { defineRule, ruleParams } from './support/rule.js'
import { printerOf } from './support/device-state.js'

/** hrPrinterDetectedErrorState bit "jammed" set, as the site poller decoded it. */
export default defineRule({
  id: 'printer-paper-jam',
  title: 'Paper jam',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer?.errors.includes('jammed')) return []
    return [{ instance: '', title: 'Paper jam', readings: { errors: printer.errors, printerStatus: printer.printerStatus, deviceStatus: printer.deviceStatus, alerts: printer.alerts.slice(0, 10) } }]
  },
})
