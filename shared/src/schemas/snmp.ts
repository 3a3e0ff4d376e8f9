import { Type, type Static } from '@sinclair/typebox'
import { envelopeFields, EpochMs, Id, LIMITS, MetricPoint, ShortText } from './common.js'

const obj = <P extends Parameters<typeof Type.Object>[0]>(props: P) =>
  Type.Object(props, { additionalProperties: false })
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Array(item, { maxItems: LIMITS.maxArrayItems })
const Int = Type.Integer()
const NullableNumber = Type.Union([Type.Number(), Type.Null()])

/** How a poll of one device ended. Anything but `ok` carries `error` with the reason. */
export const PollStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('timeout'),
  Type.Literal('auth-failed'),
  Type.Literal('bad-response'),
  Type.Literal('error'),
])
export type PollStatus = Static<typeof PollStatus>

/** RFC 3805 prtMarkerSuppliesTable row, with the raw values kept next to what we made of them. */
export const PrinterSupply = obj({
  index: Int,
  description: ShortText,
  type: ShortText,
  colour: Type.Optional(ShortText),
  unit: Type.Optional(ShortText),
  /** Raw prtMarkerSuppliesLevel: -1 other, -2 unknown, -3 some remaining. */
  level: Int,
  /** Raw prtMarkerSuppliesMaxCapacity: -1 other, -2 unknown. */
  maxCapacity: Int,
  /** level / max in percent when both are real numbers; null when the printer does not say. */
  percent: NullableNumber,
  state: Type.Union([Type.Literal('ok'), Type.Literal('some-remaining'), Type.Literal('unknown'), Type.Literal('other'), Type.Literal('empty')]),
  /** prtMarkerSuppliesClass: a receptacleThatIsFilled (waste toner) is "full" at 100 %, not "left". */
  supplyClass: Type.Optional(ShortText),
})
export type PrinterSupply = Static<typeof PrinterSupply>

export const PrinterAlert = obj({
  index: Int,
  severity: ShortText,
  trainingLevel: Type.Optional(ShortText),
  group: Type.Optional(ShortText),
  code: Type.Optional(ShortText),
  description: Type.Optional(ShortText),
  /** prtAlertTime: sysUpTime in seconds when the alert was added. */
  time: Type.Optional(Type.Number()),
})
export type PrinterAlert = Static<typeof PrinterAlert>

export const PrinterTray = obj({
  index: Int,
  name: ShortText,
  level: Int,
  maxCapacity: Int,
  percent: NullableNumber,
  mediaName: Type.Optional(ShortText),
})
export type PrinterTray = Static<typeof PrinterTray>

export const PrinterState = obj({
  supplies: list(PrinterSupply),
  /** hrPrinterDetectedErrorState decoded: names of the bits that are set (RFC 3805 / RFC 2790). */
  errors: list(ShortText),
  printerStatus: Type.Optional(ShortText),
  deviceStatus: Type.Optional(ShortText),
  alerts: list(PrinterAlert),
  trays: list(PrinterTray),
  pageCount: Type.Optional(Type.Number()),
  serialNumber: Type.Optional(ShortText),
})
export type PrinterState = Static<typeof PrinterState>

export const InterfaceState = obj({
  index: Int,
  name: ShortText,
  alias: Type.Optional(ShortText),
  adminStatus: ShortText,
  operStatus: ShortText,
  /** ifDescr when it differs from the name. */
  description: Type.Optional(ShortText),
  /** ifType (IANAifType number). */
  type: Type.Optional(Int),
  speedBps: Type.Optional(Type.Number()),
  /** ifLastChange: sysUpTime (seconds) when the interface last changed state. */
  lastChangeS: Type.Optional(Type.Number()),
  /** Rates and deltas since the previous poll; absent on the first poll and after a counter reset. */
  inBytesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
  outBytesPerSecond: Type.Optional(Type.Number({ minimum: 0 })),
  inErrors: Type.Optional(Type.Number({ minimum: 0 })),
  outErrors: Type.Optional(Type.Number({ minimum: 0 })),
  inDiscards: Type.Optional(Type.Number({ minimum: 0 })),
  outDiscards: Type.Optional(Type.Number({ minimum: 0 })),
})
export type InterfaceState = Static<typeof InterfaceState>

export const UpsState = obj({
  onBattery: Type.Optional(Type.Boolean()),
  batteryStatus: Type.Optional(ShortText),
  chargePercent: Type.Optional(Type.Number()),
  runtimeS: Type.Optional(Type.Number()),
  loadPercent: Type.Optional(Type.Number()),
  inputVoltage: Type.Optional(Type.Number()),
  lastSelfTest: Type.Optional(ShortText),
  lastSelfTestDate: Type.Optional(ShortText),
  /** upsOutputSource (RFC 1628) or upsBasicOutputStatus (APC). */
  outputSource: Type.Optional(ShortText),
  secondsOnBattery: Type.Optional(Type.Number({ minimum: 0 })),
})
export type UpsState = Static<typeof UpsState>

