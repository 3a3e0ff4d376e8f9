import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../context.js'
import { customerScope, principalOf } from '../auth/principal.js'
import { ApiError } from '../errors.js'
import { SseConnection } from '../../live/sse.js'

/** Open streams per user: a console per tab is fine, a runaway script is not. */
const MAX_STREAMS_PER_USER = 20
const MAX_AGE_MS = 30 * 60_000

/**
 * GET /api/events: server-sent events for the console, `event: ticket` (opened, acknowledged,
 * escalated, resolved, …) and `event: device` (online/offline), each a JSON object
 * `{type, id, customer, site, deviceId, at, …}`, only for the customers the caller may see; a
 * comment line every 15 s; `event: resync` when events may have been missed. Any signed-in user.
 * Events are not replayed: a console that reconnects re-reads what it shows.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const perUser = new Map<string, number>()
  const streams = new Set<SseConnection>()
  // An open stream would keep the server from closing: end them first.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.close()
  })
  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Live ticket and device events (text/event-stream), scoped to your customers',
        tags: ['live'],
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }) },
      },
    },
    async (request, reply) => {
      const live = ctx.live
      if (!live) throw new ApiError(503, 'UNAVAILABLE', 'live events are not running on this collector')
      const principal = principalOf(request)
      const open = perUser.get(principal.userId) ?? 0
      if (open >= MAX_STREAMS_PER_USER) throw new ApiError(429, 'TOO_MANY_STREAMS', `at most ${MAX_STREAMS_PER_USER} live event streams per user; close some tabs`)
      perUser.set(principal.userId, open + 1)

      reply.hijack()
      const res = reply.raw
      // Headers other hooks set (security headers) are kept; hijacking skips fastify's sending.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value)
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no', // nginx: do not buffer the stream
      })
      let unsubscribe = () => {}
      const connection = new SseConnection(res, {
        customers: customerScope(request),
        heartbeatMs: live.heartbeatMs,
        maxBufferedBytes: live.maxBufferedBytes,
        maxAgeMs: MAX_AGE_MS,
        onSlow: () => live.noteDroppedSlow(),
        onClose: () => {
          streams.delete(connection)
          unsubscribe()
          const left = (perUser.get(principal.userId) ?? 1) - 1
          if (left > 0) perUser.set(principal.userId, left)
          else perUser.delete(principal.userId)
        },
      })
      unsubscribe = live.subscribe(connection)
      if (connection.isClosed) unsubscribe()
      else streams.add(connection)
    },
  )
}
