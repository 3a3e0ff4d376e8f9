import type { MetricPoint, UpsState } from '@patrol/shared'
import type { Profile, ProfileContext, ProfileOutput } from '../profile.js'
import { enumName, scalar, tableRows } from '../table.js'
import { asNumber, asText, type VarbindMap } from '../values.js'

export const OID = {
  upsBattery: '1.3.6.1.2.1.33.1.2', // UPS-MIB upsBattery group (RFC 1628)
  upsBatteryStatus: '1.3.6.1.2.1.33.1.2.1',
  upsSecondsOnBattery: '1.3.6.1.2.1.33.1.2.2',
  upsEstimatedMinutesRemaining: '1.3.6.1.2.1.33.1.2.3',
  upsEstimatedChargeRemaining: '1.3.6.1.2.1.33.1.2.4',
  upsInputEntry: '1.3.6.1.2.1.33.1.3.3.1', // UPS-MIB upsInputTable
  upsOutputSource: '1.3.6.1.2.1.33.1.4.1',
  upsOutputEntry: '1.3.6.1.2.1.33.1.4.4.1', // UPS-MIB upsOutputTable
  upsTestResultsSummary: '1.3.6.1.2.1.33.1.7.3',
  upsIdent: '1.3.6.1.2.1.33.1.1', // UPS-MIB upsIdent
  apcUps: '1.3.6.1.4.1.318.1.1.1', // PowerNet-MIB upsObjects (APC)
  apcBasicBatteryStatus: '1.3.6.1.4.1.318.1.1.1.2.1.1',
  apcTimeOnBattery: '1.3.6.1.4.1.318.1.1.1.2.1.2',
  apcBatteryCapacity: '1.3.6.1.4.1.318.1.1.1.2.2.1',
  apcRunTimeRemaining: '1.3.6.1.4.1.318.1.1.1.2.2.3',
  apcInputLineVoltage: '1.3.6.1.4.1.318.1.1.1.3.2.1',
  apcBasicOutputStatus: '1.3.6.1.4.1.318.1.1.1.4.1.1',
  apcOutputLoad: '1.3.6.1.4.1.318.1.1.1.4.2.3',
  apcDiagnosticsResults: '1.3.6.1.4.1.318.1.1.1.7.2.3',
  apcLastDiagnosticsDate: '1.3.6.1.4.1.318.1.1.1.7.2.4',
} as const

const BATTERY_STATUS: Record<number, string> = { 1: 'unknown', 2: 'batteryNormal', 3: 'batteryLow', 4: 'batteryDepleted' }
const APC_BATTERY_STATUS: Record<number, string> = { 1: 'unknown', 2: 'batteryNormal', 3: 'batteryLow', 4: 'batteryInFaultCondition' }
const OUTPUT_SOURCE: Record<number, string> = { 1: 'other', 2: 'none', 3: 'normal', 4: 'bypass', 5: 'battery', 6: 'booster', 7: 'reducer' }
const TEST_RESULT: Record<number, string> = { 1: 'donePass', 2: 'doneWarning', 3: 'doneError', 4: 'aborted', 5: 'inProgress', 6: 'noTestsInitiated' }
const APC_TEST_RESULT: Record<number, string> = { 1: 'donePass', 2: 'doneError', 3: 'invalidTest', 4: 'inProgress' }
const APC_OUTPUT_STATUS: Record<number, string> = {
  1: 'unknown', 2: 'onLine', 3: 'onBattery', 4: 'onSmartBoost', 5: 'timedSleeping', 6: 'softwareBypass', 7: 'off', 8: 'rebooting',
  9: 'switchedBypass', 10: 'hardwareFailureBypass', 11: 'sleepingUntilPowerReturn', 12: 'onSmartTrim', 13: 'ecoMode',
}

/**
 * RFC 1628 first; APC's PowerNet fills in what the standard MIB does not answer (older APC
 * network cards only speak PowerNet). TimeTicks from PowerNet are hundredths of a second.
 */
