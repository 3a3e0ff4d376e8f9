import { Type, type Static } from '@sinclair/typebox'
import { envelopeFields, EpochMs, ShortText } from './common.js'

/**
 * `status`: presence. Published retained with state `online` when an agent connects, and
 * registered as the MQTT Last Will with state `offline`, reason `lost`, so the broker announces a
 * vanished agent. A clean shutdown publishes `offline` with reason `shutdown`.
 *
 * The Last Will is written when the agent connects, so its `at` is the connect time; the collector
 * takes the time of arrival for an `offline`/`lost` message.
 */
export const StatusMessage = Type.Object(
  {
    ...envelopeFields,
    kind: Type.Literal('status'),
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    reason: Type.Optional(
      Type.Union([Type.Literal('startup'), Type.Literal('shutdown'), Type.Literal('lost'), Type.Literal('reconnect')]),
    ),
    at: EpochMs,
    hostname: Type.Optional(ShortText),
    /** Seconds between metric batches; the collector's offline detection waits a few of these. */
    intervalS: Type.Optional(Type.Number({ minimum: 1, maximum: 86_400 })),
    role: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('poller'), Type.Literal('agent+poller')])),
  },
  { additionalProperties: false },
)
export type StatusMessage = Static<typeof StatusMessage>
