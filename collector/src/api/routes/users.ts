/**
 * User accounts, for administrators: list, create, change (role, customers, language, disabled),
 * reset a password. And for everyone: change your own password with the current one.
 *
 * Decisions:
 * - Passwords set through the API have at least 12 characters. An administrator who sends none
 *   gets a generated one, returned once in the answer and never again (only its scrypt hash is kept).
 * - Nobody grants a role above their own (checked in the handler too, not only by the route's
 *   minRole), and the last enabled administrator cannot be demoted or disabled: someone must be
 *   able to administer.
 * - Customers are assigned to engineers and viewers; managers and admins see every customer, so a
 *   list sent with those roles is refused rather than silently ignored.
 * - Changing or resetting a password ends every session of that user (auth/users.ts setPassword),
 *   the caller's own included; API tokens stay valid (revoke them separately).
 * - `lastLoginAt` comes from the audit log's "login" rows.
 * - Changing your own password is limited to PASSWORD_CHANGES_PER_WINDOW attempts per user per
 *   15 minutes: whoever holds a stolen session or token must not be able to guess the current
 *   password here at leisure (sign-in has its own limits: routes/auth.ts).
 */
import rateLimit from '@fastify/rate-limit'
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { verifyPassword } from '../../auth/passwords.js'
import { randomSecret } from '../../auth/secrets.js'
import { createUser, findUserById, setPassword, setUserCustomers, setUserDisabled } from '../../auth/users.js'
import type { Queryable } from '../../store/db.js'
import { assertRole, principalOf, ROLES, type Role } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { ApiError, notFound } from '../errors.js'
import { fieldErrors, type FieldProblem } from '../field-errors.js'
import { likePattern } from '../like-pattern.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const strict = { additionalProperties: false }
const ADMIN = { auth: { minRole: 'admin' as const } }
const TAGS = ['users']
export const MIN_PASSWORD_LENGTH = 12
export const PASSWORD_CHANGES_PER_WINDOW = 10
const PASSWORD_WINDOW_MS = 15 * 60_000

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)))
const Language = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])
const Username = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$', description: 'Letters, digits and . _ @ -; case-insensitively unique' })
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 512 })
const CustomerIds = Type.Array(Type.String({ pattern: ID_PATTERN }), { maxItems: 1000, uniqueItems: true })
const UserId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) })

const UserJson = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  language: Language,
  customers: Type.Array(Type.String(), { description: 'Assigned customers (engineers) or own customer (viewers); managers and admins see all' }),
  disabled: Type.Boolean(),
  disabledAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  passwordChangedAt: Type.String(),
  lastLoginAt: Type.Union([Type.String(), Type.Null()]),
})
type UserJson = Static<typeof UserJson>

const UserCreate = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    role: RoleSchema,
    language: Type.Optional(Language),
    customers: Type.Optional(CustomerIds),
    password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 512, description: `At least ${MIN_PASSWORD_LENGTH} characters; leave out to have one generated (returned once)` })),
  },
  strict,
)
const UserPatch = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    role: Type.Optional(RoleSchema),
    language: Type.Optional(Language),
    customers: Type.Optional(CustomerIds),
    disabled: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
)

interface UserListRow {
  id: string
  username: string
  display_name: string
  role: Role
  language: 'zh-CN' | 'en'
  disabled_at: Date | null
  created_at: Date
  password_changed_at: Date
  customers: string[]
  last_login_at: Date | null
}
const SELECT = `select u.id, u.username, u.display_name, u.role, u.language, u.disabled_at, u.created_at, u.password_changed_at,
  coalesce((select array_agg(uc.customer_id order by uc.customer_id) from user_customer uc where uc.user_id = u.id), '{}'::text[]) as customers,
  (select max(a.at) from audit_log a where a.user_id = u.id and a.action = 'login') as last_login_at
  from app_user u`

const userJson = (u: UserListRow): UserJson => ({
  id: u.id,
  username: u.username,
  displayName: u.display_name,
  role: u.role,
  language: u.language,
  customers: u.customers,
  disabled: u.disabled_at !== null,
  disabledAt: u.disabled_at?.toISOString() ?? null,
  createdAt: u.created_at.toISOString(),
  passwordChangedAt: u.password_changed_at.toISOString(),
  lastLoginAt: u.last_login_at?.toISOString() ?? null,
})

