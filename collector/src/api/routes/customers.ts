/**
 * Customers: the tenants everything else belongs to.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { CustomerInput } from '../../assets/schemas.js'
import { upsertCustomer } from '../../assets/store.js'
import type { ApiContext } from '../context.js'

const Id = Type.String({ pattern: ID_PATTERN })

export const customerRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/customers', async () => {
    const [customers, sites] = await Promise.all([
      ctx.db.query<Record<string, unknown>>('select id, name, class, contact_email as "contactEmail", engineer, language, time_zone as "timeZone" from customer order by id'),
      ctx.db.query<Record<string, unknown>>('select customer_id as "customerId", id, name, address, distance_km as "distanceKm" from site order by customer_id, id'),
    ])
    return { items: customers.rows.map((c) => ({ ...c, sites: sites.rows.filter((s) => s.customerId === c.id) })) }
  })
  app.put('/api/customers/:id', { schema: { summary: 'Create or update a customer', params: Type.Object({ id: Id }), body: Type.Omit(CustomerInput, ['id']) } }, async (request) => {
    await upsertCustomer(ctx.db, { ...request.body, id: request.params.id })
    return { id: request.params.id }
  })
}
