/**
 * The two one-way forms a device password is kept in, so no clear password is ever stored:
 * - `scrypt$N$r$p$salt$hash` (base64url), checked by the embedded broker; the same self-describing
 *   format as the users' password hashes (collector/src/auth/passwords.ts), so either verifier reads
 *   the other's hashes. Kept here rather than imported because it must not wait on the accounts work,
 *   and device passwords are 192-bit random (the cost only has to stop a stolen table being useful).
 * - Mosquitto's `$7$<iterations>$<salt>$<hash>` (PBKDF2-SHA512, base64), written to the password
 *   file for a real Mosquitto. `mosquitto_passwd` uses 101 iterations, far too few for a table that
 *   may leak; Mosquitto 2 reads the count from the string, so we use 100,000.
 * Enrollment tokens are 256-bit random too: a plain SHA-256 identifies them (nothing to guess).
 */
import { createHash, pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'

const SCRYPT = { N: 2 ** 14, r: 8, p: 1, keyLength: 32 }
const MAX_N = 2 ** 20
export const MOSQUITTO_ITERATIONS = 100_000

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex')

/** A random secret in characters that survive URLs, YAML and shells unquoted. */
export const randomSecret = (bytes = 24): string => randomBytes(bytes).toString('base64url').replace(/[-_]/g, (c) => (c === '-' ? 'x' : 'y'))

function scryptKey(password: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, { N: n, r, p, maxmem: 256 * n * r }, (error, key) => (error ? reject(error) : resolve(key))))
}

export async function scryptHash(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptKey(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength)
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** A malformed stored hash matches nothing (it is not an exception). */
export async function scryptVerify(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false
  const salt = Buffer.from(parts[4]!, 'base64url')
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (!salt.length || expected.length < 16 || expected.length > 128) return false
  return timingSafeEqual(await scryptKey(password, salt, n, r, p, expected.length), expected)
}

function pbkdf2Sha512(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, 64, 'sha512', (error, key) => (error ? reject(error) : resolve(key))))
}

/** The line format of Mosquitto 2's password file (what `mosquitto_passwd` writes, with more iterations). */
export async function mosquittoHash(password: string, iterations = MOSQUITTO_ITERATIONS): Promise<string> {
  const salt = randomBytes(12)
  const key = await pbkdf2Sha512(password, salt, iterations)
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Checks a `$7$` hash the way Mosquitto does; lets tests compare against `mosquitto_passwd` output. */
export async function mosquittoVerify(password: string, stored: string): Promise<boolean> {
  const match = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored)
  if (!match) return false
  const iterations = Number(match[1])
  if (iterations < 1 || iterations > 10_000_000) return false
  const expected = Buffer.from(match[3]!, 'base64')
  return timingSafeEqual(await pbkdf2Sha512(password, Buffer.from(match[2]!, 'base64'), iterations), expected.length === 64 ? expected : Buffer.alloc(64))
}
