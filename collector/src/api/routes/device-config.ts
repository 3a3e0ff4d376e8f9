import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AgentConfigMessage, ID_PATTERN } from '@patrol/shared'
import { assertCustomer } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { pushAgentConfig } from '../../ingest/downlink.js'
import { notFound } from '../errors.js'

// The settings part of the config message: what an administrator may set for one agent.
const { v: _v, kind: _kind, issuedAt: _issuedAt, ...settings } = AgentConfigMessage.properties
const ConfigBody = Type.Object(settings, { additionalProperties: false })

/**
 * PUT /api/devices/:id/config pushes settings to one agent (interval, watched services, and the
 * SNMP/ping targets that make it its site's poller), retained, applied without a restart;
 * GET returns what was pushed last. Both engineer and above: the settings hold SNMP communities.
 */
export const deviceConfigRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const params = Type.Object({ id: Type.String({ pattern: ID_PATTERN }) })

  const config = { auth: { minRole: 'engineer' as const } }
  app.get('/api/devices/:id/config', { config, schema: { summary: 'The configuration last pushed to an agent', params } }, async (request) => {
    const { rows } = await ctx.db.query<{ config: unknown; customer: string }>('select config, customer from device where id = $1', [request.params.id])
    if (!rows[0]) throw notFound(`device "${request.params.id}"`)
    assertCustomer(request, rows[0].customer, `device "${request.params.id}"`)
    return { device: request.params.id, config: rows[0].config }
  })

  app.put('/api/devices/:id/config', { config, schema: { summary: 'Push settings to an agent over MQTT (retained)', params, body: ConfigBody } }, async (request) => {
    const { rows } = await ctx.db.query<{ customer: string; site: string; kind: string }>('select customer, site, kind from device where id = $1', [request.params.id])
    const device = rows[0]
    if (!device) throw notFound(`device "${request.params.id}"`)
    assertCustomer(request, device.customer, `device "${request.params.id}"`)
    const message = await pushAgentConfig(ctx.downlink, { customer: device.customer, site: device.site, device: request.params.id }, request.body, ctx.topicPrefix)
    await ctx.db.query('update device set config = $2 where id = $1', [request.params.id, JSON.stringify(message)])
    return { device: request.params.id, config: message }
  })
}
