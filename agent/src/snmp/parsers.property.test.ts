import fc from 'fast-check'
import { isKnownMetric, validateMessage } from '@patrol/shared'
import { describe, expect, it } from 'vitest'
import { SnmpError } from './errors.js'
import { PROFILES } from './profiles/index.js'
import type { SnmpSession, Varbind } from './session.js'
import type { SnmpValue, VarbindMap } from './values.js'
import { walkSubtrees } from './walk.js'
import { pollDevice } from './poll.js'

const NOW = 1_800_000_000_000

const value: fc.Arbitrary<SnmpValue> = fc.oneof(
  fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }).map((v) => ({ kind: 'int' as const, value: v })),
  fc.constantFrom(-3, -2, -1, 0, 1, 100).map((v) => ({ kind: 'int' as const, value: v })),
  fc.nat({ max: 4_294_967_295 }).map((v) => ({ kind: 'unsigned' as const, value: v })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((v) => ({ kind: 'counter64' as const, value: v })),
  fc.uint8Array({ maxLength: 300 }).map((v) => ({ kind: 'octets' as const, value: Buffer.from(v) })),
  fc.string({ maxLength: 40 }).map((v) => ({ kind: 'octets' as const, value: Buffer.from(v) })),
  fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 12 }).map((v) => ({ kind: 'oid' as const, value: v.join('.') })),
  fc.constant({ kind: 'null' as const }),
)

/** OIDs under the subtrees the profiles read, plus some elsewhere: varbinds a broken agent might send. */
const oid: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...PROFILES.flatMap((p) => p.roots)), fc.array(fc.nat({ max: 12 }), { minLength: 0, maxLength: 3 })).map(([root, tail]) => [root, ...tail].join('.')),
  fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 14 }).map((parts) => `1.3.6.1.${parts.join('.')}`),
)

const walked: fc.Arbitrary<VarbindMap> = fc.array(fc.tuple(oid, value), { maxLength: 120 }).map((pairs) => new Map(pairs))

describe('profile parsers on random varbinds', () => {
  for (const profile of PROFILES) {
    it(`${profile.name}: never throws and always builds a message the contract accepts`, () => {
      fc.assert(
        fc.property(walked, walked, fc.option(fc.double({ min: 0, max: 1e9, noNaN: true })), (first, second, uptime) => {
          const system = uptime === null ? {} : { sysUpTimeS: uptime }
          const a = profile.parse(first, { now: NOW, system, previous: undefined })
          const b = profile.parse(second, { now: NOW + 60_000, system, previous: a.state })
          for (const output of [a, b]) {
            const { state: _state, ...parsed } = output
            validateMessage('snmp', {
              v: 1,
              batchId: '8d6f0e2a-6a43-4a63-9d4e-3f0c2b1a9e77',
              deviceId: 'poller-1',
              kind: 'snmp',
              results: [{ target: 'dev-1', host: '127.0.0.1', ts: NOW, status: 'ok', profile: profile.name, ...parsed }],
            })
            for (const point of output.points) {
              expect(Number.isFinite(point.value)).toBe(true)
              expect(isKnownMetric(point.metric), point.metric).toBe(true)
            }
          }
        }),
        { numRuns: 150 },
      )
    })
  }
})

/** A session whose GETBULK answers come from a script, to feed the walk what real agents get wrong. */
function scriptedSession(answers: (oids: string[]) => Varbind[][] | Error): SnmpSession {
  return {
    label: 'scripted:161',
    version: '2c',
    get: () => Promise.reject(new Error('not used')),
    getNext: () => Promise.reject(new Error('not used')),
    getBulk: (oids) => {
      const answer = answers(oids)
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
    },
    close: () => undefined,
  }
}

