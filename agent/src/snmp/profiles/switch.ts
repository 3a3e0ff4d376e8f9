import type { InterfaceState, MetricPoint } from '@patrol/shared'
import type { Profile, ProfileContext, ProfileOutput } from '../profile.js'
import { enumName, round, tableRows } from '../table.js'
import { asBigInt, asNumber, asText, type VarbindMap } from '../values.js'

type Interface = InterfaceState & { index: number }

export const OID = {
  ifEntry: '1.3.6.1.2.1.2.2.1', // IF-MIB ifTable (RFC 2863)
  ifXEntry: '1.3.6.1.2.1.31.1.1.1', // IF-MIB ifXTable
} as const

// Only the columns we read: walking whole rows of a 48-port switch would triple the traffic.
const IF_COLUMNS = { descr: 2, type: 3, speed: 5, admin: 7, oper: 8, lastChange: 9, inOctets: 10, inDiscards: 13, inErrors: 14, outOctets: 16, outDiscards: 19, outErrors: 20 }
const IFX_COLUMNS = { name: 1, hcInOctets: 6, hcOutOctets: 10, highSpeed: 15, alias: 18 }

const STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' }
const TWO_32 = 2n ** 32n

/** Counters kept between polls of one device. */
export interface InterfaceCounters {
  inOctets?: bigint
  outOctets?: bigint
  /** Whether the octet counters are the 64-bit HC ones (they never wrap in practice). */
  hc: boolean
  inErrors?: bigint
  outErrors?: bigint
  inDiscards?: bigint
  outDiscards?: bigint
}

export interface SwitchState {
  /** Wall clock of the poll, ms. */
  at: number
  /** sysUpTime at the poll, seconds; going back means the agent restarted and counters reset. */
  uptimeS?: number
  counters: Record<string, InterfaceCounters>
}

/**
 * The increase of a counter between two readings, or undefined when it cannot be trusted.
 * A 32-bit counter that went down wrapped once (the only explanation a correct agent has), so the
 * increase is `2^32 - previous + current`, but only if that increase is possible at all: no more
 * than `maxIncrease` (the link speed times the interval); otherwise it was a reset. A 64-bit
 * counter cannot wrap within a poll interval, so going down is always a reset.
 */
export function counterDelta(previous: bigint | undefined, current: bigint | undefined, bits: 32 | 64, maxIncrease?: number): bigint | undefined {
  if (previous === undefined || current === undefined) return undefined
  if (current >= previous) {
    const delta = current - previous
    if (maxIncrease !== undefined && Number(delta) > maxIncrease) return undefined
    return delta
  }
  if (bits === 64) return undefined
  const wrapped = TWO_32 - previous + current
  if (wrapped < 0n || previous >= TWO_32) return undefined
  if (maxIncrease !== undefined && Number(wrapped) > maxIncrease) return undefined
  return wrapped
}

/** Interval between two polls in seconds, or undefined when the agent restarted in between. */
export function pollInterval(previous: SwitchState | undefined, now: number, uptimeS: number | undefined): number | undefined {
  if (!previous) return undefined
  if (uptimeS !== undefined && previous.uptimeS !== undefined && uptimeS < previous.uptimeS) return undefined
  const seconds = (now - previous.at) / 1000
  return seconds > 0 ? seconds : undefined
}