/** HOST-RESOURCES-MIB / UCD-SNMP readings of a server or NAS polled without an agent. */
export const HostState = obj({
  cpuLoadPercent: Type.Optional(Type.Number()),
  memoryUsedPercent: Type.Optional(Type.Number()),
  loadAverage1m: Type.Optional(Type.Number()),
  storage: list(
    obj({
      index: Int,
      description: ShortText,
      kind: Type.Optional(Type.Union([Type.Literal('ram'), Type.Literal('disk'), Type.Literal('other')])),
      sizeBytes: Type.Number({ minimum: 0 }),
      usedBytes: Type.Number({ minimum: 0 }),
      usedPercent: NullableNumber,
    }),
  ),
})
export type HostState = Static<typeof HostState>

export const SnmpResult = obj({
  /** The polled device's id (not the poller's). */
  target: Id,
  host: ShortText,
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  ts: EpochMs,
  status: PollStatus,
  error: Type.Optional(Type.String({ maxLength: 1024 })),
  profile: Type.Optional(ShortText),
  system: Type.Optional(
    obj({ sysDescr: Type.Optional(Type.String({ maxLength: 1024 })), sysObjectID: Type.Optional(ShortText), sysName: Type.Optional(ShortText), sysLocation: Type.Optional(ShortText), sysContact: Type.Optional(ShortText), sysUpTimeS: Type.Optional(Type.Number()) }),
  ),
  /** Numeric readings (supply percent, interface rates, UPS charge...) stored like any metric. */
  points: list(MetricPoint),
  printer: Type.Optional(PrinterState),
  interfaces: Type.Optional(list(InterfaceState)),
  ups: Type.Optional(UpsState),
  /** HOST-RESOURCES readings of a server polled by the host profile (`host` is the address). */
  hostResources: Type.Optional(HostState),
  durationMs: Type.Optional(Type.Number({ minimum: 0 })),
})
export type SnmpResult = Static<typeof SnmpResult>

/** `snmp`: a site poller's results for the devices it polled this round. */
export const SnmpMessage = obj({
  ...envelopeFields,
  kind: Type.Literal('snmp'),
  results: Type.Array(SnmpResult, { minItems: 1, maxItems: LIMITS.maxArrayItems }),
})
export type SnmpMessage = Static<typeof SnmpMessage>

export const PingResult = obj({
  target: Id,
  host: ShortText,
  ts: EpochMs,
  alive: Type.Boolean(),
  sent: Type.Integer({ minimum: 0 }),
  received: Type.Integer({ minimum: 0 }),
  lossPercent: Type.Number({ minimum: 0, maximum: 100 }),
  rttMs: Type.Optional(Type.Number({ minimum: 0 })),
  rttMinMs: Type.Optional(Type.Number({ minimum: 0 })),
  rttMaxMs: Type.Optional(Type.Number({ minimum: 0 })),
})
export type PingResult = Static<typeof PingResult>

/** `ping`: reachability of the site's devices as seen from the poller. */
export const PingMessage = obj({
  ...envelopeFields,
  kind: Type.Literal('ping'),
  results: Type.Array(PingResult, { minItems: 1, maxItems: LIMITS.maxArrayItems }),
})
export type PingMessage = Static<typeof PingMessage>

/** SNMPv3 credentials of one target (USM). Keys are pass phrases, at least 8 characters (RFC 3414). */
export const SnmpV3Settings = obj({
  user: Type.String({ minLength: 1, maxLength: 32 }),
  securityLevel: Type.Union([Type.Literal('noAuthNoPriv'), Type.Literal('authNoPriv'), Type.Literal('authPriv')]),
  authProtocol: Type.Optional(
    Type.Union([Type.Literal('md5'), Type.Literal('sha'), Type.Literal('sha224'), Type.Literal('sha256'), Type.Literal('sha384'), Type.Literal('sha512')]),
  ),
  authKey: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
  privProtocol: Type.Optional(Type.Union([Type.Literal('des'), Type.Literal('aes'), Type.Literal('aes256b'), Type.Literal('aes256r')])),
  privKey: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
})
export type SnmpV3Settings = Static<typeof SnmpV3Settings>

/**
 * One device a site poller watches, as pushed from the collector's per-site configuration (and
 * as `snmp discover` proposes it). Here so the collector can validate what it pushes.
 */
export const SnmpTarget = obj({
  /** The device's id in results; derived from host and port when absent. */
  id: Type.Optional(Id),
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2c'), Type.Literal('3')])),
  community: Type.Optional(Type.String({ maxLength: 256 })),
  v3: Type.Optional(SnmpV3Settings),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  maxRepetitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  /** Seconds between polls of this device; the poller's interval when absent. */
  intervalS: Type.Optional(Type.Number({ minimum: 0.1, maximum: 86_400 })),
  /** Skip selection and use this profile (printer, switch, ups, host). */
  profile: Type.Optional(Type.String({ maxLength: 64 })),
  /** Poll over SNMP (default true) and ping (default true). */
  snmp: Type.Optional(Type.Boolean()),
  ping: Type.Optional(Type.Boolean()),
})
export type SnmpTarget = Static<typeof SnmpTarget>
