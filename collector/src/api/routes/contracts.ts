/**
 * Service contracts: the calendar and response/resolution targets a customer's tickets are held to.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { ContractInput } from '../../assets/schemas.js'
import { upsertContract } from '../../assets/store.js'
import type { ApiContext } from '../context.js'

const Id = Type.String({ pattern: ID_PATTERN })

export const contractRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/api/contracts', { schema: { summary: 'Contracts', querystring: Type.Object({ customer: Type.Optional(Id) }, { additionalProperties: false }) } }, async (request) => {
    const { rows } = await ctx.db.query(
      `select id, customer_id as "customerId", name, to_char(valid_from, 'YYYY-MM-DD') as "validFrom", to_char(valid_to, 'YYYY-MM-DD') as "validTo", calendar, targets,
              escalation_contacts as "escalationContacts", current_date between valid_from and valid_to as "validNow"
       from contract where ($1::text is null or customer_id = $1) order by customer_id, valid_from`,
      [request.query.customer ?? null],
    )
    return { items: rows }
  })
  app.put('/api/contracts/:id', { schema: { summary: 'Create or update a contract', params: Type.Object({ id: Id }), body: Type.Omit(ContractInput, ['id']) } }, async (request) => {
    await upsertContract(ctx.db, { ...request.body, id: request.params.id })
    return { id: request.params.id }
  })
}
