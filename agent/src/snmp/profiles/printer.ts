import type { MetricPoint, PrinterState } from '@patrol/shared'
import type { Profile, ProfileContext, ProfileOutput } from '../profile.js'
import { enumName, round, scalar, tableRows, type TableRow } from '../table.js'
import { asBytes, asNumber, asOid, asText, type VarbindMap } from '../values.js'

type Supply = PrinterState['supplies'][number]
type Alert = PrinterState['alerts'][number]
type Tray = PrinterState['trays'][number]

export const OID = {
  hrDeviceEntry: '1.3.6.1.2.1.25.3.2.1', // HOST-RESOURCES-MIB hrDeviceTable (RFC 2790)
  hrDevicePrinter: '1.3.6.1.2.1.25.3.1.5', // HOST-RESOURCES-TYPES hrDevicePrinter
  hrPrinterEntry: '1.3.6.1.2.1.25.3.5.1', // HOST-RESOURCES-MIB hrPrinterTable
  prtInputEntry: '1.3.6.1.2.1.43.8.2.1', // Printer-MIB prtInputTable (RFC 3805)
  prtMarkerEntry: '1.3.6.1.2.1.43.10.2.1', // Printer-MIB prtMarkerTable
  prtMarkerSuppliesEntry: '1.3.6.1.2.1.43.11.1.1', // Printer-MIB prtMarkerSuppliesTable
  prtMarkerColorantEntry: '1.3.6.1.2.1.43.12.1.1', // Printer-MIB prtMarkerColorantTable
  prtAlertEntry: '1.3.6.1.2.1.43.18.1.1', // Printer-MIB prtAlertTable
  prtGeneralSerialNumber: '1.3.6.1.2.1.43.5.1.1.17', // Printer-MIB prtGeneralSerialNumber
} as const

/** hrPrinterDetectedErrorState bit names (RFC 3805 §2.2.13.4); bit 0 is the MSB of octet 0. */
export const ERROR_BITS = [
  'lowPaper',
  'noPaper',
  'lowToner',
  'noToner',
  'doorOpen',
  'jammed',
  'offline',
  'serviceRequested',
  'inputTrayMissing',
  'outputTrayMissing',
  'markerSupplyMissing',
  'outputNearFull',
  'outputFull',
  'inputTrayEmpty',
  'overduePreventMaint',
] as const

