/**
 * The audit log, for administrators: who changed what, newest first. Rows are written by the auth
 * layer's global hook for every successful write and for sign-ins (api/auth/); this only reads.
 *
 * Filters: `user` (id or username, exact, case-insensitive), `action` (part of it, e.g.
 * "/api/customers" or "login"), `customer`, and a time range `from`/`to` (ISO 8601, epoch ms or
 * relative like -7d; `to` exclusive).
 */
import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import type { ApiContext } from '../context.js'
import { likePattern } from '../like-pattern.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'
import { parseInstant } from '../time-params.js'

const ADMIN = { auth: { minRole: 'admin' as const } }
const Text = Type.Union([Type.String(), Type.Null()])

const AuditJson = Type.Object({
  id: Type.Integer(),
  time: Type.String(),
  userId: Text,
  username: Text,
  via: Text,
  action: Type.String(),
  method: Text,
  path: Type.Union([Type.String({ description: 'The route pattern, e.g. /api/customers/:id' }), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  customer: Text,
  target: Type.Union([Type.Object({ type: Text, id: Text }), Type.Null()]),
  details: Type.Unknown(),
  ip: Text,
})
type AuditJson = Static<typeof AuditJson>

interface AuditRow {
  id: string | number
  at: Date
  user_id: string | null
  username: string | null
  via: string | null
  action: string
  method: string | null
  route: string | null
  target_type: string | null
  target_id: string | null
  customer_id: string | null
  status: number | null
  details: unknown
  ip: string | null
}

const auditJson = (a: AuditRow): AuditJson => ({
  id: Number(a.id),
  time: a.at.toISOString(),
  userId: a.user_id,
  username: a.username,
  via: a.via,
  action: a.action,
  method: a.method,
  path: a.route,
  status: a.status,
  customer: a.customer_id,
  target: a.target_type === null && a.target_id === null ? null : { type: a.target_type, id: a.target_id },
  details: a.details ?? null,
  ip: a.ip,
})

export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/audit',
    {
      config: ADMIN,
      schema: {
        summary: 'The audit log: who changed what, newest first',
        tags: ['audit'],
        querystring: Type.Object(
          {
            user: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'User id or username' })),
            action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the action, e.g. "/api/customers" or "login"' })),
            customer: Type.Optional(Type.String({ pattern: ID_PATTERN })),
            from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601, epoch ms, or relative (-7d)' })),
            to: Type.Optional(Type.String({ maxLength: 40, description: 'Exclusive; same forms as from' })),
            ...PAGE_QUERY,
          },
          { additionalProperties: false },
        ),
        response: { 200: PageOf(AuditJson) },
      },
    },
    async (request) => {
      const q = request.query
      const now = Date.now()
      const from = q.from === undefined ? null : new Date(parseInstant(q.from, 0, now))
      const to = q.to === undefined ? null : new Date(parseInstant(q.to, now, now))
      const filters = [q.user ?? null, q.action === undefined ? null : likePattern(q.action), q.customer ?? null, from, to]
      const where = `where ($1::text is null or user_id = $1 or lower(username) = lower($1)) and ($2::text is null or action ilike $2)
        and ($3::text is null or customer_id = $3) and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at < $5)`
      const [rows, total] = await Promise.all([
        ctx.db.query<AuditRow>(`select * from audit_log ${where} order by at desc, id desc limit $6 offset $7`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from audit_log ${where}`, filters),
      ])
      return page(total.rows[0]?.n ?? 0, q, rows.rows.map(auditJson))
    },
  )
}
