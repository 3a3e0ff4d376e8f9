/**
 * Password hashes: scrypt from node:crypto (no native dependency), stored self-describing as
 * `scrypt$N$r$p$salt$hash` (salt and hash base64url) so the cost can be raised later without
 * breaking stored hashes: each hash is checked with the parameters it was made with.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const N = 2 ** 15
const R = 8
const P = 1
const KEY_LENGTH = 32
const SALT_LENGTH = 16
/** Upper bound on the parameters we accept from a stored hash, so a tampered row cannot make us allocate gigabytes. */
const MAX_N = 2 ** 20

/** scrypt needs 128·N·r bytes; node's default maxmem (32 MiB) is exactly that for N=2^15, r=8, which it refuses. */
const maxmem = (n: number, r: number) => 128 * n * r * 2

function derive(password: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: maxmem(n, r) }
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))))
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await derive(password, salt, N, R, P, KEY_LENGTH)
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** True when the password matches. A malformed stored hash matches nothing (and is not an exception). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![n, r, p].every(Number.isSafeInteger) || n < 2 || n > MAX_N || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false
  const salt = Buffer.from(parts[4]!, 'base64url')
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (!salt.length || expected.length < 16 || expected.length > 128) return false
  const key = await derive(password, salt, n, r, p, expected.length)
  return timingSafeEqual(key, expected)
}

let dummy: Promise<string> | undefined
/**
 * Spend the same time as a real check when the username is unknown (or disabled), so response
 * times do not tell which usernames exist. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummy)
  return false
}

/** Minimum rules for a password set through the API or bootstrap: long enough, not absurdly long (scrypt input). */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return 'a password needs at least 10 characters'
  if (password.length > 512) return 'a password may have at most 512 characters'
  return null
}
