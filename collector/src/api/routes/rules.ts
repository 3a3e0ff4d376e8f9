/**
 * The rules with their parameters and defaults, and overrides per customer, site or device.
 * Engineers read them (an engineer only the overrides of the customers they serve: an override's
 * scope id names its customer); managers change them.
 */
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { resolveParams, RULES, RULES_BY_ID } from '../../rules/index.js'
import { customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { badRequest, notFound } from '../errors.js'

const Scope = Type.Union([Type.Literal('customer'), Type.Literal('site'), Type.Literal('device')])
// A site is named "customer/site".
const ScopeId = Type.String({ pattern: `^${ID_PATTERN.replace(/^\^|\$$/g, '')}(/${ID_PATTERN.replace(/^\^|\$$/g, '')})?$` })
const OverrideParams = Type.Object({ scope: Scope, scopeId: ScopeId, rule: Type.String({ maxLength: 100 }) })

export const ruleRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const read = { auth: { minRole: 'engineer' as const } }
  const write = { auth: { minRole: 'manager' as const } }
  app.get('/api/rules', { config: read }, async () => ({
    items: RULES.map((r) => ({ id: r.id, title: r.title, level: r.level, defaults: resolveParams(r), params: r.params })),
  }))

  app.get('/api/rule-overrides', { config: read }, async (request) => {
    const { rows } = await ctx.db.query(
      `select o.scope, o.scope_id as "scopeId", o.rule_id as "rule", o.enabled, o.params from rule_override o
        where $1::text[] is null
           or (o.scope = 'customer' and o.scope_id = any($1))
           or (o.scope = 'site' and split_part(o.scope_id, '/', 1) = any($1))
           or (o.scope = 'device' and exists (select 1 from device d where d.id = o.scope_id and d.customer = any($1)))
        order by o.rule_id, o.scope, o.scope_id`,
      [customerScope(request)],
    )
    return { items: rows }
  })

  app.put(
    '/api/rule-overrides/:scope/:scopeId/:rule',
    {
      config: write,
      schema: {
        summary: 'Override a rule for a customer, a site ("customer/site") or a device',
        params: OverrideParams,
        body: Type.Object({ enabled: Type.Boolean({ default: true }), params: Type.Record(Type.String(), Type.Unknown(), { default: {} }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { scope, scopeId, rule: ruleId } = request.params
      const rule = RULES_BY_ID.get(ruleId)
      if (!rule) throw notFound(`rule "${ruleId}"`)
      if (scope === 'site' && !scopeId.includes('/')) throw badRequest('a site override is named "customer/site"')
      // Check the override on its own against the rule's schema (every field optional here).
      const partial = Type.Partial(rule.params)
      if (!Value.Check(partial, request.body.params)) {
        const first = [...Value.Errors(partial, request.body.params)][0]
        throw badRequest(`rule ${ruleId}: parameter ${first?.path ?? ''} ${first?.message ?? 'invalid'}`)
      }
      await ctx.db.query(
        `insert into rule_override (scope, scope_id, rule_id, enabled, params) values ($1, $2, $3, $4, $5::jsonb)
         on conflict (scope, scope_id, rule_id) do update set enabled = excluded.enabled, params = excluded.params`,
        [scope, scopeId, ruleId, request.body.enabled, JSON.stringify(request.body.params)],
      )
      return { scope, scopeId, rule: ruleId, enabled: request.body.enabled, params: request.body.params, effective: resolveParams(rule, request.body.params) }
    },
  )

  app.delete('/api/rule-overrides/:scope/:scopeId/:rule', { config: write, schema: { summary: 'Remove an override', params: OverrideParams } }, async (request, reply) => {
    const { rowCount } = await ctx.db.query('delete from rule_override where scope = $1 and scope_id = $2 and rule_id = $3', [request.params.scope, request.params.scopeId, request.params.rule])
    if (!rowCount) throw notFound('override')
    return reply.code(204).send()
  })
}
