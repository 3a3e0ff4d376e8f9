import { Type, type Static } from '@sinclair/typebox'
import { envelopeFields, EpochMs, LIMITS, LongText, ShortText } from './common.js'

export const Severity = Type.Union([
  Type.Literal('info'),
  Type.Literal('warning'),
  Type.Literal('error'),
  Type.Literal('critical'),
])
export type Severity = Static<typeof Severity>

/**
 * `event`: things that happened rather than levels that were measured: a spool overflow, a
 * service that stopped, a printer alert that appeared. `code` is stable and machine-readable
 * (`agent.spool_dropped`, `service.stopped`); `message` is for people.
 */
export const DeviceEvent = Type.Object(
  {
    ts: EpochMs,
    severity: Severity,
    code: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$', maxLength: 128 }),
    message: LongText,
    source: Type.Optional(ShortText),
    /** The device this event is about when it is not the sender (a poller reporting a printer). */
    target: Type.Optional(ShortText),
    data: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 1024 }), Type.Number(), Type.Boolean(), Type.Null()]))),
  },
  { additionalProperties: false },
)
export type DeviceEvent = Static<typeof DeviceEvent>

export const EventMessage = Type.Object(
  {
    ...envelopeFields,
    kind: Type.Literal('event'),
    events: Type.Array(DeviceEvent, { minItems: 1, maxItems: LIMITS.maxArrayItems }),
  },
  { additionalProperties: false },
)
export type EventMessage = Static<typeof EventMessage>
