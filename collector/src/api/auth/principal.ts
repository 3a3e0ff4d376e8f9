/**
 * Who is asking, and what they may see. Every route reads `request.principal` (set by the auth
 * plugin before any handler runs) and scopes its queries with `customerScope`, so tenancy is one
 * rule applied everywhere rather than a check each route remembers on its own.
 *
 * Roles, from most to least powerful (each may do what the ones below it may):
 * - admin:    everything, including users, API tokens, enrollment tokens and the audit log;
 * - manager:  every customer; customers, sites, contracts, rules, notification targets, reports;
 * - engineer: the customers assigned to them; works tickets, pushes device config, maintenance
 *             windows, the pre-inspection review, generates reports;
 * - viewer:   a customer's own staff: reads their customer's devices, tickets and reports; writes nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../errors.js'

export const ROLES = ['viewer', 'engineer', 'manager', 'admin'] as const
export type Role = (typeof ROLES)[number]

export interface Principal {
  userId: string
  username: string
  role: Role
  /** Customers this principal may see; 'all' for managers and administrators. */
  customers: readonly string[] | 'all'
  /** How the request proved who it is: a browser session (cookie, CSRF-checked) or an API token. */
  via: 'session' | 'token'
  /** Preferred console language. */
  language: 'zh-CN' | 'en'
}

declare module 'fastify' {
  interface FastifyRequest {
    /** null only on public routes reached without credentials. */
    principal: Principal | null
  }
  interface FastifyContextConfig {
    /**
     * Who may call the route. Default: any signed-in user (reads are then scoped by customer).
     * `public: true` for the few routes that need no user (health probe, login, agent enrollment,
     * the console's static files, /docs).
     */
    auth?: { public?: boolean; minRole?: Role }
  }
}

export const roleAtLeast = (role: Role, min: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(min)

/** The signed-in principal, or 401. For handlers on non-public routes the hook has already ensured one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(401, 'UNAUTHENTICATED', 'sign in, or send an API token as "Authorization: Bearer …"')
  return request.principal
}

/**
 * The customers a query may touch: null means all (bind it as `$n::text[]` and write
 * `($n::text[] is null or customer = any($n))`), otherwise the list (possibly empty: then nothing).
 */
export function customerScope(request: FastifyRequest): string[] | null {
  const p = principalOf(request)
  return p.customers === 'all' ? null : [...p.customers]
}

export function canSeeCustomer(request: FastifyRequest, customer: string): boolean {
  const p = principalOf(request)
  return p.customers === 'all' || p.customers.includes(customer)
}

/**
 * Throws 404 (not 403) when the customer is outside the principal's scope: another tenant's
 * device must look exactly like one that does not exist, or ids could be probed.
 */
export function assertCustomer(request: FastifyRequest, customer: string, what: string): void {
  if (!canSeeCustomer(request, customer)) throw new ApiError(404, 'NOT_FOUND', `${what} not found`)
}

/** For a route that must check a role in its handler (e.g. depends on the body). */
export function assertRole(request: FastifyRequest, min: Role): void {
  const p = principalOf(request)
  if (!roleAtLeast(p.role, min)) throw new ApiError(403, 'FORBIDDEN', `needs the ${min} role or above; you are ${p.role}`)
}

export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>
