import { Type, type Static } from '@sinclair/typebox'
import { ID_PATTERN } from '../topics.js'

/** Limits that keep one message from hurting the collector; the collector rejects anything larger. */
export const LIMITS = {
  maxPayloadBytes: 1024 * 1024,
  maxPointsPerBatch: 20_000,
  maxStringLength: 4096,
  maxArrayItems: 2_000,
} as const

export const Id = Type.String({ pattern: ID_PATTERN, description: '1–64 of [A-Za-z0-9._-]' })

/** RFC 4122 UUID. Agents generate a fresh one per batch; a replay re-sends the same one. */
export const BatchId = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'UUID identifying this batch; the collector stores a batch id once and ignores replays',
})

/** Milliseconds since the Unix epoch, UTC. Bounded to years 2000–2100 so garbage fails early. */
export function epochMs(description = 'milliseconds since 1970-01-01T00:00:00Z') {
  return Type.Integer({ minimum: 946_684_800_000, maximum: 4_102_444_800_000, description })
}
export const EpochMs = epochMs()

export const ShortText = Type.String({ maxLength: 256 })
export const LongText = Type.String({ maxLength: LIMITS.maxStringLength })

/** Metric names are `<area>.<quantity>_<unit>`, lower case, e.g. `fs.used_percent`. */
export const MetricName = Type.String({
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$',
  maxLength: 128,
  description: '<area>.<quantity>_<unit>, e.g. fs.used_percent',
})

/**
 * One reading. `instance` tells apart several of the same metric on one device: a mount point,
 * an interface name, a disk, a supply index. Empty or absent for a device-wide value.
 */
export const MetricPoint = Type.Object(
  {
    ts: EpochMs,
    metric: MetricName,
    instance: Type.Optional(Type.String({ maxLength: 256 })),
    value: Type.Number({ description: 'a finite number; JSON cannot carry NaN or Infinity' }),
  },
  { additionalProperties: false },
)
export type MetricPoint = Static<typeof MetricPoint>

/** Who produced a message: the software and its version, for support and for upgrades. */
export const Producer = Type.Object(
  {
    name: ShortText,
    version: ShortText,
  },
  { additionalProperties: false },
)

/** Fields every uplink message carries. */
export const envelopeFields = {
  v: Type.Literal(1, { description: 'payload contract version' }),
  batchId: BatchId,
  deviceId: Id,
  sentAt: Type.Optional(
    epochMs(
      'when the producer handed the message to MQTT (re-stamped on every replay); the collector compares it with its own clock to detect a wrong agent clock',
    ),
  ),
  producer: Type.Optional(Producer),
}
