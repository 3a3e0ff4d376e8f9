import { describe, expect, it } from 'vitest'
import type { ProfileContext } from '../profile.js'
import type { SnmpValue, VarbindMap } from '../values.js'
import { counterDelta, parseInterfaces, pollInterval, type SwitchState } from './switch.js'

const T0 = 1_800_000_000_000

describe('counterDelta', () => {
  it.each([
    ['plain increase', 100n, 350n, 32, undefined, 250n],
    ['32-bit wrap', 4_294_967_000n, 704n, 32, undefined, 1000n],
    ['32-bit wrap from the maximum', 4_294_967_295n, 0n, 32, undefined, 1n],
    ['32-bit "wrap" larger than the link allows is a reset', 1_000_000n, 10n, 32, 1_000_000, undefined],
    ['64-bit going down is a reset, never a wrap', 2n ** 64n - 10n, 5n, 64, undefined, undefined],
    ['64-bit increase near the top', 2n ** 64n - 1000n, 2n ** 64n - 1n, 64, undefined, 999n],
    ['increase beyond the link speed is a discontinuity', 0n, 2_000_000n, 64, 1_000_000, undefined],
    ['no previous reading', undefined, 5n, 32, undefined, undefined],
    ['no current reading', 5n, undefined, 32, undefined, undefined],
  ] as const)('%s', (_what, previous, current, bits, max, expected) => {
    expect(counterDelta(previous, current, bits, max)).toBe(expected)
  })
})

describe('pollInterval', () => {
  const previous: SwitchState = { at: T0, uptimeS: 1000, counters: {} }
  it('is the wall-clock time between polls', () => expect(pollInterval(previous, T0 + 60_000, 1060)).toBe(60))
  it('is undefined after an agent restart (sysUpTime went back)', () => expect(pollInterval(previous, T0 + 60_000, 5)).toBeUndefined())
  it('is undefined on the first poll', () => expect(pollInterval(undefined, T0, 5)).toBeUndefined())
})

const c32 = (value: number): SnmpValue => ({ kind: 'unsigned', value })
const c64 = (value: bigint): SnmpValue => ({ kind: 'counter64', value })
const int = (value: number): SnmpValue => ({ kind: 'int', value })

/** One gigabit interface (index 1) with 64-bit counters and one 100 Mbit/s (index 2) with only 32-bit ones. */
function walk(c: { hcIn: bigint; hcOut: bigint; in32: number; out32: number; inErrors: number; outDiscards: number }): VarbindMap {
  return new Map<string, SnmpValue>([
    ['1.3.6.1.2.1.2.2.1.2.1', { kind: 'octets', value: Buffer.from('GigabitEthernet0/1') }],
    ['1.3.6.1.2.1.2.2.1.2.2', { kind: 'octets', value: Buffer.from('FastEthernet0/2') }],
    ['1.3.6.1.2.1.2.2.1.5.1', c32(1_000_000_000)],
    ['1.3.6.1.2.1.2.2.1.5.2', c32(100_000_000)],
    ['1.3.6.1.2.1.2.2.1.7.1', int(1)],
    ['1.3.6.1.2.1.2.2.1.7.2', int(1)],
    ['1.3.6.1.2.1.2.2.1.8.1', int(1)],
    ['1.3.6.1.2.1.2.2.1.8.2', int(2)],
    ['1.3.6.1.2.1.2.2.1.10.2', c32(c.in32)],
    ['1.3.6.1.2.1.2.2.1.14.1', c32(c.inErrors)],
    ['1.3.6.1.2.1.2.2.1.16.2', c32(c.out32)],
    ['1.3.6.1.2.1.2.2.1.19.1', c32(c.outDiscards)],
    ['1.3.6.1.2.1.31.1.1.1.1.1', { kind: 'octets', value: Buffer.from('Gi0/1') }],
    ['1.3.6.1.2.1.31.1.1.1.6.1', c64(c.hcIn)],
    ['1.3.6.1.2.1.31.1.1.1.10.1', c64(c.hcOut)],
  ])
}

function poll(walked: VarbindMap, at: number, uptimeS: number, previous: unknown): ReturnType<typeof parseInterfaces> {
  const ctx: ProfileContext = { now: at, system: { sysUpTimeS: uptimeS }, previous }
  return parseInterfaces(walked, ctx)
}

describe('interface rates between polls', () => {
  const first = poll(walk({ hcIn: 10_000_000_000n, hcOut: 5_000n, in32: 4_294_000_000, out32: 100, inErrors: 10, outDiscards: 0 }), T0, 1000, undefined)

  it('has no rates on the first poll', () => {
    expect(first.points.filter((p) => p.metric !== 'if.oper_up')).toEqual([])
    expect(first.interfaces?.map((i) => i.name)).toEqual(['Gi0/1', 'FastEthernet0/2'])
  })

  it('turns HC octets into bytes per second and error counters into deltas', () => {
    const second = poll(walk({ hcIn: 10_000_000_000n + 6_000_000n, hcOut: 5_000n + 60n, in32: 4_294_000_000, out32: 100, inErrors: 13, outDiscards: 2 }), T0 + 60_000, 1060, first.state)
    const gi = second.interfaces?.[0]
    expect(gi).toMatchObject({ inBytesPerSecond: 100_000, outBytesPerSecond: 1, inErrors: 3, outDiscards: 2 })
  })

  it('counts a 32-bit wrap as traffic, not as a spike or a negative rate', () => {
    const second = poll(walk({ hcIn: 10_000_000_000n, hcOut: 5_000n, in32: 600_000, out32: 100, inErrors: 10, outDiscards: 0 }), T0 + 60_000, 1060, first.state)
    // 4,294,000,000 → wrap at 4,294,967,296 → 600,000: 967,296 + 600,000 bytes in 60 s.
    expect(second.interfaces?.[1]?.inBytesPerSecond).toBe(Math.round(((967_296 + 600_000) / 60) * 10) / 10)
  })

  it('reports no rates and no deltas after an agent restart (sysUpTime went back)', () => {
    const restarted = poll(walk({ hcIn: 1_000n, hcOut: 10n, in32: 5_000, out32: 5, inErrors: 0, outDiscards: 0 }), T0 + 60_000, 30, first.state)
    expect(restarted.points.filter((p) => p.metric !== 'if.oper_up')).toEqual([])
    expect(restarted.interfaces?.[0]?.inBytesPerSecond).toBeUndefined()
    // …and the poll after the restart has rates again, from the new baseline.
    const after = poll(walk({ hcIn: 61_000n, hcOut: 70n, in32: 5_000, out32: 5, inErrors: 0, outDiscards: 0 }), T0 + 120_000, 90, restarted.state)
    expect(after.interfaces?.[0]?.inBytesPerSecond).toBe(1000)
  })

  it('does not spike when a 64-bit counter resets without a restart', () => {
    const reset = poll(walk({ hcIn: 42n, hcOut: 42n, in32: 4_294_000_000, out32: 100, inErrors: 10, outDiscards: 0 }), T0 + 60_000, 1060, first.state)
    expect(reset.interfaces?.[0]?.inBytesPerSecond).toBeUndefined()
    expect(reset.interfaces?.[0]?.outBytesPerSecond).toBeUndefined()
  })

  it('ignores a previous state of the wrong shape', () => {
    const odd = poll(walk({ hcIn: 1n, hcOut: 1n, in32: 1, out32: 1, inErrors: 0, outDiscards: 0 }), T0, 10, { counters: 'nonsense' })
    expect(odd.interfaces?.length).toBe(2)
  })
})
