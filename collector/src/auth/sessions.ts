/**
 * Browser sessions. The cookie holds a random 32-byte secret; the database holds only its SHA-256
 * (the session id), so a leaked table or backup cannot be replayed as a cookie. Each session has a
 * CSRF token the console sends back on writes. Expiry slides with use (idle timeout) but never
 * past an absolute maximum from sign-in.
 */
import type { Queryable } from '../store/db.js'
import type { Principal } from '../api/auth/principal.js'
import { resolvePrincipal, type PrincipalUser } from './resolve-principal.js'
import { randomSecret, sha256 } from './secrets.js'

export interface SessionPolicy {
  /** Signed out after this long without a request. */
  idleMinutes: number
  /** Signed out this long after sign-in, however active. */
  maxHours: number
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMinutes: 12 * 60, maxHours: 7 * 24 }

export interface NewSession {
  /** Goes into the cookie; never stored. */
  secret: string
  csrfToken: string
  expiresAt: Date
}

export async function createSession(db: Queryable, userId: string, policy: SessionPolicy, meta: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<NewSession> {
  const secret = randomSecret(32)
  const csrfToken = randomSecret(24)
  // Housekeeping where it costs nothing extra: this user's ended sessions go at their next sign-in.
  await db.query('delete from user_session where user_id = $1 and expires_at <= now()', [userId])
  const { rows } = await db.query<{ expires_at: Date }>(
    `insert into user_session (id, user_id, csrf_token, expires_at, ip, user_agent)
     values ($1, $2, $3, least(now() + make_interval(mins => $4), now() + make_interval(hours => $5)), $6, $7) returning expires_at`,
    [sha256(secret), userId, csrfToken, policy.idleMinutes, policy.maxHours, meta.ip ?? null, meta.userAgent?.slice(0, 500) ?? null],
  )
  return { secret, csrfToken, expiresAt: rows[0]!.expires_at }
}

export interface ActiveSession {
  id: string
  csrfToken: string
  principal: Principal
}

interface SessionRow extends PrincipalUser {
  session_id: string
  csrf_token: string
  last_seen_at: Date
}

/** The live session for a cookie secret (extending it), or undefined when unknown, expired or the user is disabled. */
export async function findSession(db: Queryable, secret: string, policy: SessionPolicy): Promise<ActiveSession | undefined> {
  const id = sha256(secret)
  const { rows } = await db.query<SessionRow>(
    `select s.id as session_id, s.csrf_token, s.last_seen_at, u.id, u.username, u.role, u.language
       from user_session s join app_user u on u.id = s.user_id
      where s.id = $1 and s.expires_at > now() and u.disabled_at is null`,
    [id],
  )
  const row = rows[0]
  if (!row) return undefined
  // Sliding expiry, written at most once a minute per session rather than on every request.
  if (Date.now() - row.last_seen_at.getTime() > 60_000) {
    await db.query(
      `update user_session set last_seen_at = now(), expires_at = least(now() + make_interval(mins => $2), created_at + make_interval(hours => $3)) where id = $1`,
      [id, policy.idleMinutes, policy.maxHours],
    )
  }
  return { id, csrfToken: row.csrf_token, principal: await resolvePrincipal(db, row, 'session') }
}

export async function deleteSession(db: Queryable, secret: string): Promise<void> {
  await db.query('delete from user_session where id = $1', [sha256(secret)])
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('delete from user_session where expires_at <= now()')
  return rowCount
}
