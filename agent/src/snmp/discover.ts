import type { SnmpTarget } from './targets.js'
import { createLimiter } from './limit.js'
import { ALL_PROBES, chooseProfile, probe, readSystem } from './select.js'
import { openSession } from './session.js'
import type { SystemInfo } from './profile.js'

export interface DiscoverOptions {
  hosts?: string[]
  cidr?: string
  port?: number
  community?: string
  version?: '1' | '2c'
  v3?: SnmpTarget['v3']
  timeoutMs?: number
  retries?: number
  concurrency?: number
  /** Refuse ranges larger than this many addresses (a /20 by default): a typo must not scan a /8. */
  maxHosts?: number
}

export interface Candidate {
  target: SnmpTarget
  profile?: string
  system: SystemInfo
}

/** The host addresses of an IPv4 CIDR (network and broadcast left out below /31). */
export function expandCidr(cidr: string, maxHosts = 4096): string[] {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim())
  if (!match) throw new Error(`"${cidr}" is not an IPv4 CIDR like 192.0.2.0/24`)
  const octets = match.slice(1, 5).map(Number)
  const bits = Number(match[5])
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`"${cidr}" is not a valid IPv4 CIDR`)
  const base = (((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0) & (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0)
  const size = 2 ** (32 - bits)
  const first = size > 2 ? 1 : 0
  const count = size > 2 ? size - 2 : size
  if (count > maxHosts) throw new Error(`${cidr} has ${count} addresses, more than the ${maxHosts} allowed; split it`)
  const hosts: string[] = []
  for (let i = 0; i < count; i++) {
    const n = (base + first + i) >>> 0
    hosts.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`)
  }
  return hosts
}

/**
 * Asks every host for its system group and probes which profile fits. Hosts that do not answer
 * are left out: discovery reports what is there, the poller reports what went away.
 */
export async function discover(options: DiscoverOptions): Promise<Candidate[]> {
  const hosts = [...(options.hosts ?? []), ...(options.cidr ? expandCidr(options.cidr, options.maxHosts) : [])]
  const limit = createLimiter(options.concurrency ?? 64)
  const found = await Promise.all(
    hosts.map((host) =>
      limit(async (): Promise<Candidate | undefined> => {
        const target: SnmpTarget = { host }
        if (options.port !== undefined) target.port = options.port
        if (options.v3) target.v3 = options.v3
        else {
          target.version = options.version ?? '2c'
          target.community = options.community ?? 'public'
        }
        const session = openSession({
          host,
          port: options.port ?? 161,
          version: options.v3 ? '3' : (options.version ?? '2c'),
          community: options.community ?? 'public',
          ...(options.v3 ? { v3: options.v3 } : {}),
          timeoutMs: options.timeoutMs ?? 1000,
          retries: options.retries ?? 0,
        })
        try {
          const system = await readSystem(session)
          const profile = chooseProfile(system, await probe(session, ALL_PROBES))
          const candidate: Candidate = { target, system }
          if (profile) {
            candidate.profile = profile.name
            target.profile = profile.name
          }
          return candidate
        } catch {
          return undefined
        } finally {
          session.close()
        }
      }),
    ),
  )
  return found.filter((c): c is Candidate => c !== undefined)
}
