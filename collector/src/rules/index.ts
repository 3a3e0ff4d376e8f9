/**
 * Every rule, once. A rule is one file in this folder whose id is its file name (a contract test
 * checks both); adding one means adding the file and a line here.
 */
import batteryWear from './battery-wear.js'
import cpuHigh from './cpu-high.js'
import deviceOffline from './device-offline.js'
import fsDaysUntilFull from './fs-days-until-full.js'
import fsNearlyFull from './fs-nearly-full.js'
import interfaceDown from './interface-down.js'
import interfaceErrors from './interface-errors.js'
import memoryHigh from './memory-high.js'
import pingLatency from './ping-latency.js'
import pingLoss from './ping-loss.js'
import printerDoorOpen from './printer-door-open.js'
import printerNoPaper from './printer-no-paper.js'
import printerOffline from './printer-offline.js'
import printerPaperJam from './printer-paper-jam.js'
import printerServiceRequested from './printer-service-requested.js'
import printerSupplyEmpty from './printer-supply-empty.js'
import printerSupplyLow from './printer-supply-low.js'
import smartDegrading from './smart-degrading.js'
import smartFailing from './smart-failing.js'
import temperatureHigh from './temperature-high.js'
import upsLowRuntime from './ups-low-runtime.js'
import upsOnBattery from './ups-on-battery.js'
import upsSelfTestFailed from './ups-self-test-failed.js'
import warrantyExpiring from './warranty-expiring.js'
import type { Rule } from './support/rule.js'

export const RULES: readonly Rule[] = [
  batteryWear as unknown as Rule,
  cpuHigh as unknown as Rule,
  deviceOffline as unknown as Rule,
  fsDaysUntilFull as unknown as Rule,
  fsNearlyFull as unknown as Rule,
  interfaceDown as unknown as Rule,
  interfaceErrors as unknown as Rule,
  memoryHigh as unknown as Rule,
  pingLatency as unknown as Rule,
  pingLoss as unknown as Rule,
  printerDoorOpen as unknown as Rule,
  printerNoPaper as unknown as Rule,
  printerOffline as unknown as Rule,
  printerPaperJam as unknown as Rule,
  printerServiceRequested as unknown as Rule,
  printerSupplyEmpty as unknown as Rule,
  printerSupplyLow as unknown as Rule,
  smartDegrading as unknown as Rule,
  smartFailing as unknown as Rule,
  temperatureHigh as unknown as Rule,
  upsLowRuntime as unknown as Rule,
  upsOnBattery as unknown as Rule,
  upsSelfTestFailed as unknown as Rule,
  warrantyExpiring as unknown as Rule,
]

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]))
export * from './support/rule.js'
