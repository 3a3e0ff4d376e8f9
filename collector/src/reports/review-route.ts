/**
 * GET /api/sites/:site/review?customer=ID[&lang=zh-CN|en][&tz=Asia/Shanghai][&format=html|json]
 * The pre-inspection review of one site. Site ids are unique per customer only, hence ?customer.
 * Scoped like everything else: another customer's site answers as if it did not exist.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import type { ApiContext } from '../api/context.js'
import { assertCustomer } from '../api/auth/principal.js'
import { badRequest, notFound } from '../api/errors.js'
import { buildSiteReview, renderReviewHtml } from './review.js'

const Id = Type.String({ pattern: ID_PATTERN })

/** An IANA zone Intl knows; anything else would throw deep inside the formatting as a 500. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

export const siteReviewRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/sites/:site/review',
    {
      schema: {
        summary: 'Pre-inspection review of a site: problems, tickets, silent devices, what to bring, checklist',
        params: Type.Object({ site: Id }),
        querystring: Type.Object(
          {
            customer: Id,
            lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
            tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('json')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const q = request.query
      assertCustomer(request, q.customer, `site ${q.customer}/${request.params.site}`)
      if (q.tz !== undefined && !isTimeZone(q.tz)) throw badRequest(`tz: unknown time zone "${q.tz}"; use an IANA name such as Asia/Shanghai`)
      const exists = await ctx.db.query('select 1 from site where customer_id = $1 and id = $2', [q.customer, request.params.site])
      if (!exists.rows.length) throw notFound(`site ${q.customer}/${request.params.site}`)
      const review = await buildSiteReview(ctx.db, { customerId: q.customer, site: request.params.site, lang: q.lang ?? 'zh-CN', tz: q.tz ?? 'Asia/Shanghai' })
      if (q.format === 'json') return review
      return reply.type('text/html; charset=utf-8').send(renderReviewHtml(review))
    },
  )
}
