/**
 * Finding the real peers a test needs (PostgreSQL, Mosquitto, snmpd, snmpsim, smartctl, the
 * shared fixtures). Locally a missing peer skips the tests that need it, with the reason; under
 * CI=true it fails them, so a green CI never hides a peer that was not there.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const IN_CI = process.env.CI === 'true'
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
/** `../shared` beside the repository: recordings of real devices, read in place, never copied. */
export const SHARED_FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures')

export interface Peer {
  available: boolean
  reason: string
}

/**
 * Returns whether the peer is there. Under CI a missing peer throws, which fails the suite that
 * asked. Use with `describe.skipIf(!peer.available)` locally.
 */
export function requirePeer(name: string, available: boolean, howToGet: string): Peer {
  const reason = available ? '' : `${name} is not available: ${howToGet}`
  if (!available && IN_CI) throw new Error(`CI=true and ${reason}`)
  if (!available) console.warn(`[skip] ${reason}`)
  return { available, reason }
}

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function commandPeer(command: string, debianPackage: string): Peer {
  return requirePeer(command, hasCommand(command), `apt-get install -y ${debianPackage}`)
}

export function sharedFixturesPeer(sub: string): Peer {
  const dir = path.join(SHARED_FIXTURES, sub)
  return requirePeer(`../shared/fixtures/${sub}`, existsSync(dir), `expected the shared fixtures at ${dir}`)
}

export function tcpReachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** A free TCP port on 127.0.0.1 (the OS picks; released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Polls `check` until it returns a truthy value or the time runs out; no fixed sleeps in tests. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 100, what = 'condition', onTimeout }: { timeoutMs?: number; intervalMs?: number; what?: string; onTimeout?: () => Promise<string> | string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) {
      const detail = onTimeout ? ` (${await onTimeout()})` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}${last ? `: ${(last as Error).message}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