const SUPPLY_TYPE: Record<number, string> = {
  1: 'other', 2: 'unknown', 3: 'toner', 4: 'wasteToner', 5: 'ink', 6: 'inkCartridge', 7: 'inkRibbon', 8: 'wasteInk',
  9: 'opc', 10: 'developer', 11: 'fuserOil', 12: 'solidWax', 13: 'ribbonWax', 14: 'wasteWax', 15: 'fuser', 16: 'coronaWire',
  17: 'fuserOilWick', 18: 'cleanerUnit', 19: 'fuserCleaningPad', 20: 'transferUnit', 21: 'tonerCartridge', 22: 'fuserOiler',
  23: 'water', 24: 'wasteWater', 25: 'glueWaterAdditive', 26: 'wastePaper', 27: 'bindingSupply', 28: 'bandingSupply',
  29: 'stitchingWire', 30: 'shrinkWrap', 31: 'paperWrap', 32: 'staples', 33: 'inserts', 34: 'covers', 35: 'matteToner', 36: 'matteInk',
}
const SUPPLY_UNIT: Record<number, string> = {
  1: 'other', 2: 'unknown', 3: 'tenThousandthsOfInches', 4: 'micrometers', 7: 'impressions', 8: 'sheets', 11: 'hours',
  12: 'thousandthsOfOunces', 13: 'tenthsOfGrams', 14: 'hundrethsOfFluidOunces', 15: 'tenthsOfMilliliters', 16: 'feet',
  17: 'meters', 18: 'items', 19: 'percent',
}
const SUPPLY_CLASS: Record<number, string> = { 1: 'other', 3: 'supplyThatIsConsumed', 4: 'receptacleThatIsFilled' }
const PRINTER_STATUS: Record<number, string> = { 1: 'other', 2: 'unknown', 3: 'idle', 4: 'printing', 5: 'warmup' }
const DEVICE_STATUS: Record<number, string> = { 1: 'unknown', 2: 'running', 3: 'warning', 4: 'testing', 5: 'down' }
const ALERT_SEVERITY: Record<number, string> = { 1: 'other', 3: 'critical', 4: 'warning', 5: 'warningBinaryChangeEvent' }
const TRAINING_LEVEL: Record<number, string> = {
  1: 'other', 2: 'unknown', 3: 'untrained', 4: 'trained', 5: 'fieldService', 6: 'management', 7: 'noInterventionRequired',
}
const ALERT_GROUP: Record<number, string> = {
  1: 'other', 3: 'hostResourcesMIBStorageTable', 4: 'hostResourcesMIBDeviceTable', 5: 'generalPrinter', 6: 'cover',
  7: 'localization', 8: 'input', 9: 'output', 10: 'marker', 11: 'markerSupplies', 12: 'markerColorant', 13: 'mediaPath',
  14: 'channel', 15: 'interpreter', 16: 'consoleDisplayBuffer', 17: 'consoleLights', 18: 'alert', 30: 'finDevice',
  31: 'finSupply', 32: 'finSupplyMediaInput', 33: 'finAttribute',
}
const ALERT_CODE: Record<number, string> = {
  1: 'other', 2: 'unknown', 3: 'coverOpen', 4: 'coverClosed', 5: 'interlockOpen', 6: 'interlockClosed', 7: 'configurationChange',
  8: 'jam', 9: 'subunitMissing', 10: 'subunitLifeAlmostOver', 11: 'subunitLifeOver', 12: 'subunitAlmostEmpty', 13: 'subunitEmpty',
  14: 'subunitAlmostFull', 15: 'subunitFull', 16: 'subunitNearLimit', 17: 'subunitAtLimit', 18: 'subunitOpened', 19: 'subunitClosed',
  20: 'subunitTurnedOn', 21: 'subunitTurnedOff', 22: 'subunitOffline', 23: 'subunitPowerSaver', 24: 'subunitWarmingUp',
  25: 'subunitAdded', 26: 'subunitRemoved', 27: 'subunitResourceAdded', 28: 'subunitResourceRemoved',
  29: 'subunitRecoverableFailure', 30: 'subunitUnrecoverableFailure', 31: 'subunitRecoverableStorageError',
  32: 'subunitUnrecoverableStorageError', 33: 'subunitMotorFailure', 34: 'subunitMemoryExhausted', 35: 'subunitUnderTemperature',
  36: 'subunitOverTemperature', 37: 'subunitTimingFailure', 38: 'subunitThermistorFailure',
  501: 'doorOpen', 502: 'doorClosed', 503: 'powerUp', 504: 'powerDown', 505: 'printerNMSReset', 506: 'printerManualReset',
  507: 'printerReadyToPrint', 801: 'inputMediaTrayMissing', 802: 'inputMediaSizeChange', 803: 'inputMediaWeightChange',
  804: 'inputMediaTypeChange', 805: 'inputMediaColorChange', 806: 'inputMediaFormPartsChange', 807: 'inputMediaSupplyLow',
  808: 'inputMediaSupplyEmpty', 809: 'inputMediaChangeRequest', 810: 'inputManualInputRequest', 811: 'inputTrayPositionFailure',
  812: 'inputTrayElevationFailure', 813: 'inputCannotFeedSizeSelected', 901: 'outputMediaTrayMissing',
  902: 'outputMediaTrayAlmostFull', 903: 'outputMediaTrayFull', 904: 'outputMailboxSelectFailure',
  1001: 'markerFuserUnderTemperature', 1002: 'markerFuserOverTemperature', 1003: 'markerFuserTimingFailure',
  1004: 'markerFuserThermistorFailure', 1005: 'markerAdjustingPrintQuality', 1101: 'markerTonerEmpty', 1102: 'markerInkEmpty',
  1103: 'markerPrintRibbonEmpty', 1104: 'markerTonerAlmostEmpty', 1105: 'markerInkAlmostEmpty',
  1106: 'markerPrintRibbonAlmostEmpty', 1107: 'markerWasteTonerReceptacleAlmostFull', 1108: 'markerWasteInkReceptacleAlmostFull',
  1109: 'markerWasteTonerReceptacleFull', 1110: 'markerWasteInkReceptacleFull', 1111: 'markerOpcLifeAlmostOver',
  1112: 'markerOpcLifeOver', 1113: 'markerDeveloperAlmostEmpty', 1114: 'markerDeveloperEmpty', 1115: 'markerTonerCartridgeMissing',
  1301: 'mediaPathMediaTrayMissing', 1302: 'mediaPathMediaTrayAlmostFull', 1303: 'mediaPathMediaTrayFull',
  1304: 'mediaPathCannotDuplexMediaSelected',
}

