/**
 * Sign-in for the console: POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me.
 * The session cookie `patrol_session` is HttpOnly, SameSite=Lax, Path=/, and Secure over TLS (or
 * as configured); the CSRF token comes back in the body and goes with every change as
 * `x-csrf-token`. Sign-in attempts are limited per client address and per username (429 with
 * Retry-After), and each attempt, good or bad, is written to the audit log (never the password).
 * Unknown and disabled users are checked against a dummy hash so the answer takes as long and
 * says the same as a wrong password.
 *
 * Decisions: the limits count every attempt (a correct password after too many wrong ones is
 * refused too, or the limit would only slow guessing down); they live in each collector's memory,
 * so N collectors behind one balancer allow N times as many (still far from a useful guessing
 * rate against scrypt); the address is the TCP peer's, since the collector is not told which
 * proxies to trust: behind a reverse proxy every client shares the proxy's address, which is why
 * the per-address limit is higher than the per-username one.
 */
import rateLimit from '@fastify/rate-limit'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { writeAudit } from '../../auth/audit.js'
import { verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js'
import { resolvePrincipal } from '../../auth/resolve-principal.js'
import { createSession, deleteSession } from '../../auth/sessions.js'
import { findUserByUsername } from '../../auth/users.js'
import { sessionOf } from '../auth/plugin.js'
import { principalOf, type Principal } from '../auth/principal.js'
import { DEFAULT_AUTH_SETTINGS, SESSION_COOKIE, type AuthSettings } from '../auth/settings.js'
import type { ApiContext } from '../context.js'
import { ApiError } from '../errors.js'

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 100 }), password: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
)

async function userJson(ctx: ApiContext, principal: Principal) {
  const { rows } = await ctx.db.query<{ display_name: string }>('select display_name from app_user where id = $1', [principal.userId])
  return { id: principal.userId, username: principal.username, displayName: rows[0]?.display_name ?? principal.username, role: principal.role, customers: principal.customers, language: principal.language }
}

function cookieIsSecure(request: FastifyRequest, settings: AuthSettings): boolean {
  if (settings.cookieSecure === 'always') return true
  if (settings.cookieSecure === 'never') return false
  return request.protocol === 'https'
}

export const authRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const settings = ctx.auth ?? DEFAULT_AUTH_SETTINGS
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false })
  const window = settings.loginWindowMinutes * 60_000
  const perAddress = app.createRateLimit({ max: settings.loginMaxAttemptsPerIp, timeWindow: window, keyGenerator: (request) => `login-ip:${request.ip}` })
  const perUsername = app.createRateLimit({
    max: settings.loginMaxAttempts,
    timeWindow: window,
    keyGenerator: (request) => `login-user:${String((request.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}`,
  })

  // A refused attempt is audited once per limited key and window: a flood of them must not become a flood of rows.
  const refusalsAudited = new Map<string, number>()
  const firstRefusal = (key: string, ttlMs: number) => {
    const now = Date.now()
    if ((refusalsAudited.get(key) ?? 0) > now) return false
    if (refusalsAudited.size > 10_000) for (const [k, until] of refusalsAudited) if (until <= now) refusalsAudited.delete(k)
    refusalsAudited.set(key, now + ttlMs)
    return true
  }
  const refuse = (reply: FastifyReply, ttlMs: number, why: string): never => {
    const seconds = Math.max(1, Math.ceil(ttlMs / 1000))
    reply.header('retry-after', String(seconds))
    throw new ApiError(429, 'RATE_LIMITED', `too many sign-in attempts ${why}; try again in ${seconds} s`)
  }

  app.post(
    '/api/auth/login',
    { config: { auth: { public: true } }, schema: { tags: ['auth'], summary: 'Sign in: sets the session cookie, returns the user and the CSRF token', body: LoginBody } },
    async (request, reply) => {
      const { username, password } = request.body
      const audit = (action: string, status: number, user?: { id: string; username: string }, reason?: string) =>
        writeAudit(ctx.db, { userId: user?.id ?? null, username: user?.username ?? username, via: user ? 'session' : null, action, method: 'POST', route: '/api/auth/login', status, ip: request.ip, details: reason ? { reason } : null }).catch(
          (error: Error) => request.log.error({ err: error.message }, 'audit log: could not write the sign-in entry'),
        )
      const byAddress = await perAddress(request)
      if (!byAddress.isAllowed && byAddress.isExceeded) {
        if (firstRefusal(byAddress.key, byAddress.ttl)) await audit('login-refused', 429, undefined, 'rate limit (address)')
        return refuse(reply, byAddress.ttl, 'from this address')
      }
      const byName = await perUsername(request)
      if (!byName.isAllowed && byName.isExceeded) {
        if (firstRefusal(byName.key, byName.ttl)) await audit('login-refused', 429, undefined, 'rate limit (username)')
        return refuse(reply, byName.ttl, 'for this username')
      }
      const user = await findUserByUsername(ctx.db, username)
      const ok = user && !user.disabled_at ? await verifyPassword(password, user.password_hash) : await verifyAgainstDummy(password)
      if (!user || !ok) {
        await audit('login-failed', 401, undefined, user?.disabled_at ? 'disabled' : 'bad credentials')
        throw new ApiError(401, 'BAD_CREDENTIALS', 'wrong username or password')
      }
      const session = await createSession(ctx.db, user.id, settings.session, { ip: request.ip, userAgent: request.headers['user-agent'] })
      reply.setCookie(SESSION_COOKIE, session.secret, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: cookieIsSecure(request, settings),
        maxAge: settings.session.maxHours * 3600,
      })
      await audit('login', 200, user)
      const principal = await resolvePrincipal(ctx.db, user, 'session')
      return { user: await userJson(ctx, principal), csrfToken: session.csrfToken }
    },
  )

  app.post('/api/auth/logout', { schema: { tags: ['auth'], summary: 'Sign out: ends this browser session' } }, async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE]
    if (sessionOf(request) && secret) await deleteSession(ctx.db, secret)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.code(204).send()
  })

  app.get('/api/auth/me', { schema: { tags: ['auth'], summary: 'Who is signed in; the CSRF token of this session' } }, async (request) => {
    const principal = principalOf(request)
    return { user: await userJson(ctx, principal), csrfToken: sessionOf(request)?.csrfToken ?? null }
  })
}
