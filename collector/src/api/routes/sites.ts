/**
 * Sites: where a customer's devices stand.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { SiteInput } from '../../assets/schemas.js'
import { upsertSite } from '../../assets/store.js'
import type { ApiContext } from '../context.js'

const Id = Type.String({ pattern: ID_PATTERN })

export const siteRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.put(
    '/api/customers/:customer/sites/:id',
    { schema: { summary: 'Create or update a site', params: Type.Object({ customer: Id, id: Id }), body: Type.Omit(SiteInput, ['id', 'customerId']) } },
    async (request) => {
      await upsertSite(ctx.db, { ...request.body, customerId: request.params.customer, id: request.params.id })
      return { customerId: request.params.customer, id: request.params.id }
    },
  )
}