/**
 * Decodes hrPrinterDetectedErrorState. The OCTET STRING is a bit string in SNMP's order: bit 0
 * is the most significant bit of the first octet, so "lowPaper" is 0x80 of octet 0 and
 * "inputTrayMissing" is 0x80 of octet 1. Many printers send one octet only, or none at all when
 * nothing is wrong (the Epson recording): a missing octet means its bits are clear.
 */
export function decodeErrorState(octets: Buffer | undefined): string[] {
  if (!octets) return []
  const set: string[] = []
  ERROR_BITS.forEach((name, bit) => {
    const byte = octets[bit >> 3]
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) set.push(name)
  })
  return set
}

/**
 * Percent left of a supply or tray from the raw level and max capacity, honouring RFC 3805's
 * special values: level -1 other, -2 unknown, -3 "at least one unit remains"; max -1 "no
 * restriction" and -2 unknown. Only two real numbers give a percent.
 */
export function supplyLevel(level: number | undefined, max: number | undefined): { percent: number | null; state: Supply['state'] } {
  if (level === undefined) return { percent: null, state: 'unknown' }
  if (level === -3) return { percent: null, state: 'some-remaining' }
  if (level === -2) return { percent: null, state: 'unknown' }
  if (level < 0) return { percent: null, state: 'other' }
  const state = level === 0 ? 'empty' : 'ok'
  if (max === undefined || max <= 0) return { percent: null, state }
  // Some firmware reports a level above its own maximum after a refill; 100 % is the truth then.
  return { percent: round(Math.min(100, (level / max) * 100), 1), state }
}

function int(row: TableRow, column: number): number | undefined {
  const n = asNumber(row.columns.get(column))
  return n === undefined || !Number.isInteger(n) ? undefined : n
}

