import { defineRule, ruleParams } from './support/rule.js'
import { printerOf } from './support/device-state.js'

/** hrPrinterDetectedErrorState bit "offline" set, as the site poller decoded it. */
export default defineRule({
  id: 'printer-offline',
  title: 'Printer offline',
  level: 'L3',
  params: ruleParams({}),
  evaluate(snapshot) {
    const printer = printerOf(snapshot)
    if (!printer?.errors.includes('offline')) return []
    return [{ instance: '', title: 'Printer offline', readings: { errors: printer.errors, printerStatus: printer.printerStatus, deviceStatus: printer.deviceStatus, alerts: printer.alerts.slice(0, 10) } }]
  },
})
