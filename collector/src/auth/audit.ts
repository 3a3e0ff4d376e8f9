/**
 * The audit log: who changed what, when, from where. Written for every successful change made
 * through the API and for every sign-in attempt. Bodies are summarised with anything that looks
 * like a secret removed, and cut short: the log records what was done, not the data itself.
 */
import type { Queryable } from '../store/db.js'

export interface AuditEntry {
  userId?: string | null
  username?: string | null
  via?: 'session' | 'token' | null
  action: string
  method?: string | null
  route?: string | null
  targetType?: string | null
  targetId?: string | null
  customerId?: string | null
  status?: number | null
  details?: unknown
  ip?: string | null
}

export async function writeAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (user_id, username, via, action, method, route, target_type, target_id, customer_id, status, details, ip)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)`,
    [e.userId ?? null, e.username ?? null, e.via ?? null, e.action, e.method ?? null, e.route ?? null, e.targetType ?? null, e.targetId ?? null, e.customerId ?? null, e.status ?? null, e.details === undefined ? null : JSON.stringify(e.details), e.ip ?? null],
  )
}

/** Keys whose values are never written anywhere: passwords, tokens, secrets, keys, credentials, SNMP communities. */
export const SECRET_KEY = /pass(word)?|token|secret|key|credential|authorization|cookie|smtpurl|community/i
const MAX_STRING = 200
const MAX_ITEMS = 20
const MAX_DEPTH = 4

/** A copy of a request body fit for the log: secret-looking fields replaced, long strings and lists cut. */
export function summariseBody(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length} characters)` : value
  if (typeof value !== 'object') return value
  if (depth >= MAX_DEPTH) return '…'
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => summariseBody(v, depth + 1))
    return value.length > MAX_ITEMS ? [...items, `… ${value.length - MAX_ITEMS} more`] : items
  }
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value as Record<string, unknown>).slice(0, 50)) out[key] = SECRET_KEY.test(key) ? '[removed]' : summariseBody(v, depth + 1)
  return out
}
