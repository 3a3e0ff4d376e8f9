/** Random secrets handed to clients, and the one-way form they are stored in. */
import { createHash, randomBytes } from 'node:crypto'

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url')

/** Secrets are 256-bit random, so a plain SHA-256 is enough (no salt or slow hash needed): nothing to guess. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')