async function loadUser(db: Queryable, id: string): Promise<UserJson | undefined> {
  const { rows } = await db.query<UserListRow>(`${SELECT} where u.id = $1`, [id])
  return rows[0] && userJson(rows[0])
}

const seesAll = (role: Role) => role === 'manager' || role === 'admin'

/** Field problems of a customer list for a role: must be empty for managers/admins, must exist otherwise. */
async function customerProblems(db: Queryable, role: Role, customers: readonly string[] | undefined): Promise<FieldProblem[]> {
  if (!customers?.length) return []
  if (seesAll(role)) return [{ instancePath: '/customers', message: `a ${role} sees every customer; send no customer list` }]
  const { rows } = await db.query<{ id: string }>('select id from customer where id = any($1::text[])', [customers])
  const known = new Set(rows.map((r) => r.id))
  return customers.flatMap((c, i) => (known.has(c) ? [] : [{ instancePath: `/customers/${i}`, message: `customer "${c}" does not exist` }]))
}

async function otherEnabledAdmins(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>("select count(*)::int as n from app_user where role = 'admin' and disabled_at is null and id <> $1", [userId])
  return rows[0]?.n ?? 0
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505'

export const userRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false })
  const passwordAttempts = app.createRateLimit({ max: PASSWORD_CHANGES_PER_WINDOW, timeWindow: PASSWORD_WINDOW_MS, keyGenerator: (request) => `password-change:${principalOf(request).userId}` })

  app.get(
    '/api/users',
    {
      config: ADMIN,
      schema: {
        summary: 'User accounts',
        tags: TAGS,
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the username or display name' })),
            role: Type.Optional(RoleSchema),
            customer: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Users assigned to this customer' })),
            disabled: Type.Optional(Type.Boolean()),
            ...PAGE_QUERY,
          },
          strict,
        ),
        response: { 200: PageOf(UserJson) },
      },
    },
    async (request) => {
      const q = request.query
      const filters = [q.q === undefined ? null : likePattern(q.q), q.role ?? null, q.customer ?? null, q.disabled ?? null]
      const where = `where ($1::text is null or u.username ilike $1 or u.display_name ilike $1) and ($2::text is null or u.role = $2)
        and ($3::text is null or exists (select 1 from user_customer uc where uc.user_id = u.id and uc.customer_id = $3))
        and ($4::boolean is null or (u.disabled_at is not null) = $4)`
      const [rows, total] = await Promise.all([
        ctx.db.query<UserListRow>(`${SELECT} ${where} order by lower(u.username) limit $5 offset $6`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from app_user u ${where}`, filters),
      ])
      return page(total.rows[0]?.n ?? 0, q, rows.rows.map(userJson))
    },
  )

  app.get('/api/users/:id', { config: ADMIN, schema: { summary: 'One user account', tags: TAGS, params: UserId, response: { 200: UserJson } } }, async (request) => {
    const user = await loadUser(ctx.db, request.params.id)
    if (!user) throw notFound(`user "${request.params.id}"`)
    return user
  })

  app.post(
    '/api/users',
    {
      config: ADMIN,
      schema: {
        summary: 'Create a user (with a password, or one generated and returned once)',
        tags: TAGS,
        body: UserCreate,
        response: { 201: Type.Object({ ...UserJson.properties, password: Type.Optional(Type.String({ description: 'The generated password: shown this once' })) }) },
      },
    },
    async (request, reply) => {
      const body = request.body
      assertRole(request, body.role)
      const problems = await customerProblems(ctx.db, body.role, body.customers)
      if (problems.length) throw fieldErrors(problems)
      const generated = body.password === undefined ? randomSecret(18) : undefined
      let id: string
      try {
        id = await ctx.db.transaction(async (tx) => {
          const user = await createUser(tx, { username: body.username, password: body.password ?? generated!, role: body.role, displayName: body.displayName, language: body.language, customers: body.customers })
          return user.id
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new ApiError(409, 'CONFLICT', `username "${body.username}" is taken`)
        throw error
      }
      const user = (await loadUser(ctx.db, id))!
      return reply.code(201).send(generated ? { ...user, password: generated } : user)
    },
  )

  app.patch(
    '/api/users/:id',
    { config: ADMIN, schema: { summary: 'Change role, customers, language, display name, or disable/enable a user', tags: TAGS, params: UserId, body: UserPatch, response: { 200: UserJson } } },
    async (request) => {
      const { id } = request.params
      const body = request.body
      const current = await findUserById(ctx.db, id)
      if (!current) throw notFound(`user "${id}"`)
      if (body.role) assertRole(request, body.role)
      const role = body.role ?? current.role
      const problems = await customerProblems(ctx.db, role, body.customers)
      if (problems.length) throw fieldErrors(problems)
      const losesAdmin = current.role === 'admin' && current.disabled_at === null && ((body.role !== undefined && body.role !== 'admin') || body.disabled === true)
      if (losesAdmin && (await otherEnabledAdmins(ctx.db, id)) === 0) throw new ApiError(409, 'LAST_ADMIN', `"${current.username}" is the last enabled administrator; make another one first`)
      await ctx.db.transaction(async (tx) => {
        const sets: string[] = []
        const values: unknown[] = [id]
        const set = (column: string, value: unknown) => sets.push(`${column} = $${values.push(value)}`)
        if (body.displayName !== undefined) set('display_name', body.displayName)
        if (body.role !== undefined) set('role', body.role)
        if (body.language !== undefined) set('language', body.language)
        if (sets.length) await tx.query(`update app_user set ${sets.join(', ')} where id = $1`, values)
        // A promotion to manager/admin makes an assignment list meaningless: drop it.
        if (body.customers !== undefined || (body.role && seesAll(body.role))) await setUserCustomers(tx, id, seesAll(role) ? [] : (body.customers ?? []))
        if (body.disabled !== undefined) await setUserDisabled(tx, id, body.disabled)
      })
      return (await loadUser(ctx.db, id))!
    },
  )

  app.post(
    '/api/users/:id/password',
    {
      config: ADMIN,
      schema: {
        summary: "Reset a user's password (sent, or generated and returned once); ends their sessions",
        tags: TAGS,
        params: UserId,
        body: Type.Object({ password: Type.Optional(Password) }, strict),
        response: { 200: Type.Object({ id: Type.String(), password: Type.Optional(Type.String({ description: 'The generated password: shown this once' })) }) },
      },
    },
    async (request) => {
      const { id } = request.params
      if (!(await findUserById(ctx.db, id))) throw notFound(`user "${id}"`)
      const generated = request.body.password === undefined ? randomSecret(18) : undefined
      await setPassword(ctx.db, id, request.body.password ?? generated!)
      return generated ? { id, password: generated } : { id }
    },
  )

  app.post(
    '/api/auth/password',
    {
      schema: {
        summary: 'Change your own password (needs the current one); ends all your sessions, this one included',
        tags: ['auth'],
        body: Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 512 }), newPassword: Password }, strict),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const limit = await passwordAttempts(request)
      if (!limit.isAllowed && limit.isExceeded) {
        const seconds = Math.max(1, Math.ceil(limit.ttl / 1000))
        reply.header('retry-after', String(seconds))
        throw new ApiError(429, 'RATE_LIMITED', `too many password changes; try again in ${seconds} s`)
      }
      const user = await findUserById(ctx.db, principal.userId)
      if (!user) throw new ApiError(401, 'UNAUTHENTICATED', 'your account no longer exists')
      if (!(await verifyPassword(request.body.currentPassword, user.password_hash))) {
        throw new ApiError(400, 'BAD_CREDENTIALS', 'the current password is wrong', [{ instancePath: '/currentPassword', message: 'wrong password' }])
      }
      if (request.body.newPassword === request.body.currentPassword) throw fieldErrors([{ instancePath: '/newPassword', message: 'is the same as the current password' }])
      await setPassword(ctx.db, user.id, request.body.newPassword)
      return reply.code(204).send()
    },
  )
}
