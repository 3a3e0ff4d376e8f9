/**
 * Brings a database up to the newest schema. Detects TimescaleDB (creating the extension where
 * the server has it), runs each pending migration in its own transaction under an advisory lock
 * (several collectors may start at once), and records it. A failed migration throws: a collector
 * never runs on a half-migrated schema.
 */
import type { Db } from './db.js'
import { gatedSql, MIGRATIONS, type Features, type Migration } from './migrations/index.js'

const LOCK_KEY = 7_201_926 // arbitrary, constant: "patrol migrations"

export async function detectTimescale(db: Db): Promise<boolean> {
  const available = await db.query<{ n: number }>("select count(*)::int as n from pg_available_extensions where name = 'timescaledb'")
  if (!available.rows[0]?.n) return false
  try {
    await db.query('create extension if not exists timescaledb')
  } catch {
    // present but not loadable (not in shared_preload_libraries): run as plain PostgreSQL
    return false
  }
  const installed = await db.query<{ n: number }>("select count(*)::int as n from pg_extension where extname = 'timescaledb'")
  return Boolean(installed.rows[0]?.n)
}

export function featuresOf(db: Db): Features {
  if (!db.timescale) return 'plain'
  return db.engine === 'pglite' && db.persistent ? 'timescale-core' : 'timescale'
}

export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<{ applied: number[]; timescale: boolean; features: Features }> {
  db.timescale = await detectTimescale(db)
  const features = featuresOf(db)
  const applied: number[] = []
  const lock = db.engine === 'postgres'
  if (lock) await db.query('select pg_advisory_lock($1)', [LOCK_KEY])
  try {
    await db.query(`create table if not exists schema_migration (
      id integer primary key, name text not null, applied_at timestamptz not null default now(), features text not null)`)
    const done = new Set((await db.query<{ id: number }>('select id from schema_migration')).rows.map((r) => r.id))
    for (const migration of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(migration.id)) continue
      try {
        await db.transaction(async (tx) => {
          for (const sql of gatedSql(migration, features)) await tx.exec(sql)
          await tx.query('insert into schema_migration (id, name, features) values ($1, $2, $3)', [migration.id, migration.name, features])
        })
      } catch (error) {
        throw new Error(`migration ${migration.id} (${migration.name}) failed: ${(error as Error).message}`, { cause: error })
      }
      applied.push(migration.id)
    }
  } finally {
    if (lock) await db.query('select pg_advisory_unlock($1)', [LOCK_KEY])
  }
  return { applied, timescale: db.timescale, features }
}
