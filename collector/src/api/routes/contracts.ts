/**
 * Service contracts: the validity period, the service calendar the SLA clocks follow and the
 * response/on-site/resolve targets per fault level (tickets/contract.ts, tickets/sla/). Read by
 * whoever may see the customer; created and changed by managers and admins.
 *
 * Checks beyond the schema (decisions): the calendar must work (tickets/sla/calendar.ts
 * validateCalendar: known zone, ordered periods); validTo not before validFrom; per level, the
 * response target not after the on-site or resolve target (a promise to fix before answering
 * cannot be kept). A PATCH is checked as the whole contract it produces.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { Calendar, ContractInput } from '../../assets/schemas.js'
import { upsertContract } from '../../assets/store.js'
import type { Queryable } from '../../store/db.js'
import { validateCalendar, type ServiceCalendar } from '../../tickets/sla/calendar.js'
import type { ContractTargets } from '../../tickets/sla/deadlines.js'
import { assertCustomer, customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { ApiError, notFound } from '../errors.js'
import { fieldErrors, type FieldProblem } from '../field-errors.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const Id = Type.String({ pattern: ID_PATTERN })
const strict = { additionalProperties: false }
const MANAGER = { auth: { minRole: 'manager' as const } }
const TAGS = ['contracts']

const Targets = ContractInput.properties.targets
const LevelTargetsJson = Type.Object({ responseMin: Type.Number(), onsiteMin: Type.Number(), resolveMin: Type.Number() })
const ContractJson = Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  name: Type.String(),
  validFrom: Type.String(),
  validTo: Type.String(),
  calendar: Type.Unknown({ description: 'The service calendar: { kind: "24x7" } or business days, periods, holidays and workdays in a time zone' }),
  targets: Type.Object({ L1: Type.Optional(LevelTargetsJson), L2: Type.Optional(LevelTargetsJson), L3: Type.Optional(LevelTargetsJson), L4: Type.Optional(LevelTargetsJson) }),
  escalationContacts: Type.Array(Type.String()),
  validNow: Type.Boolean({ description: 'In force today (UTC date)' }),
})
type ContractJson = Static<typeof ContractJson>

const ContractCreate = Type.Omit(ContractInput, ['customerId'])
const ContractPatch = Type.Object(
  {
    name: Type.Optional(ContractInput.properties.name),
    validFrom: Type.Optional(ContractInput.properties.validFrom),
    validTo: Type.Optional(ContractInput.properties.validTo),
    calendar: Type.Optional(Calendar),
    targets: Type.Optional(Targets),
    escalationContacts: Type.Optional(Type.Array(ContractInput.properties.escalationContacts.items, { maxItems: 50 })),
  },
  { ...strict, minProperties: 1 },
)

const SELECT = `select id, customer_id as "customerId", name, to_char(valid_from, 'YYYY-MM-DD') as "validFrom", to_char(valid_to, 'YYYY-MM-DD') as "validTo", calendar, targets,
  escalation_contacts as "escalationContacts", $1::date between valid_from and valid_to as "validNow" from contract`
const todayUtc = () => new Date().toISOString().slice(0, 10)

/** What the schema cannot say about a contract, as field problems (empty: fine). */
export function contractProblems(c: Pick<ContractInput, 'validFrom' | 'validTo' | 'calendar' | 'targets'>): FieldProblem[] {
  const problems: FieldProblem[] = validateCalendar(c.calendar as ServiceCalendar).map((message) => ({ instancePath: '/calendar', message }))
  if (c.validTo < c.validFrom) problems.push({ instancePath: '/validTo', message: `${c.validTo} is before validFrom ${c.validFrom}` })
  for (const [level, t] of Object.entries(c.targets as ContractTargets)) {
    if (!t) continue
    if (t.responseMin > t.resolveMin) problems.push({ instancePath: `/targets/${level}/resolveMin`, message: `${t.resolveMin} min is shorter than the response target (${t.responseMin} min)` })
    if (t.responseMin > t.onsiteMin) problems.push({ instancePath: `/targets/${level}/onsiteMin`, message: `${t.onsiteMin} min is shorter than the response target (${t.responseMin} min)` })
  }
  return problems
}

async function findContract(db: Queryable, id: string): Promise<ContractJson | undefined> {
  const { rows } = await db.query<ContractJson>(`${SELECT} where id = $2`, [todayUtc(), id])
  return rows[0]
}

