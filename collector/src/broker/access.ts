/**
 * Who may connect to the embedded broker and what they may do: device credentials from the
 * database (enrolled agents and pollers), and internal accounts that live only in this process's
 * memory (the collector's in-process agent of `pnpm start`, test publishers). Topic rules are the
 * shared ones of enrollment/topic-rules.ts, the same the Mosquitto ACL is generated from.
 *
 * A verified password is remembered (as a SHA-256, per username) so a reconnecting fleet costs one
 * scrypt per device, not one per reconnect. Revoking drops that memory and the live connections.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Logger } from 'pino'
import type { Queryable } from '../store/db.js'
import { verifyAgainstDummy } from '../auth/passwords.js'
import { scryptVerify, randomSecret } from '../enrollment/hashes.js'
import { activeCredential, markConnected } from '../enrollment/store.js'
import type { Grant } from '../enrollment/topic-rules.js'

const digest = (password: string) => createHash('sha256').update(password).digest()
const VERIFIED_TTL_MS = 5 * 60_000

export interface Disconnectable {
  close(): void
}

export interface BrokerAccessOptions {
  db: Queryable
  logger: Logger
  /** Clients without a username: refused (the default), or let in with full rights (a closed lab network). */
  allowAnonymous: boolean
}

export class BrokerAccess {
  private readonly internal = new Map<string, { digest: Buffer; grant: Grant }>()
  private readonly verified = new Map<string, { digest: Buffer; grant: Grant; at: number }>()
  private readonly clients = new Map<string, Set<Disconnectable>>()
  /** Publishes and subscriptions refused by the topic rules, and refused logins; shown by /api/health. */
  readonly refused = { connects: 0, publishes: 0, subscribes: 0 }

  constructor(private readonly options: BrokerAccessOptions) {}

  get allowAnonymous(): boolean {
    return this.options.allowAnonymous
  }

  /**
   * An account kept in memory only, valid until the collector stops. `login` reuses one issued by
   * an earlier run (a test publisher that must survive a collector restart); by default it is new.
   */
  issueInternal(
    name: string,
    grant: Omit<Extract<Grant, { role: 'service' }>, 'username'> | Omit<Exclude<Grant, { role: 'service' }>, 'username'>,
    login?: { username: string; password: string },
  ): { username: string; password: string } {
    const username = login?.username ?? `internal-${name}-${randomUUID().slice(0, 8)}`
    const password = login?.password ?? randomSecret(24)
    this.internal.set(username, { digest: digest(password), grant: { ...grant, username } as Grant })
    return { username, password }
  }

  /** The grant for a CONNECT, or null when refused. */
  async authenticate(username: string | undefined, password: Buffer | undefined): Promise<Grant | null> {
    if (!username) {
      if (this.options.allowAnonymous) return { role: 'service', username: '(anonymous)' }
      this.refused.connects += 1
      return null
    }
    const given = digest(password ? password.toString('utf8') : '')
    const internal = this.internal.get(username)
    if (internal) return this.refuseUnless(timingSafeEqual(internal.digest, given), internal.grant, username)
    const remembered = this.verified.get(username)
    if (remembered && Date.now() - remembered.at < VERIFIED_TTL_MS && timingSafeEqual(remembered.digest, given)) return remembered.grant
    const credential = await activeCredential(this.options.db, username)
    const clear = password ? password.toString('utf8') : ''
    // An unknown username costs the same scrypt as a wrong password: timing does not tell which.
    if (!credential || !(await scryptVerify(clear, credential.passwordHash))) {
      if (!credential) await verifyAgainstDummy(clear)
      return this.refuseUnless(false, null, username)
    }
    const grant: Grant = { role: credential.role, username, customer: credential.customer, site: credential.site, device: credential.deviceId, credentialId: credential.id }
    this.verified.set(username, { digest: given, grant, at: Date.now() })
    markConnected(this.options.db, credential.id).catch((error: Error) => this.options.logger.debug({ err: error.message }, 'could not record the connection time'))
    return grant
  }

  private refuseUnless(ok: boolean, grant: Grant | null, username: string): Grant | null {
    if (ok) return grant
    this.refused.connects += 1
    this.options.logger.warn({ username }, 'MQTT login refused: unknown or revoked username, or wrong password')
    return null
  }

  attach(username: string, client: Disconnectable): void {
    let set = this.clients.get(username)
    if (!set) this.clients.set(username, (set = new Set()))
    set.add(client)
  }

  detach(username: string, client: Disconnectable): void {
    const set = this.clients.get(username)
    set?.delete(client)
    if (set && !set.size) this.clients.delete(username)
  }

  /** A credential was revoked: forget it and drop its connections now; its reconnects are refused. */
  revoked(username: string): number {
    this.verified.delete(username)
    this.internal.delete(username)
    const set = this.clients.get(username)
    if (!set) return 0
    this.clients.delete(username)
    for (const client of set) client.close()
    this.options.logger.info({ username, connections: set.size }, 'credential revoked: disconnected')
    return set.size
  }
}
