/**
 * Enrollment tokens and device credentials in the database. Secrets leave this module only once:
 * a token from `createToken`, a password from `enrollDevice`; what stays is their one-way form.
 */
import { randomUUID } from 'node:crypto'
import type { Db, Queryable } from '../store/db.js'
import { mosquittoHash, randomSecret, scryptHash, sha256Hex } from './hashes.js'
import type { DeviceRole } from './topic-rules.js'

/** Why an enrollment was refused: stable codes for the API, messages that say what to do. */
export class EnrollmentRefused extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'EnrollmentRefused'
  }
}

export interface TokenRow {
  id: string
  customer: string
  site: string
  prefix: string
  createdBy: string | null
  createdAt: string
  expiresAt: string
  maxUses: number | null
  uses: number
  revokedAt: string | null
  note: string | null
  /** Role of the credentials it gives: 'poller' for a site poller that reports for other devices. */
  role: DeviceRole
  state: 'active' | 'expired' | 'used-up' | 'revoked'
}

export interface CredentialRow {
  id: string
  deviceId: string
  customer: string
  site: string
  username: string
  role: DeviceRole
  createdAt: string
  enrolledVia: string | null
  lastConnectedAt: string | null
  revokedAt: string | null
}

/** Tokens look like `pet_<8 chars>_<secret>`; the 8 characters are the listed prefix. */
const TOKEN_RE = /^pet_([A-Za-z0-9]{8})_[A-Za-z0-9]{20,}$/

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString())

const TOKEN_COLUMNS = `id, customer_id, site_id, prefix, created_by, created_at, expires_at, max_uses, uses, revoked_at, note, role`
function tokenRow(r: Record<string, unknown>, now = Date.now()): TokenRow {
  const revokedAt = iso(r.revoked_at)
  const expiresAt = iso(r.expires_at)!
  const maxUses = r.max_uses == null ? null : Number(r.max_uses)
  const uses = Number(r.uses)
  return {
    id: r.id as string,
    customer: r.customer_id as string,
    site: r.site_id as string,
    prefix: r.prefix as string,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    expiresAt,
    maxUses,
    uses,
    revokedAt,
    note: (r.note as string | null) ?? null,
    role: r.role as DeviceRole,
    state: revokedAt ? 'revoked' : Date.parse(expiresAt) <= now ? 'expired' : maxUses !== null && uses >= maxUses ? 'used-up' : 'active',
  }
}

const CREDENTIAL_COLUMNS = `id, device_id, customer, site, username, role, created_at, enrolled_via, last_connected_at, revoked_at`
function credentialRow(r: Record<string, unknown>): CredentialRow {
  return {
    id: r.id as string,
    deviceId: r.device_id as string,
    customer: r.customer as string,
    site: r.site as string,
    username: r.username as string,
    role: r.role as DeviceRole,
    createdAt: iso(r.created_at)!,
    enrolledVia: (r.enrolled_via as string | null) ?? null,
    lastConnectedAt: iso(r.last_connected_at),
    revokedAt: iso(r.revoked_at),
  }
}

export async function createToken(
  db: Queryable,
  input: { customer: string; site: string; expiresInHours: number; maxUses: number | null; note?: string | undefined; role?: DeviceRole | undefined; createdBy: string | null },
): Promise<{ token: string; row: TokenRow }> {
  const prefix = randomSecret(12).replace(/[^A-Za-z0-9]/g, '').slice(0, 8).padEnd(8, '0')
  const token = `pet_${prefix}_${randomSecret(32).replace(/[^A-Za-z0-9]/g, '')}`
  const result = await db.query<Record<string, unknown>>(
    `insert into enrollment_token (id, customer_id, site_id, token_hash, prefix, created_by, expires_at, max_uses, note, role)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8, $9, $10) returning ${TOKEN_COLUMNS}`,
    [randomUUID(), input.customer, input.site, sha256Hex(token), prefix, input.createdBy, input.expiresInHours * 3600, input.maxUses, input.note ?? null, input.role ?? 'agent'],
  )
  return { token, row: tokenRow(result.rows[0]!) }
}

