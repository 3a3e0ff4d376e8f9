/**
 * Agent enrollment and device credentials.
 *
 * - `POST /api/enroll` (public, rate limited): an agent trades its site's enrollment token for its
 *   own MQTT credentials (agent/src/enroll.ts is the client). The device is bound to the token's
 *   customer and site, whatever the request names: the answer says which, and the agent uses it.
 *   Re-enrolling a device rotates its credential (the old one is revoked and disconnected).
 * - `/api/enrollment-tokens`, `/api/device-credentials` (administrators): tokens are shown once,
 *   at creation; credentials are listed without any secret and revoked one by one. Revoking cuts
 *   the device off the embedded broker at once; for a Mosquitto, regenerate its files
 *   (`patrol-collector mosquitto-acl`) and send it SIGHUP.
 */
import rateLimit from '@fastify/rate-limit'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { createToken, enrollDevice, EnrollmentRefused, listCredentials, listTokens, revokeCredential, revokeToken } from '../../enrollment/store.js'
import { DEVICE_ROLES } from '../../enrollment/topic-rules.js'
import { customerScope, principalOf } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { ApiError, notFound } from '../errors.js'
import { PAGE_QUERY, page, PageOf } from '../pagination.js'

const Id = Type.String({ pattern: ID_PATTERN })
const Uuid = Type.String({ pattern: '^[0-9a-f-]{36}$' })
const ADMIN = { auth: { minRole: 'admin' as const } }
const strict = { additionalProperties: false }
const Role = Type.Union(DEVICE_ROLES.map((r) => Type.Literal(r)))
const Timestamp = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

const TokenJson = Type.Object({
  id: Type.String(),
  customer: Type.String(),
  site: Type.String(),
  prefix: Type.String({ description: 'First characters of the token, to recognise it' }),
  role: Role,
  createdBy: Nullable(Type.String()),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  revokedAt: Nullable(Timestamp),
  note: Nullable(Type.String()),
  state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('used-up'), Type.Literal('revoked')]),
})

const CredentialJson = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  customer: Type.String(),
  site: Type.String(),
  username: Type.String(),
  role: Role,
  createdAt: Timestamp,
  enrolledVia: Nullable(Type.String()),
  lastConnectedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
})

const EnrollBody = Type.Object({
  token: Type.String({ minLength: 8, maxLength: 512 }),
  deviceId: Id,
  hostname: Type.Optional(Type.String({ maxLength: 255 })),
  customer: Type.Optional(Type.String({ maxLength: 64, description: 'What the agent was configured with; the token decides' })),
  site: Type.Optional(Type.String({ maxLength: 64, description: 'What the agent was configured with; the token decides' })),
})

const EnrollAnswer = Type.Object({
  deviceId: Type.String(),
  mqttUsername: Type.String(),
  mqttPassword: Type.String({ description: 'Shown this once; store it (the agent keeps it 0600)' }),
  customer: Type.String({ description: 'Customer the device is bound to (the token\'s)' }),
  site: Type.String({ description: 'Site the device is bound to (the token\'s)' }),
  role: Role,
})

