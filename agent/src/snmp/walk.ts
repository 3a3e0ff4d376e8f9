import { SnmpError } from './errors.js'
import type { SnmpSession, Varbind } from './session.js'
import { compareOids, isUnder, normaliseOid, type VarbindMap } from './values.js'

export interface WalkOptions {
  /** GETBULK max-repetitions per subtree in one request. */
  maxRepetitions?: number
  /** How many subtrees share one GETBULK; their answers come back in one datagram. */
  subtreesPerRequest?: number
  /** Hard cap on varbinds per device, so an agent that never ends its walk cannot hold us. */
  maxVarbinds?: number
}

export interface WalkResult {
  varbinds: VarbindMap
  /** Set when the walk stopped early; the varbinds gathered before are still there. */
  failure?: SnmpError
  requests: number
}

interface Cursor {
  root: string
  last: string
}

/**
 * Walks several subtrees at once: each GETBULK carries the next OID of up to `subtreesPerRequest`
 * unfinished subtrees, which is how a table of many columns comes back in few round trips.
 * SNMPv1 has no GETBULK, so there it is GETNEXT per subtree. A subtree ends at its boundary,
 * at endOfMibView, or when the agent answers an OID that does not increase (a looping agent);
 * a failure mid-walk keeps what was gathered and says why it stopped.
 */
export async function walkSubtrees(session: SnmpSession, roots: string[], options: WalkOptions = {}): Promise<WalkResult> {
  const maxRepetitions = options.maxRepetitions ?? 25
  const perRequest = options.subtreesPerRequest ?? 8
  const maxVarbinds = options.maxVarbinds ?? 50_000
  const varbinds: VarbindMap = new Map()
  let requests = 0
  const pending: Cursor[] = dedupeRoots(roots.map(normaliseOid)).map((root) => ({ root, last: root }))

  /** Takes one answered varbind for a cursor; returns false when that subtree is finished. */
  const accept = (cursor: Cursor, vb: Varbind): boolean => {
    if (vb.missing || !isUnder(vb.oid, cursor.root)) return false
    if (compareOids(vb.oid, cursor.last) <= 0) {
      throw new SnmpError('bad-response', `${session.label} walk of ${cursor.root}: OID ${vb.oid} does not follow ${cursor.last} (agent loops)`)
    }
    cursor.last = vb.oid
    varbinds.set(vb.oid, vb.value)
    if (varbinds.size > maxVarbinds) throw new SnmpError('bad-response', `${session.label} walk of ${cursor.root}: more than ${maxVarbinds} varbinds, stopped`)
    return true
  }

  try {
    if (session.version === '1') {
      for (const cursor of pending) {
        for (;;) {
          requests++
          let answer: Varbind[]
          try {
            answer = await session.getNext([cursor.last])
          } catch (error) {
            // v1 ends a walk past the last OID with a noSuchName error, not endOfMibView.
            if (error instanceof SnmpError && error.status === 'error' && /NoSuchName/i.test(error.message)) break
            throw error
          }
          const vb = answer[0]
          if (!vb || !accept(cursor, vb)) break
        }
      }
    } else {
      let active = pending
      let repetitions = maxRepetitions
      let width = perRequest
      while (active.length > 0) {
        const batch = active.slice(0, width)
        requests++
        let answer: Varbind[][]
        try {
          answer = await session.getBulk(
            batch.map((c) => c.last),
            repetitions,
          )
        } catch (error) {
          // tooBig: the answer would not fit the agent's message size. Ask for less and go on.
          if (error instanceof SnmpError && /TooBig/i.test(error.message) && (repetitions > 1 || width > 1)) {
            repetitions = Math.max(1, repetitions >> 1)
            width = Math.max(1, width >> 1)
            continue
          }
          throw error
        }
        const finished = new Set<Cursor>()
        let progressed = false
        batch.forEach((cursor, i) => {
          // An agent that trims a big answer may leave later subtrees without a varbind: ask again.
          const column = answer[i] ?? []
          for (const vb of column) {
            if (!accept(cursor, vb)) {
              finished.add(cursor)
              break
            }
            progressed = true
          }
        })
        // Nothing new at all: the agent has nothing more to say for any of these subtrees.
        if (!progressed) batch.forEach((cursor) => finished.add(cursor))
        active = active.filter((c) => !finished.has(c))
      }
    }
  } catch (error) {
    const failure = error instanceof SnmpError ? error : new SnmpError('error', `${session.label} walk: ${(error as Error)?.message ?? String(error)}`)
    return { varbinds, failure, requests }
  }
  return { varbinds, requests }
}

/** Drops a root that lies inside another root: walking it twice would only duplicate work. */
export function dedupeRoots(roots: string[]): string[] {
  const sorted = [...new Set(roots)].sort(compareOids)
  const kept: string[] = []
  for (const root of sorted) {
    const parent = kept[kept.length - 1]
    if (parent && isUnder(root, parent)) continue
    kept.push(root)
  }
  return kept
}