export async function listTokens(db: Queryable, filter: { customers: string[] | null; customer?: string | undefined; site?: string | undefined; limit: number; offset: number }): Promise<{ total: number; items: TokenRow[] }> {
  const where = `($1::text[] is null or customer_id = any($1)) and ($2::text is null or customer_id = $2) and ($3::text is null or site_id = $3)`
  const params = [filter.customers, filter.customer ?? null, filter.site ?? null]
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n from enrollment_token where ${where}`, params),
    db.query<Record<string, unknown>>(`select ${TOKEN_COLUMNS} from enrollment_token where ${where} order by created_at desc, id limit $4 offset $5`, [...params, filter.limit, filter.offset]),
  ])
  return { total: count.rows[0]!.n, items: rows.rows.map((r) => tokenRow(r)) }
}

/** Revokes a token (idempotent); null when there is no such token. Credentials it gave out stay valid. */
export async function revokeToken(db: Queryable, id: string): Promise<TokenRow | null> {
  const result = await db.query<Record<string, unknown>>(
    `update enrollment_token set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${TOKEN_COLUMNS}`,
    [id],
  )
  return result.rows[0] ? tokenRow(result.rows[0]) : null
}

export interface Enrolled {
  credential: CredentialRow
  password: string
  /** The username of the credential this one replaces (re-enrollment), to disconnect it. */
  replaced: string | null
}

/**
 * Exchanges a token for a new device credential, in one transaction: the token row is locked, so
 * a token with one use left cannot enroll two devices at once. The device is bound to the token's
 * customer and site whatever the request says; a device id that already belongs to another
 * customer or site is refused (a token must not let one tenant take over another's device).
 */
export async function enrollDevice(db: Db, input: { token: string; deviceId: string }): Promise<Enrolled> {
  if (!TOKEN_RE.test(input.token)) throw new EnrollmentRefused(401, 'TOKEN_INVALID', 'enrollment token not recognised: it has the wrong form (expected pet_…)')
  // Unknown tokens are turned away before the ~0.1 s of hashing below: an anonymous caller must
  // not be able to buy CPU time with made-up tokens (the route's rate limit bounds the rest).
  const known = await db.query('select 1 from enrollment_token where token_hash = $1', [sha256Hex(input.token)])
  if (!known.rows.length) throw new EnrollmentRefused(401, 'TOKEN_INVALID', 'enrollment token not recognised; ask the administrator for a new one')
  const password = randomSecret(24)
  const [passwordHash, mosquitto] = await Promise.all([scryptHash(password), mosquittoHash(password)])
  return db.transaction(async (tx) => {
    const found = await tx.query<Record<string, unknown>>(`select ${TOKEN_COLUMNS} from enrollment_token where token_hash = $1 for update`, [sha256Hex(input.token)])
    if (!found.rows[0]) throw new EnrollmentRefused(401, 'TOKEN_INVALID', 'enrollment token not recognised; ask the administrator for a new one')
    const token = tokenRow(found.rows[0])
    if (token.state === 'revoked') throw new EnrollmentRefused(401, 'TOKEN_REVOKED', `enrollment token ${token.prefix}… was revoked at ${token.revokedAt}`)
    if (token.state === 'expired') throw new EnrollmentRefused(401, 'TOKEN_EXPIRED', `enrollment token ${token.prefix}… expired at ${token.expiresAt}`)
    if (token.state === 'used-up') throw new EnrollmentRefused(401, 'TOKEN_USED_UP', `enrollment token ${token.prefix}… has been used ${token.uses} of ${token.maxUses} times`)
    const elsewhere = await tx.query<{ customer: string; site: string }>(
      `select customer, site from device_credential where device_id = $1 and revoked_at is null
       union all select customer, site from device where id = $1`,
      [input.deviceId],
    )
    const other = elsewhere.rows.find((r) => r.customer !== token.customer || r.site !== token.site)
    if (other) {
      throw new EnrollmentRefused(409, 'DEVICE_ELSEWHERE', `device "${input.deviceId}" already belongs to another customer or site than this token's (${token.customer}/${token.site}); choose another device id, or have an administrator move it`)
    }
    const previous = await tx.query<{ username: string }>(
      `update device_credential set revoked_at = now() where device_id = $1 and revoked_at is null returning username`,
      [input.deviceId],
    )
    const username = `dev-${input.deviceId.slice(0, 40)}-${randomSecret(6).replace(/[^A-Za-z0-9]/g, '').slice(0, 6).toLowerCase()}`
    const inserted = await tx.query<Record<string, unknown>>(
      `insert into device_credential (id, device_id, customer, site, username, password_hash, mosquitto_hash, role, enrolled_via)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${CREDENTIAL_COLUMNS}`,
      [randomUUID(), input.deviceId, token.customer, token.site, username, passwordHash, mosquitto, token.role, token.id],
    )
    await tx.query('update enrollment_token set uses = uses + 1 where id = $1', [token.id])
    return { credential: credentialRow(inserted.rows[0]!), password, replaced: previous.rows[0]?.username ?? null }
  })
}

