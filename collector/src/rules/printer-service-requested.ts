import { defineRule, ruleParams } from './support/rule.js'
import { printerOf } from './support/device-state.js'

/** hrPrinterDetectedErrorState bit "serviceRequested" set, as the site poller decoded it. */
export default defineRule({
  id: 'printer-service-requested',
  title: 'Printer service requested',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer?.errors.includes('serviceRequested')) return []
    return [{ instance: '', title: 'Printer service requested', readings: { errors: printer.errors, printerStatus: printer.printerStatus, deviceStatus: printer.deviceStatus, alerts: printer.alerts.slice(0, 10) } }]
  },
})
