/**
 * Maintenance windows per customer, site or device: planned work suppresses new tickets.
 * Everyone reads their customers' windows; engineers plan and cancel them for their customers.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { assertCustomer, customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { badRequest, notFound } from '../errors.js'

const Id = Type.String({ pattern: ID_PATTERN })
const Instant = Type.String({ format: 'date-time' })

export const maintenanceWindowRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/maintenance-windows',
    { schema: { summary: 'Maintenance windows not yet over', querystring: Type.Object({ customer: Type.Optional(Id) }, { additionalProperties: false }) } },
    async (request) => {
      const { rows } = await ctx.db.query(
        'select id, customer, site, device_id as "deviceId", starts_at as "startsAt", ends_at as "endsAt", reason from maintenance_window where ends_at > now() and ($1::text is null or customer = $1) and ($2::text[] is null or customer = any($2)) order by starts_at',
        [request.query.customer ?? null, customerScope(request)],
      )
      return { items: rows }
    },
  )
  app.post(
    '/api/maintenance-windows',
    {
      config: { auth: { minRole: 'engineer' } },
      schema: {
        summary: 'Plan a maintenance window (inspection, planned reboot)',
        body: Type.Object({ customer: Id, site: Type.Optional(Id), deviceId: Type.Optional(Id), startsAt: Instant, endsAt: Instant, reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const b = request.body
      assertCustomer(request, b.customer, `customer "${b.customer}"`)
      // A device named in the window must be the customer's: a window must not silence another tenant's device.
      if (b.deviceId) {
        const device = await ctx.db.query<{ customer: string }>('select customer from device where id = $1', [b.deviceId])
        if (device.rows[0]?.customer !== b.customer) throw notFound(`device "${b.deviceId}" of customer "${b.customer}"`)
      }
      if (Date.parse(b.endsAt) <= Date.parse(b.startsAt)) throw badRequest(`endsAt ${b.endsAt} is not after startsAt ${b.startsAt}`)
      const { rows } = await ctx.db.query<{ id: number }>('insert into maintenance_window (customer, site, device_id, starts_at, ends_at, reason) values ($1, $2, $3, $4, $5, $6) returning id', [
        b.customer,
        b.site ?? null,
        b.deviceId ?? null,
        b.startsAt,
        b.endsAt,
        b.reason,
      ])
      return reply.code(201).send({ id: Number(rows[0]!.id) })
    },
  )
  app.delete('/api/maintenance-windows/:id', { config: { auth: { minRole: 'engineer' } }, schema: { summary: 'Cancel a window', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    const { rowCount } = await ctx.db.query('delete from maintenance_window where id = $1 and ($2::text[] is null or customer = any($2))', [request.params.id, customerScope(request)])
    if (!rowCount) throw notFound(`maintenance window ${request.params.id}`)
    return reply.code(204).send()
  })
}
