/**
 * API tokens for scripts: list your own (administrators may name another user), create one (the
 * secret is in the answer once and never again: only its SHA-256 is stored), revoke one.
 *
 * Decisions: any signed-in user may hold tokens (a customer's viewer may script reads of their own
 * data); a token acts with its user's role and customers as they are at each request, so changing
 * the user changes what the token may do. Someone else's token is "not found" to a non-admin.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createApiToken, revokeApiToken } from '../../auth/tokens.js'
import type { Queryable } from '../../store/db.js'
import { principalOf } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { notFound } from '../errors.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const strict = { additionalProperties: false }
const TAGS = ['tokens']
const MAX_DAYS = 3650

const TokenJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart' }),
  userId: Type.String(),
  username: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean({ description: 'Neither revoked nor expired' }),
})
type TokenJson = Static<typeof TokenJson>

interface TokenRow {
  id: string
  name: string
  prefix: string
  user_id: string
  username: string
  created_at: Date
  last_used_at: Date | null
  expires_at: Date | null
  revoked_at: Date | null
}
const SELECT = 'select t.id, t.name, t.prefix, t.user_id, u.username, t.created_at, t.last_used_at, t.expires_at, t.revoked_at from api_token t join app_user u on u.id = t.user_id'
const iso = (d: Date | null) => d?.toISOString() ?? null
const tokenJson = (t: TokenRow, now = Date.now()): TokenJson => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  userId: t.user_id,
  username: t.username,
  createdAt: t.created_at.toISOString(),
  lastUsedAt: iso(t.last_used_at),
  expiresAt: iso(t.expires_at),
  revokedAt: iso(t.revoked_at),
  active: t.revoked_at === null && (t.expires_at === null || t.expires_at.getTime() > now),
})

async function findToken(db: Queryable, id: string): Promise<TokenRow | undefined> {
  const { rows } = await db.query<TokenRow>(`${SELECT} where t.id = $1`, [id])
  return rows[0]
}

export const apiTokenRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/tokens',
    {
      schema: {
        summary: 'Your API tokens, newest first (administrators: anyone’s, with ?user=)',
        tags: TAGS,
        querystring: Type.Object(
          {
            user: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A user id; administrators only' })),
            active: Type.Optional(Type.Boolean({ description: 'true: only usable tokens; false: only revoked or expired ones' })),
            ...PAGE_QUERY,
          },
          strict,
        ),
        response: { 200: PageOf(TokenJson) },
      },
    },
    async (request) => {
      const principal = principalOf(request)
      const q = request.query
      // Another user's list is an administrator's business; to anyone else it does not exist.
      if (q.user !== undefined && q.user !== principal.userId && principal.role !== 'admin') throw notFound(`user "${q.user}"`)
      const now = new Date()
      const filters = [q.user ?? principal.userId, q.active ?? null, now]
      const where = `where t.user_id = $1 and ($2::boolean is null or (t.revoked_at is null and (t.expires_at is null or t.expires_at > $3)) = $2)`
      const [rows, total] = await Promise.all([
        ctx.db.query<TokenRow>(`${SELECT} ${where} order by t.created_at desc, t.id limit $4 offset $5`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from api_token t ${where}`, filters),
      ])
      return page(total.rows[0]?.n ?? 0, q, rows.rows.map((t) => tokenJson(t, now.getTime())))
    },
  )

  app.post(
    '/api/tokens',
    {
      schema: {
        summary: 'Create an API token for yourself; the secret is in this answer only',
        tags: TAGS,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, description: 'What the token is for' }),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DAYS, description: 'Leave out for a token that does not expire' })),
          },
          strict,
        ),
        response: { 201: Type.Object({ ...TokenJson.properties, token: Type.String({ description: 'Send as "Authorization: Bearer <token>". Shown this once.' }) }) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request)
      const { name, expiresInDays } = request.body
      const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * 86_400_000)
      const created = await createApiToken(ctx.db, principal.userId, name, expiresAt)
      const row = (await findToken(ctx.db, created.id))!
      return reply.code(201).send({ ...tokenJson(row), token: created.token })
    },
  )

  app.delete(
    '/api/tokens/:id',
    { schema: { summary: 'Revoke an API token (your own; administrators: anyone’s)', tags: TAGS, params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (request, reply) => {
      const principal = principalOf(request)
      const token = await findToken(ctx.db, request.params.id)
      if (!token || (token.user_id !== principal.userId && principal.role !== 'admin')) throw notFound(`API token "${request.params.id}"`)
      // Revoking twice is not an error: the token is revoked either way.
      await revokeApiToken(ctx.db, token.id)
      return reply.code(204).send()
    },
  )
}