export function parseUps(walked: VarbindMap, ctx: Pick<ProfileContext, 'now'>): ProfileOutput {
  const ts = ctx.now
  const get = (oid: string) => asNumber(scalar(walked, oid))
  const ups: UpsState = {}

  const outputSource = get(OID.upsOutputSource)
  // upsSecondsOnBattery is NonNegativeInteger; a negative answer is garbage, not "on battery".
  const secondsOnBattery = ((v) => (v !== undefined && v >= 0 ? v : undefined))(get(OID.upsSecondsOnBattery))
  const apcOutput = get(OID.apcBasicOutputStatus)
  if (outputSource !== undefined) ups.outputSource = enumName(OUTPUT_SOURCE, outputSource)
  else if (apcOutput !== undefined) ups.outputSource = enumName(APC_OUTPUT_STATUS, apcOutput)
  if (outputSource !== undefined || secondsOnBattery !== undefined) {
    ups.onBattery = outputSource === 5 || (secondsOnBattery ?? 0) > 0
  } else if (apcOutput !== undefined) {
    ups.onBattery = apcOutput === 3
  }
  const onBatteryS = secondsOnBattery ?? ((t) => (t === undefined || t < 0 ? undefined : t / 100))(get(OID.apcTimeOnBattery))
  if (onBatteryS !== undefined) ups.secondsOnBattery = onBatteryS

  const batteryStatus = get(OID.upsBatteryStatus)
  const apcBatteryStatus = get(OID.apcBasicBatteryStatus)
  ups.batteryStatus = batteryStatus !== undefined ? enumName(BATTERY_STATUS, batteryStatus) : enumName(APC_BATTERY_STATUS, apcBatteryStatus)

  const charge = get(OID.upsEstimatedChargeRemaining) ?? get(OID.apcBatteryCapacity)
  if (charge !== undefined && charge >= 0) ups.chargePercent = charge

  const minutes = get(OID.upsEstimatedMinutesRemaining)
  const apcRuntime = get(OID.apcRunTimeRemaining)
  if (minutes !== undefined && minutes >= 0) ups.runtimeS = minutes * 60
  else if (apcRuntime !== undefined) ups.runtimeS = apcRuntime / 100

  // Three-phase UPSs have one output line per phase: the most loaded phase is what trips.
  const loads = tableRows(walked, OID.upsOutputEntry)
    .map((row) => asNumber(row.columns.get(5)))
    .filter((n): n is number => n !== undefined && n >= 0)
  const load = loads.length > 0 ? Math.max(...loads) : get(OID.apcOutputLoad)
  if (load !== undefined && load >= 0) ups.loadPercent = load

  // upsInputVoltage is RMS volts per line; the lowest line is the one that sends us to battery.
  const volts = tableRows(walked, OID.upsInputEntry)
    .map((row) => asNumber(row.columns.get(3)))
    .filter((n): n is number => n !== undefined && n >= 0)
  const inputVoltage = volts.length > 0 ? Math.min(...volts) : get(OID.apcInputLineVoltage)
  if (inputVoltage !== undefined && inputVoltage >= 0) ups.inputVoltage = inputVoltage

  const test = get(OID.upsTestResultsSummary)
  const apcTest = get(OID.apcDiagnosticsResults)
  const lastSelfTest = test !== undefined ? enumName(TEST_RESULT, test) : enumName(APC_TEST_RESULT, apcTest)
  if (lastSelfTest) ups.lastSelfTest = lastSelfTest
  const testDate = asText(scalar(walked, OID.apcLastDiagnosticsDate))
  if (testDate) ups.lastSelfTestDate = testDate

  const points: MetricPoint[] = []
  if (ups.onBattery !== undefined) points.push({ ts, metric: 'ups.on_battery', value: ups.onBattery ? 1 : 0 })
  if (ups.chargePercent !== undefined) points.push({ ts, metric: 'ups.charge_percent', value: ups.chargePercent })
  if (ups.runtimeS !== undefined) points.push({ ts, metric: 'ups.runtime_seconds', value: ups.runtimeS })
  if (ups.loadPercent !== undefined) points.push({ ts, metric: 'ups.load_percent', value: ups.loadPercent })
  if (ups.inputVoltage !== undefined) points.push({ ts, metric: 'ups.input_volts', value: ups.inputVoltage })
  if (ups.batteryStatus === 'batteryLow' || ups.batteryStatus === 'batteryDepleted' || ups.batteryStatus === 'batteryInFaultCondition') {
    points.push({ ts, metric: 'ups.battery_low', value: 1 })
  } else if (ups.batteryStatus === 'batteryNormal') points.push({ ts, metric: 'ups.battery_low', value: 0 })
  if (ups.batteryStatus === undefined) delete ups.batteryStatus
  if (ups.outputSource === undefined) delete ups.outputSource
  return { ups, points }
}

export const ups: Profile = {
  name: 'ups',
  priority: 30,
  probes: [OID.upsIdent, OID.upsBattery, OID.apcUps],
  matches: (_system, present) => present.has(OID.upsBattery) || present.has(OID.apcUps) || present.has(OID.upsIdent),
  roots: [OID.upsIdent, OID.upsBattery, OID.upsInputEntry, '1.3.6.1.2.1.33.1.4', '1.3.6.1.2.1.33.1.7', OID.apcUps],
  parse: (walked, ctx) => parseUps(walked, ctx),
}
