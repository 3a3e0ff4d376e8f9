/**
 * API tokens for scripts: `ptk_` + 32 random bytes (base64url). Only the SHA-256 is stored, plus a
 * short prefix so a person can tell tokens apart in a list. Sent as `Authorization: Bearer ptk_…`.
 */
import { randomUUID } from 'node:crypto'
import type { Queryable } from '../store/db.js'
import type { Principal } from '../api/auth/principal.js'
import { resolvePrincipal, type PrincipalUser } from './resolve-principal.js'
import { randomSecret, sha256 } from './secrets.js'

export const TOKEN_PREFIX = 'ptk_'
const TOKEN_PATTERN = /^ptk_[A-Za-z0-9_-]{43}$/

export const looksLikeApiToken = (value: string): boolean => TOKEN_PATTERN.test(value)

export interface NewApiToken {
  id: string
  /** Shown once, to whoever created it; never stored. */
  token: string
  prefix: string
}

export async function createApiToken(db: Queryable, userId: string, name: string, expiresAt?: Date | null): Promise<NewApiToken> {
  const id = randomUUID()
  const token = TOKEN_PREFIX + randomSecret(32)
  const prefix = token.slice(0, TOKEN_PREFIX.length + 6)
  await db.query('insert into api_token (id, user_id, name, token_hash, prefix, expires_at) values ($1, $2, $3, $4, $5, $6)', [id, userId, name, sha256(token), prefix, expiresAt ?? null])
  return { id, token, prefix }
}

interface TokenRow extends PrincipalUser {
  token_id: string
  last_used_at: Date | null
}

/** The principal a token stands for, or undefined when unknown, revoked, expired or its user is disabled. */
export async function principalForToken(db: Queryable, token: string): Promise<Principal | undefined> {
  if (!looksLikeApiToken(token)) return undefined
  const { rows } = await db.query<TokenRow>(
    `select t.id as token_id, t.last_used_at, u.id, u.username, u.role, u.language
       from api_token t join app_user u on u.id = t.user_id
      where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now()) and u.disabled_at is null`,
    [sha256(token)],
  )
  const row = rows[0]
  if (!row) return undefined
  // "Last used" to the minute is enough to spot unused tokens, and spares a write per request.
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    await db.query('update api_token set last_used_at = now() where id = $1', [row.token_id])
  }
  return resolvePrincipal(db, row, 'token')
}

export async function revokeApiToken(db: Queryable, tokenId: string): Promise<boolean> {
  const { rowCount } = await db.query('update api_token set revoked_at = now() where id = $1 and revoked_at is null', [tokenId])
  return rowCount > 0
}
