/**
 * The asset records as the API and the import files take them. One schema per record, used for
 * validation of HTTP bodies and of every imported row alike.
 */
import { Type, type Static } from '@sinclair/typebox'
import { ID_PATTERN } from '@patrol/shared'

const Id = Type.String({ pattern: ID_PATTERN })
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' })
const HhMm = Type.String({ pattern: '^([01]\\d|2[0-4]):[0-5]\\d$' })
const Minutes = Type.Number({ minimum: 0, maximum: 525_600 })
const strict = { additionalProperties: false }
// A pattern, not format: 'email': the same check must hold for HTTP bodies and imported files.
const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 320 })

export const CustomerInput = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    class: Type.Union([Type.Literal('group'), Type.Literal('member'), Type.Literal('free')], { default: 'member' }),
    contactEmail: Type.Optional(Type.Union([Email, Type.Null()])),
    engineer: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    /** Language of the customer's reports. */
    language: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], { default: 'zh-CN' }),
    /** IANA time zone for the customer's reports, e.g. Asia/Shanghai. */
    timeZone: Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', maxLength: 64, default: 'Asia/Shanghai' }),
  },
  strict,
)
export type CustomerInput = Static<typeof CustomerInput>

export const SiteInput = Type.Object(
  {
    customerId: Id,
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    distanceKm: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 40_000 }), Type.Null()])),
  },
  strict,
)
export type SiteInput = Static<typeof SiteInput>

export const Calendar = Type.Union([
  Type.Object({ kind: Type.Literal('24x7') }, strict),
  Type.Object(
    {
      kind: Type.Literal('business'),
      timeZone: Type.String({ minLength: 1, maxLength: 64 }),
      days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
      periods: Type.Array(Type.Object({ start: HhMm, end: HhMm }, strict), { minItems: 1, maxItems: 6 }),
      holidays: Type.Optional(Type.Array(DateOnly, { maxItems: 400 })),
      workdays: Type.Optional(Type.Array(DateOnly, { maxItems: 400 })),
    },
    strict,
  ),
])

const LevelTargets = Type.Object({ responseMin: Minutes, onsiteMin: Minutes, resolveMin: Minutes }, strict)

export const ContractInput = Type.Object(
  {
    id: Id,
    customerId: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    validFrom: DateOnly,
    validTo: DateOnly,
    calendar: Calendar,
    targets: Type.Object({ L1: Type.Optional(LevelTargets), L2: Type.Optional(LevelTargets), L3: Type.Optional(LevelTargets), L4: Type.Optional(LevelTargets) }, strict),
    escalationContacts: Type.Array(Email, { default: [], maxItems: 50 }),
  },
  strict,
)
export type ContractInput = Static<typeof ContractInput>

export const DeviceAssetInput = Type.Object(
  {
    id: Id,
    /** Moving a device to a customer/site (assignment); the topic's when absent. */
    customer: Type.Optional(Id),
    site: Type.Optional(Id),
    category: Type.Optional(
      Type.Union(['pc', 'printer', 'server-windows', 'server-unix', 'network-core', 'network-access', 'ups', 'other', null].map((c) => (c === null ? Type.Null() : Type.Literal(c)))),
    ),
    assetTag: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    criticality: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('normal'), Type.Literal('high'), Type.Literal('critical')])),
    warrantyEnd: Type.Optional(Type.Union([DateOnly, Type.Null()])),
    model: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    serial: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    maintainedBy: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    parentDeviceId: Type.Optional(Type.Union([Id, Type.Null()])),
    importantPorts: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 100 }), { maxItems: 200 }), Type.Null()])),
  },
  strict,
)
export type DeviceAssetInput = Static<typeof DeviceAssetInput>

export const AssetFile = Type.Object(
  {
    customers: Type.Array(CustomerInput, { default: [] }),
    sites: Type.Array(SiteInput, { default: [] }),
    contracts: Type.Array(ContractInput, { default: [] }),
    devices: Type.Array(DeviceAssetInput, { default: [] }),
  },
  strict,
)
export type AssetFile = Static<typeof AssetFile>
