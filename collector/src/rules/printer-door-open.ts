import { defineRule, ruleParams } from './support/rule.js'
import { printerOf } from './support/device-state.js'

/** hrPrinterDetectedErrorState bit "doorOpen" set, as the site poller decoded it. */
export default defineRule({
  id: 'printer-door-open',
  title: 'Printer door open',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer?.errors.includes('doorOpen')) return []
    return [{ instance: '', title: 'Printer door open', readings: { errors: printer.errors, printerStatus: printer.printerStatus, deviceStatus: printer.deviceStatus, alerts: printer.alerts.slice(0, 10) } }]
  },
})
