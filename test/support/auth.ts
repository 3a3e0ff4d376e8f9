/**
 * Credentials for tests that call the API: a real user (scrypt-hashed random password) and a real
 * API token, written straight into the collector's database, exactly as the API would create them.
 * No auth is bypassed: requests made with `headers` go through the same auth plugin as a script's.
 *
 *   const alice = await apiAuth(collector.db, { role: 'engineer', customers: ['acme'] })
 *   await collector.app.inject({ url: '/api/devices', headers: alice.headers })
 *
 * Customers named in `customers` that do not exist yet are created (id as name), since an
 * assignment needs the customer row; existing customers are left as they are.
 */
import { randomBytes } from 'node:crypto'
import { createApiToken, createUser, type Db, type Role } from '@patrol/collector'

export type { Role }

export interface ApiAuth {
  headers: { authorization: string }
  userId: string
  token: string
  username: string
  password: string
}

export async function apiAuth(db: Db, opts: { role: Role; customers?: string[]; username?: string }): Promise<ApiAuth> {
  const username = opts.username ?? `${opts.role}-${randomBytes(4).toString('hex')}`
  const password = `pw-${randomBytes(12).toString('base64url')}`
  for (const customer of opts.customers ?? []) {
    await db.query('insert into customer (id, name) values ($1, $1) on conflict (id) do nothing', [customer])
  }
  const user = await createUser(db, { username, password, role: opts.role, displayName: username, language: 'en', customers: opts.customers ?? [] })
  const { token } = await createApiToken(db, user.id, `test ${username}`)
  return { headers: { authorization: `Bearer ${token}` }, userId: user.id, token, username, password }
}
