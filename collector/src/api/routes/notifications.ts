/** Where ticket events go (webhook, e-mail, external ticketing) and what the outbox holds. Managers only: targets carry secrets and span customers. */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import type { ApiContext } from '../context.js'
import { notFound } from '../errors.js'

const Url = Type.String({ pattern: '^https?://', maxLength: 2000 })
const Config = Type.Union([
  Type.Object({ kind: Type.Literal('webhook'), url: Url, secret: Type.String({ minLength: 16, maxLength: 200 }) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('email'), smtpUrl: Type.String({ pattern: '^smtps?://', maxLength: 2000 }), to: Type.Array(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), { minItems: 1, maxItems: 50 }), from: Type.Optional(Type.String({ maxLength: 320 })) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('external'), url: Url, token: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
])

export const notificationRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const config = { auth: { minRole: 'manager' as const } }
  app.get('/api/notification-targets', { config }, async () => {
    const { rows } = await ctx.db.query<{ id: number; kind: string; customer: string | null; config: Record<string, unknown>; enabled: boolean }>('select id, kind, customer, config, enabled from notification_target order by id')
    return { items: rows.map((r) => ({ id: Number(r.id), kind: r.kind, customer: r.customer, enabled: r.enabled, config: { ...r.config, ...(r.config.secret ? { secret: '***' } : {}), ...(r.config.token ? { token: '***' } : {}), ...(typeof r.config.smtpUrl === 'string' ? { smtpUrl: r.config.smtpUrl.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@') } : {}) } })) }
  })
  app.post(
    '/api/notification-targets',
    { config, schema: { summary: 'Add a target; customer absent: every customer', body: Type.Object({ customer: Type.Optional(Type.String({ pattern: ID_PATTERN })), config: Config }, { additionalProperties: false }) } },
    async (request, reply) => {
      const { kind, ...config } = request.body.config
      const { rows } = await ctx.db.query<{ id: number }>('insert into notification_target (kind, customer, config) values ($1, $2, $3::jsonb) returning id', [kind, request.body.customer ?? null, JSON.stringify(config)])
      return reply.code(201).send({ id: Number(rows[0]!.id) })
    },
  )
  app.delete('/api/notification-targets/:id', { config, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    const { rowCount } = await ctx.db.query('update notification_target set enabled = false where id = $1', [request.params.id])
    if (!rowCount) throw notFound(`notification target ${request.params.id}`)
    return reply.code(204).send()
  })
  app.get(
    '/api/notification-outbox',
    { config, schema: { summary: 'Queued and sent notifications, newest first', querystring: Type.Object({ pending: Type.Optional(Type.Boolean()), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }, { additionalProperties: false }) } },
    async (request) => {
      const { rows } = await ctx.db.query(
        `select id, target_id as "targetId", event_key as "eventKey", ticket_id as "ticketId", created_at as "createdAt", attempts, next_attempt_at as "nextAttemptAt", sent_at as "sentAt", last_error as "lastError"
         from notification_outbox where (not $1::boolean or sent_at is null) order by id desc limit $2`,
        [request.query.pending ?? false, request.query.limit],
      )
      return { items: rows }
    },
  )
}
