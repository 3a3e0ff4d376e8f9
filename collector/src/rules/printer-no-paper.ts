import { defineRule, ruleParams } from './support/rule.js'
import { printerOf } from './support/device-state.js'

/** hrPrinterDetectedErrorState bit "noPaper" set, as the site poller decoded it. */
export default defineRule({
  id: 'printer-no-paper',
  title: 'Out of paper',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer?.errors.includes('noPaper')) return []
    return [{ instance: '', title: 'Out of paper', readings: { errors: printer.errors, printerStatus: printer.printerStatus, deviceStatus: printer.deviceStatus, alerts: printer.alerts.slice(0, 10) } }]
  },
})