export function parseInterfaces(walked: VarbindMap, ctx: ProfileContext): ProfileOutput {
  const ts = ctx.now
  const previous = isSwitchState(ctx.previous) ? ctx.previous : undefined
  const uptimeS = ctx.system.sysUpTimeS
  const interval = pollInterval(previous, ts, uptimeS)
  const ifx = new Map(tableRows(walked, OID.ifXEntry).map((row) => [row.index, row]))
  const points: MetricPoint[] = []
  const interfaces: Interface[] = []
  const counters: Record<string, InterfaceCounters> = {}

  for (const row of tableRows(walked, OID.ifEntry)) {
    const index = row.indexParts[0]
    if (index === undefined || !Number.isInteger(index) || row.indexParts.length !== 1) continue
    const x = ifx.get(row.index)
    const get = (c: number) => row.columns.get(c)
    const name = asText(x?.columns.get(IFX_COLUMNS.name)) || asText(get(IF_COLUMNS.descr)) || `if${index}`
    const iface: Interface = {
      index,
      name,
      adminStatus: enumName(STATUS, asNumber(get(IF_COLUMNS.admin))) ?? 'unknown',
      operStatus: enumName(STATUS, asNumber(get(IF_COLUMNS.oper))) ?? 'unknown',
    }
    const alias = asText(x?.columns.get(IFX_COLUMNS.alias))
    if (alias) iface.alias = alias
    const descr = asText(get(IF_COLUMNS.descr))
    if (descr && descr !== name) iface.description = descr
    const type = asNumber(get(IF_COLUMNS.type))
    if (type !== undefined) iface.type = type
    // ifSpeed saturates at 4,294,967,295 bps; above that only ifHighSpeed (Mbit/s) is right.
    const speed = asNumber(get(IF_COLUMNS.speed))
    const highSpeed = asNumber(x?.columns.get(IFX_COLUMNS.highSpeed))
    const speedBps = highSpeed !== undefined && highSpeed > 0 && (speed === undefined || speed >= 4_294_967_295 || highSpeed * 1e6 > speed) ? highSpeed * 1e6 : speed
    if (speedBps !== undefined) iface.speedBps = speedBps
    const lastChange = asNumber(get(IF_COLUMNS.lastChange))
    if (lastChange !== undefined) iface.lastChangeS = lastChange / 100

    const hcIn = asBigInt(x?.columns.get(IFX_COLUMNS.hcInOctets))
    const hcOut = asBigInt(x?.columns.get(IFX_COLUMNS.hcOutOctets))
    const hc = hcIn !== undefined && hcOut !== undefined
    const now: InterfaceCounters = {
      hc,
      inOctets: hc ? hcIn : asBigInt(get(IF_COLUMNS.inOctets)),
      outOctets: hc ? hcOut : asBigInt(get(IF_COLUMNS.outOctets)),
      inErrors: asBigInt(get(IF_COLUMNS.inErrors)),
      outErrors: asBigInt(get(IF_COLUMNS.outErrors)),
      inDiscards: asBigInt(get(IF_COLUMNS.inDiscards)),
      outDiscards: asBigInt(get(IF_COLUMNS.outDiscards)),
    }
    counters[row.index] = now
    const before = previous?.counters[row.index]
    const instance = name
    points.push({ ts, metric: 'if.oper_up', instance, value: iface.operStatus === 'up' ? 1 : 0 })

    // A switch from 32- to 64-bit counters (ifXTable appeared) is a discontinuity, not traffic.
    if (interval !== undefined && before && before.hc === now.hc) {
      const bits = now.hc ? 64 : 32
      // A link cannot carry more than its speed; 10 % slack for clocks that disagree.
      const maxBytes = speedBps ? (speedBps / 8) * interval * 1.1 : undefined
      const inDelta = counterDelta(before.inOctets, now.inOctets, bits, maxBytes)
      const outDelta = counterDelta(before.outOctets, now.outOctets, bits, maxBytes)
      if (inDelta !== undefined) {
        iface.inBytesPerSecond = round(Number(inDelta) / interval, 1)
        points.push({ ts, metric: 'if.in_bytes_per_second', instance, value: iface.inBytesPerSecond })
      }
      if (outDelta !== undefined) {
        iface.outBytesPerSecond = round(Number(outDelta) / interval, 1)
        points.push({ ts, metric: 'if.out_bytes_per_second', instance, value: iface.outBytesPerSecond })
      }
      const deltas = [
        ['inErrors', 'if.in_errors'],
        ['outErrors', 'if.out_errors'],
        ['inDiscards', 'if.in_discards'],
        ['outDiscards', 'if.out_discards'],
      ] as const
      for (const [key, metric] of deltas) {
        // Error counters are Counter32; more errors than packets a link can carry is a reset.
        const maxPackets = speedBps ? (speedBps / 8 / 64) * interval * 1.1 : undefined
        const delta = counterDelta(before[key], now[key], 32, maxPackets)
        if (delta === undefined) continue
        iface[key] = Number(delta)
        points.push({ ts, metric, instance, value: Number(delta) })
      }
    }
    interfaces.push(iface)
  }
  const state: SwitchState = { at: ts, counters }
  if (uptimeS !== undefined) state.uptimeS = uptimeS
  return { interfaces, points, state }
}

function isSwitchState(value: unknown): value is SwitchState {
  return typeof value === 'object' && value !== null && typeof (value as SwitchState).at === 'number' && typeof (value as SwitchState).counters === 'object'
}

const ifRoots = [
  ...Object.values(IF_COLUMNS).map((c) => `${OID.ifEntry}.${c}`),
  ...Object.values(IFX_COLUMNS).map((c) => `${OID.ifXEntry}.${c}`),
]

export const switchProfile: Profile = {
  name: 'switch',
  priority: 10,
  probes: [OID.ifEntry],
  matches: (_system, present) => present.has(OID.ifEntry),
  roots: ifRoots,
  parse: parseInterfaces,
}