export const enrollmentRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const { db } = ctx
  const perMinute = ctx.enrollment?.rateLimitPerMinute ?? 30
  // Only routes that ask for it are limited; the plugin may already be there (login limits).
  if (!app.hasDecorator('rateLimit')) await app.register(rateLimit, { global: false })

  app.post(
    '/api/enroll',
    {
      config: {
        auth: { public: true },
        rateLimit: {
          max: perMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_request, context) => new ApiError(429, 'RATE_LIMITED', `too many enrollment attempts from this address; try again in ${Math.ceil(context.ttl / 1000)} s`),
        },
      },
      schema: { tags: ['enrollment'], summary: 'Trade a site enrollment token for device MQTT credentials', body: EnrollBody, response: { 200: EnrollAnswer } },
    },
    async (request) => {
      const { token, deviceId } = request.body
      try {
        const enrolled = await enrollDevice(db, { token, deviceId })
        if (enrolled.replaced) ctx.enrollment?.revoked(enrolled.replaced)
        const { credential } = enrolled
        const asked = [request.body.customer, request.body.site]
        if ((asked[0] && asked[0] !== 'default' && asked[0] !== credential.customer) || (asked[1] && asked[1] !== 'default' && asked[1] !== credential.site)) {
          request.log.warn({ deviceId, asked: asked.join('/'), bound: `${credential.customer}/${credential.site}` }, 'enrollment: the agent named another customer/site than its token; bound to the token\'s')
        }
        request.log.info({ deviceId, username: credential.username, customer: credential.customer, site: credential.site, rotated: Boolean(enrolled.replaced), hostname: request.body.hostname }, 'device enrolled')
        return { deviceId: credential.deviceId, mqttUsername: credential.username, mqttPassword: enrolled.password, customer: credential.customer, site: credential.site, role: credential.role }
      } catch (error) {
        if (error instanceof EnrollmentRefused) {
          request.log.warn({ deviceId, code: error.code }, `enrollment refused: ${error.message}`)
          throw new ApiError(error.statusCode, error.code, error.message)
        }
        throw error
      }
    },
  )

  app.get(
    '/api/enrollment-tokens',
    {
      config: ADMIN,
      schema: {
        tags: ['enrollment'],
        summary: 'Enrollment tokens (never their secret)',
        querystring: Type.Object({ customer: Type.Optional(Id), site: Type.Optional(Id), ...PAGE_QUERY }, strict),
        response: { 200: PageOf(TokenJson) },
      },
    },
    async (request) => {
      const q = request.query
      const { total, items } = await listTokens(db, { customers: customerScope(request), customer: q.customer, site: q.site, limit: q.limit, offset: q.offset })
      return page(total, q, items)
    },
  )

  app.post(
    '/api/enrollment-tokens',
    {
      config: ADMIN,
      schema: {
        tags: ['enrollment'],
        summary: 'Create a site enrollment token; the token is in this answer only',
        body: Type.Object(
          {
            customer: Id,
            site: Id,
            expiresInHours: Type.Integer({ minimum: 1, maximum: 24 * 365, default: 168, description: 'Default 7 days' }),
            maxUses: Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()], { default: 1, description: 'Devices it may enroll; null: any number until it expires' }),
            role: Type.Optional(Role),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          strict,
        ),
        response: { 201: Type.Intersect([TokenJson, Type.Object({ token: Type.String({ description: 'Shown this once' }) })]) },
      },
    },
    async (request, reply) => {
      const b = request.body
      const site = await db.query('select 1 from site where customer_id = $1 and id = $2', [b.customer, b.site])
      if (!site.rows.length) throw notFound(`site "${b.site}" of customer "${b.customer}" (create it first: POST /api/customers/${b.customer}/sites)`)
      const { token, row } = await createToken(db, { customer: b.customer, site: b.site, expiresInHours: b.expiresInHours, maxUses: b.maxUses, note: b.note, role: b.role, createdBy: principalOf(request).userId })
      return reply.code(201).send({ ...row, token })
    },
  )

  app.delete(
    '/api/enrollment-tokens/:id',
    { config: ADMIN, schema: { tags: ['enrollment'], summary: 'Revoke an enrollment token (credentials it gave stay valid)', params: Type.Object({ id: Uuid }) } },
    async (request, reply) => {
      const row = await revokeToken(db, request.params.id)
      if (!row) throw notFound(`enrollment token "${request.params.id}"`)
      return reply.code(204).send()
    },
  )

  app.get(
    '/api/device-credentials',
    {
      config: ADMIN,
      schema: {
        tags: ['enrollment'],
        summary: 'Device MQTT credentials (never their password)',
        querystring: Type.Object({ customer: Type.Optional(Id), site: Type.Optional(Id), deviceId: Type.Optional(Id), includeRevoked: Type.Boolean({ default: false }), ...PAGE_QUERY }, strict),
        response: { 200: PageOf(CredentialJson) },
      },
    },
    async (request) => {
      const q = request.query
      const { total, items } = await listCredentials(db, { customers: customerScope(request), customer: q.customer, site: q.site, deviceId: q.deviceId, includeRevoked: q.includeRevoked, limit: q.limit, offset: q.offset })
      return page(total, q, items)
    },
  )

  app.delete(
    '/api/device-credentials/:id',
    { config: ADMIN, schema: { tags: ['enrollment'], summary: 'Revoke a device credential: disconnected from the embedded broker at once', params: Type.Object({ id: Uuid }) } },
    async (request, reply) => {
      const row = await revokeCredential(db, request.params.id)
      if (!row) throw notFound(`device credential "${request.params.id}"`)
      const disconnected = ctx.enrollment?.revoked(row.username) ?? 0
      request.log.info({ username: row.username, deviceId: row.deviceId, disconnected }, 'device credential revoked')
      return reply.code(204).send()
    },
  )
}
