/**
 * Who is asking, decided once per request before any handler runs (an onRequest hook on the root
 * app, so no route can be registered outside it):
 * - `Authorization: Bearer ptk_…` → the token's user (`via: 'token'`, no CSRF check: a browser
 *   never sends it on its own);
 * - otherwise the `patrol_session` cookie → the session's user (`via: 'session'`); any method but
 *   GET/HEAD/OPTIONS must carry `x-csrf-token` equal to the session's token, since a browser
 *   attaches the cookie to cross-site requests too.
 * Then the route's `config.auth` is enforced: every /api route needs a principal unless
 * `public: true` (401 UNAUTHENTICATED), `minRole` needs that role or above (403 FORBIDDEN).
 * Routes outside /api (console files, /docs) are public unless their config says otherwise.
 * On a public route, credentials that do not check out are ignored rather than refused: the
 * health probe must answer during a database outage, and enrollment sends a bearer token of its own.
 */
import { timingSafeEqual } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { findSession, type ActiveSession } from '../../auth/sessions.js'
import { principalForToken } from '../../auth/tokens.js'
import type { Db } from '../../store/db.js'
import { ApiError } from '../errors.js'
import { roleAtLeast, type Principal } from './principal.js'
import { CSRF_HEADER, SESSION_COOKIE, type AuthSettings } from './settings.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const sessions = new WeakMap<FastifyRequest, ActiveSession>()
/** The browser session behind the request, when it was authenticated by cookie (login/logout/me need it). */
export const sessionOf = (request: FastifyRequest): ActiveSession | undefined => sessions.get(request)

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')

interface Identified {
  principal: Principal | null
  session?: ActiveSession
  /** Why credentials that were sent did not identify anyone. */
  problem?: { status: 401 | 403; code: string; message: string }
}

async function identify(db: Db, request: FastifyRequest, settings: AuthSettings): Promise<Identified> {
  const authorization = request.headers.authorization
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    if (!match) return { principal: null, problem: { status: 401, code: 'UNAUTHENTICATED', message: 'the Authorization header must be "Bearer <API token>"' } }
    const principal = await principalForToken(db, match[1]!)
    return principal ? { principal } : { principal: null, problem: { status: 401, code: 'UNAUTHENTICATED', message: 'API token unknown, revoked or expired' } }
  }
  const secret = request.cookies[SESSION_COOKIE]
  if (!secret) return { principal: null }
  const session = await findSession(db, secret, settings.session)
  if (!session) return { principal: null, problem: { status: 401, code: 'UNAUTHENTICATED', message: 'your session has ended; sign in again' } }
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers[CSRF_HEADER]
    if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
      return { principal: null, problem: { status: 403, code: 'CSRF', message: `a signed-in browser must send the ${CSRF_HEADER} header it got at sign-in with every change` } }
    }
  }
  return { principal: session.principal, session }
}

export async function installAuth(app: FastifyInstance, db: Db, settings: AuthSettings): Promise<void> {
  await app.register(fastifyCookie)
  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config?.auth
    // A catch-all outside /api (the console's pages) that happens to match an /api path does not
    // make that path public: unknown /api paths answer 401 to strangers, so routes cannot be probed.
    const underApi = isApiPath(request.url)
    const routeUnderApi = isApiPath(request.routeOptions.url ?? request.url)
    const isPublic = auth?.public === true ? routeUnderApi || !underApi : !underApi && !auth
    if (isPublic) {
      const found: Identified = await identify(db, request, settings).catch((error: Error) => {
        request.log.debug({ err: error.message }, 'credentials on a public route not checked')
        return { principal: null }
      })
      request.principal = found.principal
      if (found.session) sessions.set(request, found.session)
      return
    }
    const found = await identify(db, request, settings)
    if (found.problem) throw new ApiError(found.problem.status, found.problem.code, found.problem.message)
    if (!found.principal) throw new ApiError(401, 'UNAUTHENTICATED', 'sign in, or send an API token as "Authorization: Bearer …"')
    request.principal = found.principal
    if (found.session) sessions.set(request, found.session)
    if (auth?.minRole && !roleAtLeast(found.principal.role, auth.minRole)) {
      throw new ApiError(403, 'FORBIDDEN', `needs the ${auth.minRole} role or above; you are ${found.principal.role}`)
    }
  })
}
