/**
 * One audit row for every successful change (status < 400, any method but GET/HEAD/OPTIONS) made
 * by a signed-in principal, written after the response so it never slows or fails the request: a
 * failure to write it is logged. The action is the method and route pattern
 * ("POST /api/tickets/:id/acknowledge"); the target is what the route's params name; the body is
 * summarised without secrets. Sign-ins are recorded by the login route itself (with failures).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { summariseBody, writeAudit } from '../../auth/audit.js'
import type { Db } from '../../store/db.js'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Routes that write their own rows. */
const SELF_AUDITED = new Set(['/api/auth/login'])

/** "/api/tickets/:id/acknowledge" → "tickets"; "/api/customers/:customer/sites/:id" → "sites". */
export function targetTypeOf(route: string): string | null {
  const segments = route.replace(/^\/api\//, '').split('/').filter((s) => s && !s.startsWith(':'))
  const withParam = route.split('/')
  // The noun right before the last parameter names the thing changed.
  for (let i = withParam.length - 1; i > 0; i--) if (withParam[i]!.startsWith(':') && !withParam[i - 1]!.startsWith(':')) return withParam[i - 1]!
  return segments[0] ?? null
}

function pick(source: unknown, keys: string[]): string | null {
  if (!source || typeof source !== 'object') return null
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key]
    if (typeof value === 'string' || typeof value === 'number') return String(value)
  }
  return null
}

export function auditTarget(request: FastifyRequest): { targetType: string | null; targetId: string | null; customerId: string | null } {
  const route = request.routeOptions.url ?? ''
  const params = request.params as Record<string, unknown> | undefined
  const paramNames = [...route.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)
  const last = paramNames.at(-1)
  return {
    targetType: targetTypeOf(route),
    targetId: last ? pick(params, [last]) : null,
    customerId: pick(params, ['customer', 'customerId']) ?? pick(request.body, ['customer', 'customerId']) ?? pick(request.query, ['customer']),
  }
}

/** Changes to a ticket or a device name no customer in the request; the row says whose it was, so the log can be read per customer. */
async function customerOfTarget(db: Db, target: ReturnType<typeof auditTarget>): Promise<string | null> {
  if (target.customerId || !target.targetId) return target.customerId
  if (target.targetType === 'tickets' && /^[0-9]{1,15}$/.test(target.targetId)) {
    return (await db.query<{ customer: string }>('select customer from ticket where id = $1', [Number(target.targetId)])).rows[0]?.customer ?? null
  }
  if (target.targetType === 'devices') return (await db.query<{ customer: string }>('select customer from device where id = $1', [target.targetId])).rows[0]?.customer ?? null
  return null
}

export function installAuditHook(app: FastifyInstance, db: Db): void {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal
    if (!principal || READS.has(request.method) || reply.statusCode >= 400) return
    const route = request.routeOptions.url
    if (!route || SELF_AUDITED.has(route)) return
    const body = typeof request.body === 'string' ? `(${request.body.length} characters of ${String(request.headers['content-type'] ?? 'text')})` : summariseBody(request.body)
    const target = auditTarget(request)
    await customerOfTarget(db, target)
      .then((customerId) =>
        writeAudit(db, {
          userId: principal.userId,
          username: principal.username,
          via: principal.via,
          action: `${request.method} ${route}`,
          method: request.method,
          route,
          ...target,
          customerId,
          status: reply.statusCode,
          details: { params: request.params ?? null, body: body ?? null },
          ip: request.ip,
        }),
      )
      .catch((error: Error) => request.log.error({ err: error.message, action: `${request.method} ${route}` }, 'audit log: could not write the entry'))
  })
}