describe('walkSubtrees on agents that misbehave', () => {
  it('never throws and always ends with data and a clear status, whatever comes back', async () => {
    const varbind = fc.record({ oid, value }).map((vb): Varbind => vb)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.array(varbind, { maxLength: 30 }), { maxLength: 8 }), { minLength: 1, maxLength: 20 }), fc.boolean(), async (script, failAtEnd) => {
        let call = 0
        const session = scriptedSession(() => {
          const answer = script[call++]
          if (answer) return answer
          return failAtEnd ? new SnmpError('timeout', 'scripted: no answer') : []
        })
        const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1', '1.3.6.1.2.1.43.11.1.1'], { maxVarbinds: 500 })
        expect(result.varbinds).toBeInstanceOf(Map)
        if (result.failure) expect(['timeout', 'bad-response', 'error', 'auth-failed']).toContain(result.failure.status)
        expect(result.requests).toBeLessThanOrEqual(script.length + 1)
      }),
      { numRuns: 200 },
    )
  })

  it('stops an agent that answers the same OID forever, with bad-response and the data so far', async () => {
    const session = scriptedSession(() => [[{ oid: '1.3.6.1.2.1.2.2.1.2.1', value: { kind: 'int', value: 1 } }]])
    const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1'])
    expect(result.failure?.status).toBe('bad-response')
    expect(result.failure?.message).toMatch(/does not follow/)
    expect(result.varbinds.size).toBe(1)
  })

  it('keeps what a walk gathered before the agent stopped answering', async () => {
    let call = 0
    const session = scriptedSession(() =>
      call++ === 0
        ? [[{ oid: '1.3.6.1.2.1.2.2.1.2.1', value: { kind: 'int', value: 1 } }, { oid: '1.3.6.1.2.1.2.2.1.2.2', value: { kind: 'int', value: 2 } }]]
        : new SnmpError('timeout', 'scripted: no answer'),
    )
    const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1'])
    expect(result.failure?.status).toBe('timeout')
    expect([...result.varbinds.keys()]).toEqual(['1.3.6.1.2.1.2.2.1.2.1', '1.3.6.1.2.1.2.2.1.2.2'])
  })

  it('ends a subtree at its boundary and at endOfMibView', async () => {
    const session = scriptedSession((oids) =>
      oids.map((o) =>
        o.startsWith('1.3.6.1.2.1.2.2.1')
          ? [{ oid: '1.3.6.1.2.1.2.2.1.1.1', value: { kind: 'int' as const, value: 1 } }, { oid: '1.3.6.1.2.1.2.2.2.1', value: { kind: 'int' as const, value: 9 } }]
          : [{ oid: o, value: { kind: 'null' as const }, missing: 'endOfMibView' as const }],
      ),
    )
    const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1', '1.3.6.1.2.1.99'])
    expect(result.failure).toBeUndefined()
    expect([...result.varbinds.keys()]).toEqual(['1.3.6.1.2.1.2.2.1.1.1'])
    expect(result.requests).toBe(1)
  })

  it('asks again for a subtree an agent left out of a trimmed answer', async () => {
    const rows = (root: string, from: number) => [1, 2].map((i) => ({ oid: `${root}.${from + i}`, value: { kind: 'int' as const, value: i } }))
    let call = 0
    const session = scriptedSession((oids) => {
      call++
      if (call === 1) return [rows('1.3.6.1.2.1.2.2.1.2', 0)] // second subtree left out
      // Like an agent: the next OIDs after each one asked, past the subtree when it is done.
      return oids.map((o) => (o === '1.3.6.1.2.1.2.2.1.3' ? rows(o, 0) : [{ oid: '1.3.6.1.2.1.2.2.1.4.1', value: { kind: 'int' as const, value: 0 } }]))
    })
    const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.3'])
    expect(result.failure).toBeUndefined()
    expect([...result.varbinds.keys()].sort()).toEqual(['1.3.6.1.2.1.2.2.1.2.1', '1.3.6.1.2.1.2.2.1.2.2', '1.3.6.1.2.1.2.2.1.3.1', '1.3.6.1.2.1.2.2.1.3.2'])
  })

  it('asks for fewer repetitions when the agent answers tooBig', async () => {
    const asked: number[] = []
    const session: SnmpSession = {
      ...scriptedSession(() => []),
      getBulk: (oids, repetitions) => {
        asked.push(repetitions)
        if (repetitions > 6) return Promise.reject(new SnmpError('error', 'scripted:161 GETBULK: agent answered with error TooBig'))
        return Promise.resolve(oids.map(() => [{ oid: '1.3.6.1.2.1.2.2.1.2.1', value: { kind: 'int' as const, value: 1 } }, { oid: '1.3.6.1.2.1.2.2.1.3.1', value: { kind: 'int' as const, value: 1 } }]))
      },
    }
    const result = await walkSubtrees(session, ['1.3.6.1.2.1.2.2.1.2'], { maxRepetitions: 25 })
    expect(asked).toEqual([25, 12, 6])
    expect(result.failure).toBeUndefined()
    expect(result.varbinds.size).toBe(1)
  })
})

describe('pollDevice on an agent that answers anything', () => {
  it('never throws, always gives a status, and its result is always valid in the contract', async () => {
    const varbind = fc.record({ oid, value }).map((vb): Varbind => vb)
    const answer = fc.oneof(
      fc.array(varbind, { maxLength: 10 }).map((vbs) => ({ vbs })),
      fc.constantFrom('timeout', 'bad-response', 'auth-failed', 'error').map((status) => ({ status: status as 'timeout' })),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 12 }), fc.boolean(), async (script, withSystem) => {
        let call = 0
        const next = () => script[call++ % script.length]!
        const respond = <T>(shape: (vbs: Varbind[]) => T): Promise<T> => {
          const a = next()
          return 'status' in a ? Promise.reject(new SnmpError(a.status, `scripted:161: ${a.status}`)) : Promise.resolve(shape(a.vbs))
        }
        const session: SnmpSession = {
          label: 'scripted:161',
          version: '2c',
          get: (oids) =>
            withSystem && call === 0
              ? (call++, Promise.resolve(oids.map((o) => ({ oid: o, value: { kind: 'octets' as const, value: Buffer.from('sys') } }))))
              : respond((vbs) => vbs),
          getNext: () => respond((vbs) => vbs),
          getBulk: (oids) => respond((vbs) => oids.map(() => vbs)),
          close: () => undefined,
        }
        const { result } = await pollDevice({ id: 'dev-1', host: '127.0.0.1' }, { open: () => session, now: () => NOW })
        expect(['ok', 'timeout', 'bad-response', 'auth-failed', 'error']).toContain(result.status)
        if (result.status !== 'ok') expect(result.error).toMatch(/\S/)
        validateMessage('snmp', { v: 1, batchId: '8d6f0e2a-6a43-4a63-9d4e-3f0c2b1a9e77', deviceId: 'poller-1', kind: 'snmp', results: [result] })
      }),
      { numRuns: 200 },
    )
  })
})
