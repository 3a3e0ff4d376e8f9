import { LIMITS } from '@patrol/shared'
import { describe, expect, it } from 'vitest'
import { chunks } from './poller.js'

describe('chunks: results split into messages the collector accepts', () => {
  it('keeps at most maxArrayItems results per message, in order', () => {
    const results = Array.from({ length: 4500 }, (_, i) => ({ i }))
    const split = chunks(results)
    expect(split.map((c) => c.length)).toEqual([LIMITS.maxArrayItems, LIMITS.maxArrayItems, 500])
    expect(split.flat()).toEqual(results)
  })

  it('keeps each message well under the payload limit', () => {
    const big = 'x'.repeat(100_000)
    const split = chunks(Array.from({ length: 12 }, (_, i) => ({ i, big })))
    for (const chunk of split) expect(JSON.stringify(chunk).length).toBeLessThan(LIMITS.maxPayloadBytes)
    expect(split.flat()).toHaveLength(12)
  })

  it('sends nothing for no results and one oversized result on its own', () => {
    expect(chunks([])).toEqual([])
    expect(chunks([{ big: 'x'.repeat(LIMITS.maxPayloadBytes) }])).toHaveLength(1)
  })
})
