/**
 * Customers: the tenants everything else belongs to. Lists and reads are limited to the customers
 * the caller may see (another tenant's customer is "not found"); managers and admins create and
 * change them.
 *
 * Each customer comes with its health (sites, devices by status, unresolved tickets by level and
 * SLA state: api/customer-health.ts) and the contract in force today (UTC date, as the ticket
 * engine picks it: tickets/contract.ts).
 */
import { Type, type SchemaOptions, type Static, type TSchema } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { CustomerInput } from '../../assets/schemas.js'
import { upsertCustomer } from '../../assets/store.js'
import type { Queryable } from '../../store/db.js'
import { assertCustomer, customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { emptyHealth, Health, healthOf } from '../customer-health.js'
import { ApiError, notFound } from '../errors.js'
import { fieldErrors, timeZoneProblem } from '../field-errors.js'
import { likePattern } from '../like-pattern.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const Id = Type.String({ pattern: ID_PATTERN })
// Named "customer" like everywhere else under /api/customers/…, so the audit log files the change under it.
const CustomerParams = Type.Object({ customer: Id })
const Nullable = <T extends TSchema>(t: T, options: SchemaOptions = {}) => Type.Union([t, Type.Null()], options)
const strict = { additionalProperties: false }
const MANAGER = { auth: { minRole: 'manager' as const } }
const TAGS = ['customers']

// A pattern, not format: 'email', as in assets/schemas.ts (the same check for bodies and imported files).
const Email = Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 320 })
/** Who receives the quarterly report by e-mail (reports/mail.ts); empty: the contact e-mail. */
const ReportRecipients = Type.Array(Email, { maxItems: 50, uniqueItems: true, description: 'Who receives the inspection reports by e-mail; empty: the contact e-mail' })

const Class = Type.Union([Type.Literal('group'), Type.Literal('member'), Type.Literal('free')])
const Language = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])

export const SiteBrief = Type.Object({ customerId: Type.String(), id: Type.String(), name: Type.String(), address: Nullable(Type.String()), distanceKm: Nullable(Type.Number()) })
export const ContractBrief = Type.Object({ id: Type.String(), name: Type.String(), validFrom: Type.String(), validTo: Type.String() })

export const CustomerJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  class: Class,
  contactEmail: Nullable(Type.String()),
  reportRecipients: Type.Array(Type.String()),
  engineer: Nullable(Type.String()),
  language: Language,
  timeZone: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  sites: Type.Array(SiteBrief),
  health: Type.Object({ sites: Type.Integer({ minimum: 0 }), ...Health.properties }),
  contract: Nullable(ContractBrief, { description: 'The contract in force today, if any' }),
})
type CustomerJson = Static<typeof CustomerJson>

/** PATCH: every field optional and without defaults (a default would overwrite what was not sent). */
const CustomerPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    class: Type.Optional(Class),
    contactEmail: Type.Optional(Nullable(Email)),
    reportRecipients: Type.Optional(ReportRecipients),
    engineer: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    language: Type.Optional(Language),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' })),
  },
  { ...strict, minProperties: 1 },
)

const PATCH_COLUMNS: [keyof Static<typeof CustomerPatch>, string][] = [
  ['name', 'name'],
  ['class', 'class'],
  ['contactEmail', 'contact_email'],
  ['reportRecipients', 'report_recipients'],
  ['engineer', 'engineer'],
  ['language', 'language'],
  ['timeZone', 'time_zone'],
]

interface CustomerRow {
  id: string
  name: string
  class: CustomerJson['class']
  contact_email: string | null
  report_recipients: string[] | null
  engineer: string | null
  language: CustomerJson['language']
  time_zone: string
  created_at: Date
}

const todayUtc = (now: number) => new Date(now).toISOString().slice(0, 10)

/** The customers' JSON with sites, health and contract in force, in the order given. */
export async function customersJson(db: Queryable, rows: CustomerRow[], now = Date.now()): Promise<CustomerJson[]> {
  const ids = rows.map((r) => r.id)
  if (!ids.length) return []
  const [sites, contracts, health] = await Promise.all([
    db.query<{ customer_id: string; id: string; name: string; address: string | null; distance_km: number | null }>(
      'select customer_id, id, name, address, distance_km from site where customer_id = any($1::text[]) order by customer_id, id',
      [ids],
    ),
    db.query<{ customer_id: string; id: string; name: string; valid_from: string; valid_to: string }>(
      `select distinct on (customer_id) customer_id, id, name, to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to
       from contract where customer_id = any($1::text[]) and valid_from <= $2::date and valid_to >= $2::date order by customer_id, valid_from desc, id`,
      [ids, todayUtc(now)],
    ),
    healthOf(db, ids, now),
  ])
  return rows.map((c) => {
    const own = sites.rows.filter((s) => s.customer_id === c.id)
    const contract = contracts.rows.find((k) => k.customer_id === c.id)
    return {
      id: c.id,
      name: c.name,
      class: c.class,
      contactEmail: c.contact_email,
      reportRecipients: c.report_recipients ?? [],
      engineer: c.engineer,
      language: c.language,
      timeZone: c.time_zone,
      createdAt: c.created_at.toISOString(),
      sites: own.map((s) => ({ customerId: s.customer_id, id: s.id, name: s.name, address: s.address, distanceKm: s.distance_km })),
      health: { sites: own.length, ...(health.customers.get(c.id) ?? emptyHealth()) },
      contract: contract ? { id: contract.id, name: contract.name, validFrom: contract.valid_from, validTo: contract.valid_to } : null,
    }
  })
}

