/**
 * Store-and-forward. Every uplink message is appended here BEFORE it is published and removed
 * only after the broker's PUBACK, so a reading survives a broker outage, an agent restart and a
 * reboot, and is sent in the order it was taken.
 *
 * Bounded by `maxBytes`: when a new message does not fit, the oldest are dropped and counted;
 * the count survives restarts and is reported (event `agent.spool_dropped`) once connected.
 * When the store cannot write (ENOSPC, EROFS, EACCES...), the message is kept in memory instead
 * (bounded too, `maxMemoryBytes`), the problem is reported once, and the store is tried again a
 * minute later: a full disk costs durability, never the agent.
 */
import type { UplinkKind } from '@patrol/shared'
import type { SpoolStore } from './store.js'

export interface SpooledMessage {
  seq: number
  kind: UplinkKind
  message: Record<string, unknown>
}

export interface SpoolReport {
  /** Messages dropped (oldest first, or unreadable) since the last acknowledged report. */
  dropped: number
  /** The store's last write failure since the last acknowledged report, e.g. "ENOSPC: no space left on device". */
  storeError?: string
}

export interface SpoolOptions {
  maxBytes: number
  /** Bound for messages held in memory while the store cannot write; default min(maxBytes, 4 MiB). */
  maxMemoryBytes?: number
  /** How long to keep away from a store that failed before trying it again. */
  storeRetryMs?: number
  onStoreError?: (error: Error) => void
  now?: () => number
}

interface IndexEntry {
  seq: number
  bytes: number
  /** Present when the store could not take it: kept in memory only. */
  inline?: Buffer
}

interface Meta {
  dropped: number
  storeError?: string
}

