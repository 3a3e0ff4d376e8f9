import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../context.js'
import { rollupStatus, type RollupStatus } from '../../store/hourly-rollup.js'

/**
 * GET /api/health: 200 "ok" when the database answers and ingest is connected, 503 "degraded"
 * otherwise, with what is wrong; load balancers and the wallboard read the same answer.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/health',
    {
      // Load balancers and probes carry no credentials.
      config: { auth: { public: true } },
      schema: {
        summary: 'Collector health: database, broker, ingest counters',
        response: { 200: Type.Any(), 503: Type.Any() },
      },
    },
    async (_request, reply) => {
      let databaseOk = true
      let databaseError: string | null = null
      let hourly: RollupStatus | null = null
      try {
        await ctx.db.query('select 1')
        // Not a problem when behind (a first start on a large database catches up for a while): shown, not failed.
        hourly = await rollupStatus(ctx.db)
      } catch (error) {
        databaseOk = false
        databaseError = (error as Error).message
      }
      databaseOk &&= ctx.stats.databaseOk
      const mqtt = ctx.mqtt()
      const problems = [
        ...(databaseOk ? [] : [`database: ${databaseError ?? ctx.stats.databaseError ?? 'unavailable'}`]),
        ...(mqtt.connected ? [] : ['mqtt: ingest is not connected to the broker']),
      ]
      const body = {
        status: problems.length ? 'degraded' : 'ok',
        problems,
        version: ctx.version,
        database: { ...ctx.database, ok: databaseOk },
        mqtt,
        ingest: ctx.stats.toJSON(),
        hourly,
      }
      return reply.code(problems.length ? 503 : 200).send(body)
    },
  )
}
