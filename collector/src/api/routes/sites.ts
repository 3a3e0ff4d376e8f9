/**
 * Sites: where a customer's devices stand, with their distance from the service office (on-site
 * promises grow with it: tickets/sla/deadlines.ts). Read by whoever may see the customer; created
 * and changed by managers and admins.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { SiteInput } from '../../assets/schemas.js'
import { upsertSite } from '../../assets/store.js'
import type { Queryable } from '../../store/db.js'
import { assertCustomer } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { emptyHealth, Health, healthOf } from '../customer-health.js'
import { ApiError, notFound } from '../errors.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const Id = Type.String({ pattern: ID_PATTERN })
const strict = { additionalProperties: false }
const MANAGER = { auth: { minRole: 'manager' as const } }
const TAGS = ['sites']
const Name = Type.String({ minLength: 1, maxLength: 200 })
const Address = Type.Union([Type.String({ maxLength: 500 }), Type.Null()])
const Distance = Type.Union([Type.Number({ minimum: 0, maximum: 40_000, description: 'From the service office, km' }), Type.Null()])

const SiteJson = Type.Object({
  customerId: Type.String(),
  id: Type.String(),
  name: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  distanceKm: Type.Union([Type.Number(), Type.Null()]),
  health: Health,
})
type SiteJson = Static<typeof SiteJson>

const SiteCreate = Type.Object({ id: Id, name: Name, address: Type.Optional(Address), distanceKm: Type.Optional(Distance) }, strict)
const SitePatch = Type.Object({ name: Type.Optional(Name), address: Type.Optional(Address), distanceKm: Type.Optional(Distance) }, { ...strict, minProperties: 1 })
const PATCH_COLUMNS: [keyof Static<typeof SitePatch>, string][] = [
  ['name', 'name'],
  ['address', 'address'],
  ['distanceKm', 'distance_km'],
]

interface SiteRow {
  customer_id: string
  id: string
  name: string
  address: string | null
  distance_km: number | null
}
const COLUMNS = 'customer_id, id, name, address, distance_km'

async function sitesJson(db: Queryable, customer: string, rows: SiteRow[]): Promise<SiteJson[]> {
  const health = await healthOf(db, [customer], Date.now())
  return rows.map((s) => ({
    customerId: s.customer_id,
    id: s.id,
    name: s.name,
    address: s.address,
    distanceKm: s.distance_km,
    health: health.sites.get(`${s.customer_id}/${s.id}`) ?? emptyHealth(),
  }))
}

async function customerExists(db: Queryable, id: string): Promise<boolean> {
  return (await db.query('select 1 from customer where id = $1', [id])).rows.length > 0
}

const CustomerParams = Type.Object({ customer: Id })
const SiteParams = Type.Object({ customer: Id, site: Id })

export const siteRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/customers/:customer/sites',
    { schema: { summary: "A customer's sites with their devices' and tickets' health", tags: TAGS, params: CustomerParams, querystring: Type.Object({ ...PAGE_QUERY }, strict), response: { 200: PageOf(SiteJson) } } },
    async (request) => {
      const { customer } = request.params
      assertCustomer(request, customer, `customer "${customer}"`)
      if (!(await customerExists(ctx.db, customer))) throw notFound(`customer "${customer}"`)
      const [rows, total] = await Promise.all([
        ctx.db.query<SiteRow>(`select ${COLUMNS} from site where customer_id = $1 order by id limit $2 offset $3`, [customer, request.query.limit, request.query.offset]),
        ctx.db.query<{ n: number }>('select count(*)::int as n from site where customer_id = $1', [customer]),
      ])
      return page(total.rows[0]?.n ?? 0, request.query, await sitesJson(ctx.db, customer, rows.rows))
    },
  )

  app.get(
    '/api/customers/:customer/sites/:site',
    { schema: { summary: 'One site with its health', tags: TAGS, params: SiteParams, response: { 200: SiteJson } } },
    async (request) => {
      const { customer, site } = request.params
      assertCustomer(request, customer, `site "${customer}/${site}"`)
      const { rows } = await ctx.db.query<SiteRow>(`select ${COLUMNS} from site where customer_id = $1 and id = $2`, [customer, site])
      if (!rows[0]) throw notFound(`site "${customer}/${site}"`)
      return (await sitesJson(ctx.db, customer, rows))[0]!
    },
  )

  app.post(
    '/api/customers/:customer/sites',
    { config: MANAGER, schema: { summary: 'Add a site to a customer', tags: TAGS, params: CustomerParams, body: SiteCreate, response: { 201: SiteJson } } },
    async (request, reply) => {
      const { customer } = request.params
      const s = request.body
      if (!(await customerExists(ctx.db, customer))) throw notFound(`customer "${customer}"`)
      const { rows } = await ctx.db.query<SiteRow>(
        `insert into site (customer_id, id, name, address, distance_km) values ($1, $2, $3, $4, $5) on conflict (customer_id, id) do nothing returning ${COLUMNS}`,
        [customer, s.id, s.name, s.address ?? null, s.distanceKm ?? null],
      )
      if (!rows[0]) throw new ApiError(409, 'CONFLICT', `site "${customer}/${s.id}" already exists`)
      return reply.code(201).send((await sitesJson(ctx.db, customer, rows))[0]!)
    },
  )

  app.patch(
    '/api/customers/:customer/sites/:site',
    { config: MANAGER, schema: { summary: 'Change a site (only the fields sent)', tags: TAGS, params: SiteParams, body: SitePatch, response: { 200: SiteJson } } },
    async (request) => {
      const { customer, site } = request.params
      const given = PATCH_COLUMNS.filter(([key]) => request.body[key] !== undefined)
      const { rows } = await ctx.db.query<SiteRow>(
        `update site set ${given.map(([, column], i) => `${column} = $${i + 3}`).join(', ')} where customer_id = $1 and id = $2 returning ${COLUMNS}`,
        [customer, site, ...given.map(([key]) => request.body[key])],
      )
      if (!rows[0]) throw notFound(`site "${customer}/${site}"`)
      return (await sitesJson(ctx.db, customer, rows))[0]!
    },
  )

  app.put(
    '/api/customers/:customer/sites/:id',
    {
      config: MANAGER,
      schema: { summary: 'Create or replace a site (as the asset import does)', tags: TAGS, params: Type.Object({ customer: Id, id: Id }), body: Type.Omit(SiteInput, ['id', 'customerId']) },
    },
    async (request) => {
      await upsertSite(ctx.db, { ...request.body, customerId: request.params.customer, id: request.params.id })
      return { customerId: request.params.customer, id: request.params.id }
    },
  )
}