export async function listCredentials(
  db: Queryable,
  filter: { customers: string[] | null; customer?: string | undefined; site?: string | undefined; deviceId?: string | undefined; includeRevoked: boolean; limit: number; offset: number },
): Promise<{ total: number; items: CredentialRow[] }> {
  const where = `($1::text[] is null or customer = any($1)) and ($2::text is null or customer = $2) and ($3::text is null or site = $3)
    and ($4::text is null or device_id = $4) and ($5::boolean or revoked_at is null)`
  const params = [filter.customers, filter.customer ?? null, filter.site ?? null, filter.deviceId ?? null, filter.includeRevoked]
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`select count(*)::int as n from device_credential where ${where}`, params),
    db.query<Record<string, unknown>>(`select ${CREDENTIAL_COLUMNS} from device_credential where ${where} order by created_at desc, id limit $6 offset $7`, [...params, filter.limit, filter.offset]),
  ])
  return { total: count.rows[0]!.n, items: rows.rows.map(credentialRow) }
}

/** Revokes a credential (idempotent); null when there is none with this id. */
export async function revokeCredential(db: Queryable, id: string): Promise<CredentialRow | null> {
  const result = await db.query<Record<string, unknown>>(
    `update device_credential set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${CREDENTIAL_COLUMNS}`,
    [id],
  )
  return result.rows[0] ? credentialRow(result.rows[0]) : null
}

/** The live credential of a username, with its hash, for the broker's CONNECT check. */
export async function activeCredential(db: Queryable, username: string): Promise<(CredentialRow & { passwordHash: string }) | null> {
  const result = await db.query<Record<string, unknown>>(`select ${CREDENTIAL_COLUMNS}, password_hash from device_credential where username = $1 and revoked_at is null`, [username])
  const row = result.rows[0]
  return row ? { ...credentialRow(row), passwordHash: row.password_hash as string } : null
}

export async function markConnected(db: Queryable, id: string): Promise<void> {
  await db.query('update device_credential set last_connected_at = now() where id = $1', [id])
}

/** Every live credential with its Mosquitto hash, for the generated password file and ACL. */
export async function credentialsForMosquitto(db: Queryable): Promise<(CredentialRow & { mosquittoHash: string })[]> {
  const result = await db.query<Record<string, unknown>>(`select ${CREDENTIAL_COLUMNS}, mosquitto_hash from device_credential where revoked_at is null order by username`)
  return result.rows.map((r) => ({ ...credentialRow(r), mosquittoHash: r.mosquitto_hash as string }))
}
