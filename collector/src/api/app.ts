/**
 * The HTTP side of the collector: builds the fastify app (no listening here, so tests use
 * `inject`). Every route validates its input with the TypeBox schema that also types it.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Logger } from 'pino'
import type { ApiContext } from './context.js'
import { installAuditHook } from './auth/audit-hook.js'
import { installAuth } from './auth/plugin.js'
import { REDACT } from './auth/redact.js'
import { collectRoutes } from './auth/route-list.js'
import { installSecurityHeaders } from './auth/security-headers.js'
import { DEFAULT_AUTH_SETTINGS } from './auth/settings.js'
import { ApiError } from './errors.js'
import { registerOpenApi } from './openapi.js'
import { ROUTES } from './routes/index.js'

export { listRoutes, type ListedRoute } from './auth/route-list.js'

export async function buildApp(ctx: ApiContext, logger: Logger): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one.
  const app = Fastify({
    loggerInstance: logger.child({}, { redact: REDACT }) as FastifyBaseLogger,
    // One line per request would drown the ingest log; errors are still logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // What fastify refuses before routing (a URL that is not valid UTF-8, a path segment over
    // maxParamLength) gets the one error shape too (found by test/security/api-hostile.test.ts).
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(error.statusCode ?? 400).send({ error: { code: error.code, message: error.message } })
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } })
    }
    if (error.validation) {
      return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: error.message, details: error.validation } })
    }
    // PostgreSQL's class 22 (data exception: a number out of range, a NUL byte in text, input
    // malformed for its type) means a value that came with the request was refused: the client's
    // mistake, answered as one (found by test/security/api-hostile.test.ts). Logged at warn, so
    // a bad value produced by our own code still shows.
    if (typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code)) {
      request.log.warn({ err: error.message, code: error.code, method: request.method, route: request.routeOptions.url }, 'request refused by the database')
      return reply.code(400).send({ error: { code: 'BAD_REQUEST', message: `a value of the request was refused by the database: ${error.message}` } })
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: error, method: request.method, url: request.url }, 'request failed')
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error; see the collector log' } })
    }
    return reply.code(status).send({ error: { code: error.code ?? 'BAD_REQUEST', message: error.message } })
  })
  // A change made by hand (ticket resolved, escalated, commented) can queue notifications; send
  // them now rather than at the next sweep.
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'GET' && request.url.startsWith('/api/tickets') && reply.statusCode < 400) ctx.notificationsQueued?.()
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } })
  })

  // Before any route: the route list sees every route, and no route escapes the auth hook.
  collectRoutes(app)
  // Headers first: a request the auth hook turns away still gets them.
  await installSecurityHeaders(app)
  await installAuth(app, ctx.db, ctx.auth ?? DEFAULT_AUTH_SETTINGS)
  installAuditHook(app, ctx.db)
  await registerOpenApi(app, ctx.version)
  for (const routes of ROUTES) await app.register(routes, { ctx })
  return app
}
