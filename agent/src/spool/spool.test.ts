import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Spool } from './spool.js'
import { DiskStore, MemoryStore, type SpoolStore } from './store.js'

const message = (n: number, pad = 0) => ({ n, pad: 'x'.repeat(pad) })

async function drain(spool: Spool): Promise<number[]> {
  const seen: number[] = []
  for (let head = await spool.head(); head; head = await spool.head()) {
    seen.push(head.message.n as number)
    await spool.remove(head.seq)
  }
  return seen
}

const temporaryDirs: string[] = []
afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-spool-'))
  temporaryDirs.push(dir)
  return dir
}

/** The behaviour every store must give the spool; run once per store. */
function spoolContract(name: string, makeStore: () => SpoolStore) {
  describe(`spool contract: ${name}`, () => {
    it('gives messages back in append order, each once', async () => {
      const spool = await Spool.open(makeStore(), { maxBytes: 1_000_000 })
      await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append('metrics', message(i))))
      expect(spool.count).toBe(50)
      expect(await drain(spool)).toEqual(Array.from({ length: 50 }, (_, i) => i))
      expect(spool.count).toBe(0)
      expect(spool.bytes).toBe(0)
    })

    it('keeps the head until it is removed (removal happens only after the PUBACK)', async () => {
      const spool = await Spool.open(makeStore(), { maxBytes: 1_000_000 })
      await spool.append('metrics', message(1))
      await spool.append('event', message(2))
      const first = await spool.head()
      expect(await spool.head()).toEqual(first)
      expect(first?.kind).toBe('metrics')
      await spool.remove(first!.seq)
      expect((await spool.head())?.kind).toBe('event')
    })

    it('drops the oldest when full and counts them until the report is acknowledged', async () => {
      const one = Buffer.byteLength(JSON.stringify({ kind: 'metrics', message: message(0, 100) }))
      const spool = await Spool.open(makeStore(), { maxBytes: one * 3 })
      for (let i = 0; i < 5; i++) await spool.append('metrics', message(i, 100))
      expect(spool.count).toBe(3)
      expect(spool.bytes).toBeLessThanOrEqual(one * 3)
      const report = spool.pendingReport()
      expect(report).toEqual({ dropped: 2 })
      await spool.append('metrics', message(5, 100))
      await spool.acknowledgeReport(report!)
      expect(spool.pendingReport()).toEqual({ dropped: 1 })
      expect(await drain(spool)).toEqual([3, 4, 5])
    })

    it('refuses a message larger than the whole spool instead of emptying it', async () => {
      const spool = await Spool.open(makeStore(), { maxBytes: 200 })
      await spool.append('metrics', message(1))
      await expect(spool.append('metrics', message(2, 500))).rejects.toThrow(/larger than the whole spool/)
      expect(await drain(spool)).toEqual([1])
    })
  })
}

spoolContract('memory store', () => new MemoryStore())
spoolContract('disk store', () => new DiskStore(tempDir()))

describe('disk spool across restarts', () => {
  it('replays what was not acknowledged after a restart, in order, and continues the sequence', async () => {
    const dir = tempDir()
    const first = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    for (let i = 0; i < 5; i++) await first.append('metrics', message(i))
    await first.remove((await first.head())!.seq)
    // "Restart": a new spool on the same folder, the old object simply abandoned.
    const second = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    expect(second.count).toBe(4)
    await second.append('metrics', message(5))
    expect(await drain(second)).toEqual([1, 2, 3, 4, 5])
  })

  it('ignores interrupted writes and skips a corrupt file, counting it as dropped', async () => {
    const dir = tempDir()
    const spool = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    await spool.append('metrics', message(1))
    await spool.append('metrics', message(2))
    writeFileSync(path.join(dir, '0000000000000003.msg.tmp'), '{"kind":"met')
    writeFileSync(path.join(dir, '0000000000000001.msg'), 'garbage')
    const reopened = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false)
    expect(await drain(reopened)).toEqual([2])
    expect(reopened.pendingReport()).toEqual({ dropped: 1 })
  })

  it('keeps the drop count across a restart until reported', async () => {
    const dir = tempDir()
    const spool = await Spool.open(new DiskStore(dir), { maxBytes: 300 })
    for (let i = 0; i < 10; i++) await spool.append('metrics', message(i, 50))
    const dropped = spool.pendingReport()!.dropped
    expect(dropped).toBeGreaterThan(0)
    const reopened = await Spool.open(new DiskStore(dir), { maxBytes: 300 })
    expect(reopened.pendingReport()).toEqual({ dropped })
    await reopened.acknowledgeReport({ dropped })
    expect((await Spool.open(new DiskStore(dir), { maxBytes: 300 })).pendingReport()).toBeUndefined()
  })

  it('makes its folder again when it was removed under the running agent', async () => {
    const dir = path.join(tempDir(), 'spool')
    const spool = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    rmSync(dir, { recursive: true, force: true })
    expect((await spool.append('metrics', message(1))).durable).toBe(true)
    expect(readdirSync(dir)).toEqual(['0000000000000001.msg'])
  })

  it('trims a spool left by a run with a larger bound', async () => {
    const dir = tempDir()
    const big = await Spool.open(new DiskStore(dir), { maxBytes: 1_000_000 })
    for (let i = 0; i < 10; i++) await big.append('metrics', message(i, 50))
    const small = await Spool.open(new DiskStore(dir), { maxBytes: 300 })
    expect(small.bytes).toBeLessThanOrEqual(300)
    expect(small.pendingReport()?.dropped).toBe(10 - small.count)
    const kept = await drain(small)
    expect(kept).toEqual(kept.toSorted((a, b) => a - b))
    expect(kept.at(-1)).toBe(9)
  })
})

/** A store whose writes fail like a full disk until `full` is switched off. */
class FullDisk extends MemoryStore {
  full = true
  override async write(seq: number, data: Buffer) {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    await super.write(seq, data)
  }
  override async writeMeta(text: string) {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    await super.writeMeta(text)
  }
}

describe('disk full (ENOSPC)', () => {
  it('keeps messages in memory, in order, reports the problem once and uses the disk again later', async () => {
    const store = new FullDisk()
    let clock = 0
    const errors: Error[] = []
    const spool = await Spool.open(store, { maxBytes: 1_000_000, storeRetryMs: 1000, now: () => clock, onStoreError: (e) => errors.push(e) })
    expect((await spool.append('metrics', message(1))).durable).toBe(false)
    expect((await spool.append('metrics', message(2))).durable).toBe(false)
    expect(errors).toHaveLength(1)
    expect(spool.pendingReport()?.storeError).toMatch(/^ENOSPC/)
    store.full = false
    expect((await spool.append('metrics', message(3))).durable).toBe(false) // still resting
    clock = 2000
    expect((await spool.append('metrics', message(4))).durable).toBe(true)
    expect(store.entries.size).toBe(1)
    expect(await drain(spool)).toEqual([1, 2, 3, 4])
    await spool.acknowledgeReport(spool.pendingReport()!)
    expect(spool.pendingReport()).toBeUndefined()
  })

  it('bounds what it holds in memory, dropping the oldest', async () => {
    const spool = await Spool.open(new FullDisk(), { maxBytes: 1_000_000, maxMemoryBytes: 400 })
    for (let i = 0; i < 20; i++) await spool.append('metrics', message(i, 50))
    expect(spool.bytes).toBeLessThanOrEqual(400)
    expect(spool.pendingReport()?.dropped).toBe(20 - spool.count)
    expect((await drain(spool)).at(-1)).toBe(19)
  })
})