const COLUMNS = 'id, name, class, contact_email, report_recipients, engineer, language, time_zone, created_at'
const CustomerCreate = Type.Object({ ...CustomerInput.properties, reportRecipients: Type.Optional(ReportRecipients) }, { additionalProperties: false })

export async function findCustomer(db: Queryable, id: string): Promise<CustomerRow | undefined> {
  const { rows } = await db.query<CustomerRow>(`select ${COLUMNS} from customer where id = $1`, [id])
  return rows[0]
}

function checkTimeZone(zone: string | undefined): void {
  const problem = zone === undefined ? null : timeZoneProblem(zone)
  if (problem) throw fieldErrors([{ instancePath: '/timeZone', message: problem }])
}

export const customerRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/customers',
    {
      schema: {
        summary: 'Customers you may see, with their sites, health and contract in force',
        tags: TAGS,
        querystring: Type.Object(
          {
            class: Type.Optional(Class),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the id or name (case-insensitive)' })),
            ...PAGE_QUERY,
          },
          strict,
        ),
        response: { 200: PageOf(CustomerJson) },
      },
    },
    async (request) => {
      const q = request.query
      const filters = [customerScope(request), q.class ?? null, q.q === undefined ? null : likePattern(q.q)]
      const where = `where ($1::text[] is null or id = any($1)) and ($2::text is null or class = $2) and ($3::text is null or id ilike $3 or name ilike $3)`
      const [rows, total] = await Promise.all([
        ctx.db.query<CustomerRow>(`select ${COLUMNS} from customer ${where} order by id limit $4 offset $5`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from customer ${where}`, filters),
      ])
      return page(total.rows[0]?.n ?? 0, q, await customersJson(ctx.db, rows.rows))
    },
  )

  app.get(
    '/api/customers/:customer',
    { schema: { summary: 'One customer with its sites, health and contract in force', tags: TAGS, params: CustomerParams, response: { 200: CustomerJson } } },
    async (request) => {
      const id = request.params.customer
      assertCustomer(request, id, `customer "${id}"`)
      const row = await findCustomer(ctx.db, id)
      if (!row) throw notFound(`customer "${id}"`)
      return (await customersJson(ctx.db, [row]))[0]!
    },
  )

  app.post(
    '/api/customers',
    { config: MANAGER, schema: { summary: 'Create a customer', tags: TAGS, body: CustomerCreate, response: { 201: CustomerJson } } },
    async (request, reply) => {
      const c = request.body
      checkTimeZone(c.timeZone)
      const { rows } = await ctx.db.query<CustomerRow>(
        `insert into customer (id, name, class, contact_email, engineer, language, time_zone, report_recipients) values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (id) do nothing returning ${COLUMNS}`,
        [c.id, c.name, c.class, c.contactEmail ?? null, c.engineer ?? null, c.language, c.timeZone, c.reportRecipients ?? null],
      )
      if (!rows[0]) throw new ApiError(409, 'CONFLICT', `customer "${c.id}" already exists`)
      return reply.code(201).send((await customersJson(ctx.db, rows))[0]!)
    },
  )

  app.patch(
    '/api/customers/:customer',
    { config: MANAGER, schema: { summary: 'Change a customer (only the fields sent)', tags: TAGS, params: CustomerParams, body: CustomerPatch, response: { 200: CustomerJson } } },
    async (request) => {
      const id = request.params.customer
      assertCustomer(request, id, `customer "${id}"`)
      checkTimeZone(request.body.timeZone)
      const given = PATCH_COLUMNS.filter(([key]) => request.body[key] !== undefined)
      const { rows } = await ctx.db.query<CustomerRow>(
        `update customer set ${given.map(([, column], i) => `${column} = $${i + 2}`).join(', ')} where id = $1 returning ${COLUMNS}`,
        [id, ...given.map(([key]) => request.body[key])],
      )
      if (!rows[0]) throw notFound(`customer "${id}"`)
      return (await customersJson(ctx.db, rows))[0]!
    },
  )

  app.put(
    '/api/customers/:customer',
    {
      config: MANAGER,
      schema: { summary: 'Create or replace a customer (as the asset import does)', tags: TAGS, params: CustomerParams, body: Type.Omit(CustomerInput, ['id']) },
    },
    async (request) => {
      checkTimeZone(request.body.timeZone)
      await upsertCustomer(ctx.db, { ...request.body, id: request.params.customer })
      return { id: request.params.customer }
    },
  )
}
