/**
 * Inspection records: the pre-inspection review's checklist (GET /api/sites/:site/review), ticked
 * on site and saved back.
 * - POST /api/customers/:customer/sites/:site/inspections  engineer+; the engineer is whoever is signed in
 * - GET  /api/customers/:customer/sites/:site/inspections  newest first (404 for another tenant's site)
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { listInspections, saveInspection } from '../../reports/inspections.js'
import { assertCustomer, principalOf } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { badRequest, notFound } from '../errors.js'

const Id = Type.String({ pattern: ID_PATTERN })
const Params = Type.Object({ customer: Id, site: Id }, { additionalProperties: false })
/** A visit may be recorded a little after the fact, never in the future (beyond clock skew). */
const FUTURE_SLACK_MS = 10 * 60_000

const Body = Type.Object(
  {
    visitedAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the engineer was on site; default now' })),
    items: Type.Array(
      Type.Object(
        { item: Type.String({ minLength: 1, maxLength: 500 }), done: Type.Boolean(), notes: Type.Optional(Type.String({ maxLength: 2000 })) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
    notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false },
)

export const inspectionRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  async function siteExists(customer: string, site: string): Promise<void> {
    const { rows } = await ctx.db.query('select 1 from site where customer_id = $1 and id = $2', [customer, site])
    if (!rows.length) throw notFound(`site "${customer}/${site}"`)
  }

  app.post(
    '/api/customers/:customer/sites/:site/inspections',
    { config: { auth: { minRole: 'engineer' } }, schema: { summary: 'Save the ticked checklist of a site visit as an inspection record', params: Params, body: Body } },
    async (request, reply) => {
      const { customer, site } = request.params
      assertCustomer(request, customer, `site "${customer}/${site}"`)
      await siteExists(customer, site)
      const visitedAt = request.body.visitedAt ? new Date(request.body.visitedAt) : new Date()
      if (visitedAt.getTime() > Date.now() + FUTURE_SLACK_MS) throw badRequest(`visitedAt ${request.body.visitedAt} is in the future`)
      const p = principalOf(request)
      const record = await saveInspection(ctx.db, { customer, site, engineer: p.username, engineerUserId: p.userId, visitedAt, items: request.body.items, notes: request.body.notes ?? null })
      return reply.code(201).send(record)
    },
  )

  app.get(
    '/api/customers/:customer/sites/:site/inspections',
    {
      schema: {
        summary: 'Inspection records of a site, newest first',
        params: Params,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), offset: Type.Integer({ minimum: 0, default: 0 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { customer, site } = request.params
      assertCustomer(request, customer, `site "${customer}/${site}"`)
      await siteExists(customer, site)
      const page = await listInspections(ctx.db, { customer, site, limit: request.query.limit, offset: request.query.offset })
      return { total: page.total, limit: request.query.limit, offset: request.query.offset, items: page.items }
    },
  )
}
