/**
 * Device asset records (assignment, the unassigned queue), and the asset list as YAML or CSV, in
 * and out. Customers, sites and contracts have their own route files.
 * Who: the unassigned queue and asset records are engineers' work, scoped to their customers (a
 * device may only be moved between customers the engineer serves); the whole-fleet import and
 * export are managers' (they span every customer).
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { DeviceAssetInput } from '../../assets/schemas.js'
import { assetYaml, deviceCsv, parseAssetYaml, parseDeviceCsv } from '../../assets/io.js'
import { assignDevice, exportAssets, importAssets } from '../../assets/store.js'
import { assertCustomer, customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { badRequest, notFound } from '../errors.js'

const Id = Type.String({ pattern: ID_PATTERN })
const Format = Type.Object({ format: Type.Union([Type.Literal('yaml'), Type.Literal('csv')], { default: 'yaml' }) }, { additionalProperties: false })

export const assetRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  // Import bodies are files, not JSON.
  for (const type of ['text/csv', 'application/yaml', 'application/x-yaml', 'text/yaml']) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 16 * 1024 * 1024 }, (_req, body, done) => done(null, body))
  }

  app.get(
    '/api/devices-unassigned',
    {
      config: { auth: { minRole: 'engineer' } },
      schema: { summary: 'Devices that reported before anyone assigned them', querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }) },
    },
    async (request) => {
      const { rows } = await ctx.db.query<{ id: string; customer: string; site: string; kind: string; hostname: string | null; first_seen: Date; last_seen: Date | null }>(
        'select id, customer, site, kind, hostname, first_seen, last_seen from device where assigned_at is null and ($2::text[] is null or customer = any($2)) order by first_seen limit $1',
        [request.query.limit, customerScope(request)],
      )
      return { items: rows.map((d) => ({ id: d.id, customer: d.customer, site: d.site, kind: d.kind, hostname: d.hostname, firstSeen: d.first_seen.toISOString(), lastSeen: d.last_seen?.toISOString() ?? null })) }
    },
  )
  app.put('/api/devices/:id/asset', { config: { auth: { minRole: 'engineer' } }, schema: { summary: 'Assign a device and set its asset record', params: Type.Object({ id: Id }), body: Type.Omit(DeviceAssetInput, ['id']) } }, async (request) => {
    // A device that has not reported yet is created in the body's customer, which must be in scope too.
    const current = await ctx.db.query<{ customer: string }>('select customer from device where id = $1', [request.params.id])
    if (current.rows[0]) assertCustomer(request, current.rows[0].customer, `device "${request.params.id}"`)
    if (request.body.customer) assertCustomer(request, request.body.customer, `customer "${request.body.customer}"`)
    await assignDevice(ctx.db, { ...request.body, id: request.params.id })
    const { rows } = await ctx.db.query(
      `select id, customer, site, category, asset_tag as "assetTag", criticality, to_char(warranty_end, 'YYYY-MM-DD') as "warrantyEnd", model, serial,
              maintained_by as "maintainedBy", parent_device_id as "parentDeviceId", important_ports as "importantPorts", assigned_at as "assignedAt"
       from device where id = $1`,
      [request.params.id],
    )
    if (!rows[0]) throw notFound(`device "${request.params.id}"`)
    return rows[0]
  })

  app.get('/api/assets/export', { config: { auth: { minRole: 'manager' } }, schema: { summary: 'The asset list: YAML (everything) or CSV (devices)', querystring: Format } }, async (request, reply) => {
    const file = await exportAssets(ctx.db)
    if (request.query.format === 'csv') return reply.type('text/csv; charset=utf-8').send(deviceCsv(file.devices))
    return reply.type('application/yaml; charset=utf-8').send(assetYaml(file))
  })
  app.post('/api/assets/import', { config: { auth: { minRole: 'manager' } }, schema: { summary: 'Load an asset list (YAML: everything; CSV: devices); all or nothing', querystring: Format } }, async (request) => {
    if (typeof request.body !== 'string') throw badRequest('send the file as the body, with Content-Type text/csv or application/yaml')
    const file = request.query.format === 'csv' ? { customers: [], sites: [], contracts: [], devices: parseDeviceCsv(request.body) } : parseAssetYaml(request.body)
    const counts = await ctx.db.transaction((tx) => importAssets(tx, file))
    return { imported: counts }
  })
}
