/**
 * Where spooled messages live. The spool's logic (order, size bound, drop accounting, what to
 * do when the disk is full) is in spool.ts and the same for every store; a store only keeps
 * numbered blobs. The disk store is what the agent runs with; the memory store serves tests
 * and `agent collect`, and shows the contract in ten lines.
 */
import { constants } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface StoredEntry {
  seq: number
  bytes: number
}

export interface SpoolStore {
  /** Entries present at start-up, in any order; leftovers of interrupted writes are cleaned up. */
  list(): Promise<StoredEntry[]>
  /** Durable once resolved: survives a crash or power loss right after. */
  write(seq: number, data: Buffer): Promise<void>
  read(seq: number): Promise<Buffer>
  delete(seq: number): Promise<void>
  /** A small side record (the drop counters) that must survive restarts too. */
  readMeta(): Promise<string | undefined>
  writeMeta(text: string): Promise<void>
}

export class MemoryStore implements SpoolStore {
  readonly entries = new Map<number, Buffer>()
  meta: string | undefined
  async list() {
    return [...this.entries].map(([seq, data]) => ({ seq, bytes: data.length }))
  }
  async write(seq: number, data: Buffer) {
    this.entries.set(seq, data)
  }
  async read(seq: number) {
    const data = this.entries.get(seq)
    if (!data) throw new Error(`spool entry ${seq} is missing`)
    return data
  }
  async delete(seq: number) {
    this.entries.delete(seq)
  }
  async readMeta() {
    return this.meta
  }
  async writeMeta(text: string) {
    this.meta = text
  }
}

const SEQ_DIGITS = 16
const ENTRY_NAME = /^(\d{16})\.msg$/

/**
 * One file per message, named by a zero-padded sequence number so a directory listing sorts in
 * send order. Each file is written to a temporary name, fsync'd, then renamed, and the directory
 * fsync'd: after a crash a file is either complete or absent, never half-written.
 */
export class DiskStore implements SpoolStore {
  constructor(readonly dir: string) {}

  private file(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(SEQ_DIGITS, '0')}.msg`)
  }

  async list(): Promise<StoredEntry[]> {
    await mkdir(this.dir, { recursive: true })
    const entries: StoredEntry[] = []
    for (const dirent of await readdir(this.dir, { withFileTypes: true })) {
      if (!dirent.isFile()) continue
      if (dirent.name.endsWith('.tmp')) {
        // A write that was interrupted before its rename: never acknowledged as stored.
        await unlink(path.join(this.dir, dirent.name)).catch(() => undefined)
        continue
      }
      const match = ENTRY_NAME.exec(dirent.name)
      if (!match) continue
      const handle = await open(path.join(this.dir, dirent.name), 'r')
      try {
        entries.push({ seq: Number(match[1]), bytes: (await handle.stat()).size })
      } finally {
        await handle.close()
      }
    }
    return entries
  }

  async write(seq: number, data: Buffer): Promise<void> {
    const target = this.file(seq)
    try {
      await this.writeDurably(target, data)
    } catch (error) {
      // The folder was removed under a running agent (a clean-up script): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await mkdir(this.dir, { recursive: true })
      await this.writeDurably(target, data)
    }
  }

  private async writeDurably(target: string, data: Buffer | string): Promise<void> {
    const temporary = `${target}.tmp`
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } catch (error) {
      await handle.close().catch(() => undefined)
      await unlink(temporary).catch(() => undefined)
      throw error
    }
    await handle.close()
    await rename(temporary, target)
    await this.syncDirectory()
  }

  private async syncDirectory(): Promise<void> {
    // Makes the rename itself durable. Windows cannot open a directory for fsync; NTFS journals
    // the rename, so skipping it there is fine.
    if (process.platform === 'win32') return
    const handle = await open(this.dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }

  read(seq: number): Promise<Buffer> {
    return readFile(this.file(seq))
  }

  async delete(seq: number): Promise<void> {
    await unlink(this.file(seq)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
  }

  async readMeta(): Promise<string | undefined> {
    try {
      return await readFile(path.join(this.dir, 'spool-meta.json'), 'utf8')
    } catch {
      return undefined
    }
  }

  async writeMeta(text: string): Promise<void> {
    await writeFile(path.join(this.dir, 'spool-meta.json'), text, { mode: 0o600 })
  }
}
