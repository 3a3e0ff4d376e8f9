import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import type { FastifyRequest } from 'fastify'
import { assertCustomer } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { badRequest, notFound } from '../errors.js'
import { autoBucket, parseBucket, parseInstant } from '../time-params.js'

const HOUR_MS = 3_600_000
const MAX_BUCKETS = 10_000

interface SeriesRow {
  instance: string
  t: Date
  avg: number
  min: number
  max: number
  n: number
}

export const metricRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  // Another customer's device answers exactly like a missing one.
  const requireDevice = async (request: FastifyRequest, id: string) => {
    const { rows } = await ctx.db.query<{ customer: string }>('select customer from device where id = $1', [id])
    if (!rows[0]) throw notFound(`device "${id}"`)
    assertCustomer(request, rows[0].customer, `device "${id}"`)
  }

  app.get(
    '/api/devices/:id/metrics',
    { schema: { summary: 'The metrics and instances a device has reported', params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }) } },
    async (request) => {
      const { rows } = await ctx.db.query<{ latest: Record<string, [number, number]>; customer: string }>('select latest, customer from device where id = $1', [request.params.id])
      if (!rows[0]) throw notFound(`device "${request.params.id}"`)
      assertCustomer(request, rows[0].customer, `device "${request.params.id}"`)
      const metrics: Record<string, string[]> = {}
      for (const key of Object.keys(rows[0].latest).sort()) {
        const i = key.indexOf('|')
        ;(metrics[key.slice(0, i)] ??= []).push(key.slice(i + 1))
      }
      return { device: request.params.id, metrics }
    },
  )

  app.get(
    '/api/devices/:id/series',
    {
      schema: {
        summary: 'A metric of a device over time, averaged per bucket (with min, max and sample count)',
        params: Type.Object({ id: Type.String({ pattern: ID_PATTERN }) }),
        querystring: Type.Object(
          {
            metric: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$', maxLength: 128 }),
            instance: Type.Optional(Type.String({ maxLength: 256 })),
            from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601, epoch ms, now, or -24h; default 24 h ago' })),
            to: Type.Optional(Type.String({ maxLength: 40, description: 'default now' })),
            bucket: Type.Optional(Type.String({ maxLength: 10, description: '30s, 5m, 1h, 1d; default about 300 points' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { id } = request.params
      const q = request.query
      const now = Date.now()
      const to = parseInstant(q.to, now, now)
      const from = parseInstant(q.from, to - 24 * HOUR_MS, now)
      if (from >= to) throw badRequest('"from" must be before "to"')
      const bucketMs = q.bucket ? parseBucket(q.bucket) : autoBucket(to - from)
      if ((to - from) / bucketMs > MAX_BUCKETS) throw badRequest(`that is more than ${MAX_BUCKETS} buckets: widen the bucket or shorten the range`)
      await requireDevice(request, id)
      // Whole-hour buckets over more than two days read the hourly aggregate (a continuous
      // aggregate on TimescaleDB, a view on plain PostgreSQL): same answer, far fewer rows.
      const hourly = bucketMs % HOUR_MS === 0 && to - from > 2 * 24 * HOUR_MS
      const sql = hourly
        ? `select instance, time_bucket(make_interval(secs => $5), bucket) as t,
                  sum(avg * samples) / sum(samples) as avg, min(min) as min, max(max) as max, sum(samples)::int as n
             from metric_hourly
            where device_id = $1 and metric = $2 and ($3::text is null or instance = $3)
              and bucket >= to_timestamp($4::float8 / 1000) - make_interval(secs => $5) and bucket < to_timestamp($6::float8 / 1000)
            group by 1, 2 order by 1, 2`
        : `select instance, time_bucket(make_interval(secs => $5), time) as t,
                  avg(value) as avg, min(value) as min, max(value) as max, count(*)::int as n
             from metric_sample
            where device_id = $1 and metric = $2 and ($3::text is null or instance = $3)
              and time >= to_timestamp($4::float8 / 1000) and time < to_timestamp($6::float8 / 1000)
            group by 1, 2 order by 1, 2`
      const { rows } = await ctx.db.query<SeriesRow>(sql, [id, q.metric, q.instance ?? null, from, bucketMs / 1000, to])
      const series = new Map<string, { t: string; avg: number; min: number; max: number; n: number }[]>()
      for (const r of rows) {
        if (r.t.getTime() + bucketMs <= from) continue
        const list = series.get(r.instance) ?? []
        list.push({ t: r.t.toISOString(), avg: r.avg, min: r.min, max: r.max, n: r.n })
        series.set(r.instance, list)
      }
      return {
        device: id,
        metric: q.metric,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        bucketSeconds: bucketMs / 1000,
        source: hourly ? 'hourly' : 'raw',
        series: [...series.entries()].map(([instance, points]) => ({ instance, points })),
      }
    },
  )
}