export const contractRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const list = async (customers: string[] | null, customer: string | null, q: { limit: number; offset: number }) => {
    const where = 'where ($2::text[] is null or customer_id = any($2)) and ($3::text is null or customer_id = $3)'
    const [rows, total] = await Promise.all([
      ctx.db.query<ContractJson>(`${SELECT} ${where} order by customer_id, valid_from, id limit $4 offset $5`, [todayUtc(), customers, customer, q.limit, q.offset]),
      ctx.db.query<{ n: number }>(`select count(*)::int as n from contract where ($1::text[] is null or customer_id = any($1)) and ($2::text is null or customer_id = $2)`, [customers, customer]),
    ])
    return page(total.rows[0]?.n ?? 0, q, rows.rows)
  }

  app.get(
    '/api/contracts',
    {
      schema: {
        summary: 'Contracts of the customers you may see',
        tags: TAGS,
        querystring: Type.Object({ customer: Type.Optional(Id), ...PAGE_QUERY }, strict),
        response: { 200: PageOf(ContractJson) },
      },
    },
    async (request) => list(customerScope(request), request.query.customer ?? null, request.query),
  )

  app.get(
    '/api/customers/:customer/contracts',
    { schema: { summary: "A customer's contracts, oldest first", tags: TAGS, params: Type.Object({ customer: Id }), querystring: Type.Object({ ...PAGE_QUERY }, strict), response: { 200: PageOf(ContractJson) } } },
    async (request) => {
      const { customer } = request.params
      assertCustomer(request, customer, `customer "${customer}"`)
      if (!(await ctx.db.query('select 1 from customer where id = $1', [customer])).rows.length) throw notFound(`customer "${customer}"`)
      return list(null, customer, request.query)
    },
  )

  app.get('/api/contracts/:id', { schema: { summary: 'One contract', tags: TAGS, params: Type.Object({ id: Id }), response: { 200: ContractJson } } }, async (request) => {
    const contract = await findContract(ctx.db, request.params.id)
    if (!contract) throw notFound(`contract "${request.params.id}"`)
    assertCustomer(request, contract.customerId, `contract "${request.params.id}"`)
    return contract
  })

  app.post(
    '/api/customers/:customer/contracts',
    { config: MANAGER, schema: { summary: 'Add a contract to a customer', tags: TAGS, params: Type.Object({ customer: Id }), body: ContractCreate, response: { 201: ContractJson } } },
    async (request, reply) => {
      const { customer } = request.params
      const c = request.body
      const problems = contractProblems(c)
      if (problems.length) throw fieldErrors(problems)
      if (!(await ctx.db.query('select 1 from customer where id = $1', [customer])).rows.length) throw notFound(`customer "${customer}"`)
      const { rows } = await ctx.db.query(
        `insert into contract (id, customer_id, name, valid_from, valid_to, calendar, targets, escalation_contacts) values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb)
         on conflict (id) do nothing returning id`,
        [c.id, customer, c.name, c.validFrom, c.validTo, JSON.stringify(c.calendar), JSON.stringify(c.targets), JSON.stringify(c.escalationContacts)],
      )
      if (!rows[0]) throw new ApiError(409, 'CONFLICT', `contract "${c.id}" already exists`)
      return reply.code(201).send((await findContract(ctx.db, c.id))!)
    },
  )

  app.patch(
    '/api/contracts/:id',
    { config: MANAGER, schema: { summary: 'Change a contract (only the fields sent; checked as a whole)', tags: TAGS, params: Type.Object({ id: Id }), body: ContractPatch, response: { 200: ContractJson } } },
    async (request) => {
      const { id } = request.params
      const current = await findContract(ctx.db, id)
      if (!current) throw notFound(`contract "${id}"`)
      assertCustomer(request, current.customerId, `contract "${id}"`)
      const next = { ...current, ...request.body } as ContractJson & { calendar: ContractInput['calendar'] }
      const problems = contractProblems(next)
      if (problems.length) throw fieldErrors(problems)
      await ctx.db.query(
        `update contract set name = $2, valid_from = $3, valid_to = $4, calendar = $5::jsonb, targets = $6::jsonb, escalation_contacts = $7::jsonb where id = $1`,
        [id, next.name, next.validFrom, next.validTo, JSON.stringify(next.calendar), JSON.stringify(next.targets), JSON.stringify(next.escalationContacts)],
      )
      return (await findContract(ctx.db, id))!
    },
  )

  app.put(
    '/api/contracts/:id',
    { config: MANAGER, schema: { summary: 'Create or replace a contract (as the asset import does)', tags: TAGS, params: Type.Object({ id: Id }), body: Type.Omit(ContractInput, ['id']) } },
    async (request) => {
      await upsertContract(ctx.db, { ...request.body, id: request.params.id })
      return { id: request.params.id }
    },
  )
}