export function parsePrinter(walked: VarbindMap, ctx: Pick<ProfileContext, 'now'>): ProfileOutput {
  const ts = ctx.now
  const points: MetricPoint[] = []

  const colourants = new Map<string, string>()
  for (const row of tableRows(walked, OID.prtMarkerColorantEntry)) {
    const name = asText(row.columns.get(4)) // prtMarkerColorantValue, e.g. "black"
    if (name) colourants.set(row.index, name)
  }

  const supplies: Supply[] = []
  for (const row of tableRows(walked, OID.prtMarkerSuppliesEntry)) {
    const [device, index] = row.indexParts
    if (index === undefined || !Number.isInteger(index)) continue
    const level = int(row, 9)
    const maxCapacity = int(row, 8)
    const { percent, state } = supplyLevel(level, maxCapacity)
    const colorantIndex = int(row, 3)
    const colour = colorantIndex && colorantIndex > 0 ? colourants.get(`${device}.${colorantIndex}`) : undefined
    const supply: Supply = {
      index,
      description: asText(row.columns.get(6)) || `supply ${index}`,
      type: enumName(SUPPLY_TYPE, int(row, 5)) ?? 'unknown',
      level: level ?? -2,
      maxCapacity: maxCapacity ?? -2,
      percent,
      state,
    }
    if (colour) supply.colour = colour
    const unit = enumName(SUPPLY_UNIT, int(row, 7))
    if (unit) supply.unit = unit
    const supplyClass = enumName(SUPPLY_CLASS, int(row, 4))
    if (supplyClass) supply.supplyClass = supplyClass
    supplies.push(supply)
    if (percent !== null) points.push({ ts, metric: 'printer.supply_percent', instance: supply.description, value: percent })
  }

  // The printer's own hrDevice row: the one typed hrDevicePrinter, else the first printer row.
  const devices = tableRows(walked, OID.hrDeviceEntry)
  const printerRows = tableRows(walked, OID.hrPrinterEntry)
  const printerDevice =
    devices.find((row) => asOid(row.columns.get(2)) === OID.hrDevicePrinter)?.index ?? printerRows[0]?.index ?? devices[0]?.index
  const printerRow = printerRows.find((row) => row.index === printerDevice) ?? printerRows[0]
  const deviceRow = devices.find((row) => row.index === printerDevice)

  const errors = decodeErrorState(asBytes(printerRow?.columns.get(2)))
  const printerStatus = printerRow ? enumName(PRINTER_STATUS, int(printerRow, 1)) : undefined
  const deviceStatus = deviceRow ? enumName(DEVICE_STATUS, int(deviceRow, 5)) : undefined

  // warningBinaryChangeEvent rows record that something happened (a cover closed); they are not
  // a condition that is still there, so they are not active alerts.
  const alerts: Alert[] = []
  for (const row of tableRows(walked, OID.prtAlertEntry)) {
    const index = row.indexParts[row.indexParts.length - 1]
    const severityCode = int(row, 2)
    if (index === undefined || !Number.isInteger(index) || severityCode === 5) continue
    const alert: Alert = { index, severity: enumName(ALERT_SEVERITY, severityCode) ?? 'unknown' }
    const training = enumName(TRAINING_LEVEL, int(row, 3))
    if (training) alert.trainingLevel = training
    const group = enumName(ALERT_GROUP, int(row, 4))
    if (group) alert.group = group
    const code = enumName(ALERT_CODE, int(row, 7))
    if (code) alert.code = code
    const description = asText(row.columns.get(8))
    if (description) alert.description = description
    const time = asNumber(row.columns.get(9))
    if (time !== undefined) alert.time = time / 100
    alerts.push(alert)
  }

  const trays: Tray[] = []
  for (const row of tableRows(walked, OID.prtInputEntry)) {
    const index = row.indexParts[row.indexParts.length - 1]
    if (index === undefined || !Number.isInteger(index)) continue
    const level = int(row, 10)
    const maxCapacity = int(row, 9)
    const tray: Tray = {
      index,
      name: asText(row.columns.get(13)) || asText(row.columns.get(18)) || `input ${index}`,
      level: level ?? -2,
      maxCapacity: maxCapacity ?? -2,
      percent: supplyLevel(level, maxCapacity).percent,
    }
    const media = asText(row.columns.get(12))
    if (media) tray.mediaName = media
    trays.push(tray)
  }

  // prtMarkerLifeCount of the first marker: the engine's lifetime counter in prtMarkerCounterUnit
  // (impressions on every printer we have seen); a printer without it reports no page count.
  const marker = tableRows(walked, OID.prtMarkerEntry).find((row) => int(row, 4) !== undefined)
  const pageCount = marker ? asNumber(marker.columns.get(4)) : undefined

  const printer: PrinterState = { supplies, errors, alerts, trays }
  if (printerStatus) printer.printerStatus = printerStatus
  if (deviceStatus) printer.deviceStatus = deviceStatus
  if (pageCount !== undefined && pageCount >= 0) {
    printer.pageCount = pageCount
    points.push({ ts, metric: 'printer.page_count', value: pageCount })
  }
  const serial = asText(scalar(walked, `${OID.prtGeneralSerialNumber}.1`))
  if (serial) printer.serialNumber = serial
  points.push({ ts, metric: 'printer.error_count', value: errors.length })
  return { printer, points }
}

export const printer: Profile = {
  name: 'printer',
  priority: 40,
  probes: [OID.prtMarkerSuppliesEntry, OID.hrPrinterEntry],
  matches: (_system, present) => present.has(OID.prtMarkerSuppliesEntry) || present.has(OID.hrPrinterEntry),
  roots: [
    OID.hrDeviceEntry,
    OID.hrPrinterEntry,
    OID.prtInputEntry,
    OID.prtMarkerEntry,
    OID.prtMarkerSuppliesEntry,
    OID.prtMarkerColorantEntry,
    OID.prtAlertEntry,
    OID.prtGeneralSerialNumber,
  ],
  parse: (walked, ctx) => parsePrinter(walked, ctx),
}
