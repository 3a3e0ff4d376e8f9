/**
 * The two one-way forms a device password is kept in, so no clear password is ever stored:
 * - `scrypt$N$r$p$salt$hash`, checked by the embedded broker: the users' password hashing
 *   (collector/src/auth/passwords.ts), one implementation for people and devices;
 * - Mosquitto's `$7$<iterations>$<salt>$<hash>` (PBKDF2-SHA512, base64), written to the password
 *   file for a real Mosquitto. `mosquitto_passwd` uses 101 iterations, far too few for a table that
 *   may leak; Mosquitto 2 reads the count from the string, so we use 100,000.
 * Enrollment tokens are 256-bit random: a plain SHA-256 identifies them (nothing to guess).
 */
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { hashPassword, verifyPassword } from '../auth/passwords.js'

export const MOSQUITTO_ITERATIONS = 100_000

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex')

/** A random secret in characters that survive URLs, YAML and shells unquoted. */
export const randomSecret = (bytes = 24): string => randomBytes(bytes).toString('base64url').replace(/[-_]/g, (c) => (c === '-' ? 'x' : 'y'))

export const scryptHash = (password: string): Promise<string> => hashPassword(password)
/** A malformed stored hash matches nothing (it is not an exception). */
export const scryptVerify = (password: string, stored: string): Promise<boolean> => verifyPassword(password, stored)

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
