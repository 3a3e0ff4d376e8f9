import { Type, type Static } from '@sinclair/typebox'
import { envelopeFields, LIMITS, MetricPoint } from './common.js'

/** `metrics`: periodic readings. One agent cycle is usually one batch. */
export const MetricBatch = Type.Object(
  {
    ...envelopeFields,
    kind: Type.Literal('metrics'),
    points: Type.Array(MetricPoint, { maxItems: LIMITS.maxPointsPerBatch }),
    /** Per-collector outcome of the cycle, so "could not read" is never confused with "zero". */
    collectors: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ maxLength: 64 }),
            ok: Type.Boolean(),
            durationMs: Type.Number({ minimum: 0 }),
            error: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 64 },
      ),
    ),
  },
  { additionalProperties: false },
)
export type MetricBatch = Static<typeof MetricBatch>
