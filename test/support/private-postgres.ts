/**
 * A private PostgreSQL 15 cluster in a temp folder on a free loopback port, for tests and
 * benchmarks that stop, restart or make read-only the database (the system PostgreSQL on 5432 is
 * shared by every suite and must never be touched that way). initdb + pg_ctl from the Debian
 * packages; as root they run as the postgres user, who owns the folder. `close()` stops it
 * (immediate mode) and removes the folder.
 */
import { execFile } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort, requirePeer, tcpReachable, waitFor, type Peer } from './peers.js'

const run = promisify(execFile)
const BIN = process.env.PATROL_PG_BIN ?? '/usr/lib/postgresql/15/bin'
const isRoot = process.getuid?.() === 0

export function privatePostgresPeer(): Peer {
  return requirePeer('PostgreSQL server binaries (initdb, pg_ctl)', existsSync(path.join(BIN, 'initdb')) && existsSync(path.join(BIN, 'pg_ctl')), 'apt-get install -y postgresql-15')
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('no postgres user on this machine')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

export class PrivatePostgres {
  private readonly dir: string
  private readonly data: string
  private running = false

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-pg-'))
    this.data = path.join(this.dir, 'data')
  }

  /** postgres://postgres@127.0.0.1:port/postgres (trust authentication on loopback). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`
  }

  static async start(): Promise<PrivatePostgres> {
    const server = new PrivatePostgres(await freePort())
    try {
      await server.init()
      await server.start()
    } catch (error) {
      await server.close()
      throw error
    }
    return server
  }

  private async asPostgres(command: string, args: string[]): Promise<string> {
    const full = path.join(BIN, command)
    const { stdout } = isRoot ? await run('runuser', ['-u', 'postgres', '--', full, ...args], { cwd: this.dir }) : await run(full, args, { cwd: this.dir })
    return stdout
  }

  private async init(): Promise<void> {
    if (isRoot) {
      const { uid, gid } = postgresIds()
      chownSync(this.dir, uid, gid)
    }
    chmodSync(this.dir, 0o700)
    await this.asPostgres('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'])
    // Small and fast: a test database, on loopback only, with the socket in the private folder.
    writeFileSync(
      path.join(this.data, 'postgresql.auto.conf'),
      [`listen_addresses = '127.0.0.1'`, `port = ${this.port}`, `unix_socket_directories = '${this.dir}'`, 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 50', 'shared_buffers = 32MB', ''].join('\n'),
      { flag: 'a' },
    )
  }

  async start(): Promise<void> {
    if (this.running) return
    await this.asPostgres('pg_ctl', ['-D', this.data, '-l', path.join(this.dir, 'log'), '-w', '-t', '30', 'start'])
    this.running = true
    await waitFor(() => this.answers(), { timeoutMs: 15_000, intervalMs: 50, what: `private PostgreSQL on ${this.port}` })
  }

  /** Stops the server (fast mode: sessions are cut off, like a crash seen from the client). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running) return
    await this.asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '30', 'stop'])
    this.running = false
    await waitFor(async () => !(await tcpReachable('127.0.0.1', this.port, 200)), { timeoutMs: 10_000, intervalMs: 50, what: 'private PostgreSQL port closed' })
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** New transactions are read-only (ALTER SYSTEM + reload): writes fail with 25006. */
  async setReadOnly(on: boolean): Promise<void> {
    await this.sql(`alter system set default_transaction_read_only = ${on ? 'on' : 'off'}`)
    await this.sql('select pg_reload_conf()')
    // The reload is asynchronous: wait until a fresh session sees it.
    await waitFor(async () => (await this.sql<{ v: string }>("select current_setting('default_transaction_read_only') as v"))[0]?.v === (on ? 'on' : 'off'), { timeoutMs: 10_000, intervalMs: 50, what: `read-only ${on}` })
  }

  /** One statement on a fresh connection. */
  async sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url })
    await client.connect()
    try {
      const result = await client.query<T>(text, params)
      return result.rows
    } finally {
      await client.end()
    }
  }

  private async answers(): Promise<boolean> {
    try {
      await this.sql('select 1')
      return true
    } catch {
      return false
    }
  }

  async close(): Promise<void> {
    try {
      if (this.running || existsSync(path.join(this.data, 'postmaster.pid'))) {
        this.running = true
        await this.stop('immediate')
      }
    } catch {
      // already gone
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}