export class Spool {
  private readonly index: IndexEntry[] = []
  private nextSeq = 1
  private totalBytes = 0
  private memoryBytes = 0
  private meta: Meta = { dropped: 0 }
  private storeFailedAt: number | undefined
  /** Serialises appends and removals so the index and the store never disagree. */
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: SpoolStore,
    private readonly options: SpoolOptions,
  ) {}

  static async open(store: SpoolStore, options: SpoolOptions): Promise<Spool> {
    if (!(options.maxBytes > 0)) throw new Error(`spool maxBytes must be positive, got ${options.maxBytes}`)
    const spool = new Spool(store, options)
    const entries = (await store.list()).sort((a, b) => a.seq - b.seq)
    for (const entry of entries) {
      spool.index.push({ seq: entry.seq, bytes: entry.bytes })
      spool.totalBytes += entry.bytes
    }
    spool.nextSeq = (entries.at(-1)?.seq ?? 0) + 1
    try {
      const meta = JSON.parse((await store.readMeta()) ?? '{}') as Partial<Meta>
      spool.meta = { dropped: Number.isInteger(meta.dropped) && meta.dropped! > 0 ? meta.dropped! : 0, ...(typeof meta.storeError === 'string' ? { storeError: meta.storeError } : {}) }
    } catch {
      spool.meta = { dropped: 0 }
    }
    // A spool left over from a run with a larger bound: trim it to this run's bound.
    const trimmed = await spool.serial(async () => spool.dropOldestUntil(0))
    if (trimmed) {
      spool.meta.dropped += trimmed
      await spool.saveMeta()
    }
    return spool
  }

  get count(): number {
    return this.index.length
  }

  get bytes(): number {
    return this.totalBytes
  }

  /** Whether a sequence number is still waiting (not removed, not dropped). */
  holds(seq: number): boolean {
    return this.index.some((e) => e.seq === seq)
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Stores the message behind every older one. Resolves with its sequence number once stored. */
  append(kind: UplinkKind, message: Record<string, unknown>): Promise<{ seq: number; durable: boolean }> {
    return this.serial(async () => {
      const data = Buffer.from(JSON.stringify({ kind, message }))
      if (data.length > this.options.maxBytes) {
        throw new Error(`message of ${data.length} bytes is larger than the whole spool (${this.options.maxBytes} bytes)`)
      }
      const seq = this.nextSeq++
      let dropped = this.dropOldestUntil(data.length)
      let durable = false
      if (!this.storeResting()) {
        try {
          await this.store.write(seq, data)
          durable = true
          this.storeFailedAt = undefined
        } catch (error) {
          // Reported once per episode: from the first failure until a write succeeds again.
          if (this.storeFailedAt === undefined) {
            this.meta.storeError = describe(error)
            this.options.onStoreError?.(error as Error)
          }
          this.storeFailedAt = (this.options.now ?? Date.now)()
        }
      }
      if (durable) {
        this.index.push({ seq, bytes: data.length })
      } else {
        const maxMemory = this.options.maxMemoryBytes ?? Math.min(this.options.maxBytes, 4 * 1024 * 1024)
        while (this.memoryBytes + data.length > maxMemory && this.dropOldestInline()) dropped += 1
        this.index.push({ seq, bytes: data.length, inline: data })
        this.memoryBytes += data.length
      }
      this.totalBytes += data.length
      if (dropped) this.meta.dropped += dropped
      if (dropped || !durable) await this.saveMeta()
      return { seq, durable }
    })
  }

  /** The oldest message, or undefined when empty. An unreadable entry is dropped and counted. */
  async head(): Promise<SpooledMessage | undefined> {
    for (;;) {
      const entry = this.index[0]
      if (!entry) return undefined
      try {
        const data = entry.inline ?? (await this.store.read(entry.seq))
        const parsed = JSON.parse(data.toString('utf8')) as { kind?: unknown; message?: unknown }
        if (typeof parsed.kind !== 'string' || typeof parsed.message !== 'object' || parsed.message === null) {
          throw new Error('not a spooled message')
        }
        return { seq: entry.seq, kind: parsed.kind as UplinkKind, message: parsed.message as Record<string, unknown> }
      } catch {
        // Corrupt or vanished: it can never be sent, and must not block the ones behind it.
        await this.remove(entry.seq, { countAsDropped: true })
      }
    }
  }

  /** Removes a message, normally after the broker acknowledged it. */
  remove(seq: number, options: { countAsDropped?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      const at = this.index.findIndex((e) => e.seq === seq)
      if (at < 0) return
      const [entry] = this.index.splice(at, 1)
      this.forget(entry!)
      if (!entry!.inline) await this.store.delete(seq).catch(() => undefined)
      if (options.countAsDropped) {
        this.meta.dropped += 1
        await this.saveMeta()
      }
    })
  }

  /** What to tell the collector: drops and store failures not yet reported. */
  pendingReport(): SpoolReport | undefined {
    if (!this.meta.dropped && !this.meta.storeError) return undefined
    return { dropped: this.meta.dropped, ...(this.meta.storeError ? { storeError: this.meta.storeError } : {}) }
  }

  /** Call once the report reached the broker; drops counted since stay pending. */
  acknowledgeReport(report: SpoolReport): Promise<void> {
    return this.serial(async () => {
      this.meta.dropped = Math.max(0, this.meta.dropped - report.dropped)
      if (this.meta.storeError === report.storeError) delete this.meta.storeError
      await this.saveMeta()
    })
  }

  private storeResting(): boolean {
    if (this.storeFailedAt === undefined) return false
    return (this.options.now ?? Date.now)() - this.storeFailedAt < (this.options.storeRetryMs ?? 60_000)
  }

  /** Drops the oldest entries until `incoming` more bytes fit; returns how many were dropped. */
  private dropOldestUntil(incoming: number): number {
    let dropped = 0
    while (this.index.length && this.totalBytes + incoming > this.options.maxBytes) {
      const entry = this.index.shift()!
      this.forget(entry)
      if (!entry.inline) void this.store.delete(entry.seq).catch(() => undefined)
      dropped += 1
    }
    return dropped
  }

  private dropOldestInline(): boolean {
    const at = this.index.findIndex((e) => e.inline)
    if (at < 0) return false
    this.forget(this.index.splice(at, 1)[0]!)
    return true
  }

  private forget(entry: IndexEntry): void {
    this.totalBytes -= entry.bytes
    if (entry.inline) this.memoryBytes -= entry.bytes
  }

  private async saveMeta(): Promise<void> {
    if (this.storeResting()) return
    await this.store.writeMeta(JSON.stringify(this.meta)).catch(() => undefined)
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  return (e.code ? `${e.code}: ` : '') + (e.message ?? String(error)).replace(/^[A-Z]+: /, '').slice(0, 300)
}
