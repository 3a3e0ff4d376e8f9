/**
 * Storage on each engine: migrations, the time_bucket shim against TimescaleDB's own, and
 * maintenance in each of its modes (policies run here, drop_chunks on a reopened embedded
 * database, deletes on plain PostgreSQL).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { openPglite, openPostgres, type Db } from '../../collector/src/store/db.js'
import { Maintenance, applyTimescalePolicies, maintenanceMode } from '../../collector/src/store/maintenance.js'
import { migrate } from '../../collector/src/store/migrate.js'
import { createSession } from '../../collector/src/auth/sessions.js'
import { createUser } from '../../collector/src/auth/users.js'
import { core } from '../../collector/src/store/migrations/001-core.js'
import { MIGRATIONS } from '../../collector/src/store/migrations/index.js'
import { IN_CI, requirePeer } from '../support/peers.js'

const settings = { rawRetentionDays: 30, hourlyRetentionDays: 60, compressAfterDays: 7, replayWindowDays: 14, maintenanceIntervalS: 3600 }
const logger = pino({ level: 'silent' })

async function seed(db: Db, device: string, ages: number[]) {
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select now() - make_interval(days => d), $1, 'cpu.load_percent', '', d from unnest($2::int[]) d`,
    [device, ages],
  )
}
const count = async (db: Db, sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params)).rows[0]?.n)

describe('embedded PGlite with TimescaleDB', () => {
  it('migrates once, and its time_bucket shim for plain PostgreSQL agrees with TimescaleDB', async () => {
    const db = await openPglite()
    try {
      expect(await migrate(db)).toMatchObject({ applied: MIGRATIONS.map((m) => m.id), timescale: true, features: 'timescale' })
      expect(await migrate(db)).toMatchObject({ applied: [] })
      await db.exec(core.plain!.replace('function time_bucket(', 'function shim_time_bucket('))
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: Date.UTC(2001, 0, 1), max: Date.UTC(2099, 0, 1) }),
          fc.constantFrom('1 minute', '5 minutes', '15 minutes', '1 hour', '6 hours', '1 day', '7 days'),
          async (ms, width) => {
            const { rows } = await db.query<{ ts: Date; shim: Date }>('select time_bucket($1::interval, to_timestamp($2 / 1000.0)) as ts, shim_time_bucket($1::interval, to_timestamp($2 / 1000.0)) as shim', [width, ms])
            expect(rows[0]!.shim.getTime()).toBe(rows[0]!.ts.getTime())
          },
        ),
        { numRuns: 200 },
      )
    } finally {
      await db.close()
    }
  })

  it('runs compression, retention and aggregate policies itself, as PGlite has no background workers', async () => {
    const db = await openPglite()
    try {
      await migrate(db)
      expect(maintenanceMode(db)).toBe('policies-run-here')
      await applyTimescalePolicies(db, settings)
      await seed(db, 'pc-1', [0, 1, 2, 10, 11, 12, 45, 50])
      const report = await new Maintenance(db, settings, logger).tick()
      expect(report.ranJobs.length).toBeGreaterThanOrEqual(4)
      // Older than 30 days dropped; older than 7 days compressed and still readable.
      // Read row by row: this PGlite build's vectorised count(*)::int over compressed chunks counts
      // only the uncompressed rows (3 here), a quirk of the build, and one more reason the embedded
      // database never compresses.
      const values = (await db.query<{ value: number }>('select value from metric_sample order by time')).rows.map((r) => r.value)
      expect(values).toEqual([12, 11, 10, 2, 1, 0])
      expect(await count(db, "select count(*)::int as n from timescaledb_information.chunks where hypertable_name = 'metric_sample' and is_compressed")).toBeGreaterThan(0)
      expect(await count(db, "select sum(samples)::int as n from metric_hourly where device_id = 'pc-1'")).toBe(6)
    } finally {
      await db.close()
    }
  })

  it('deletes ended sign-in sessions in its round and keeps the live ones', async () => {
    const db = await openPglite()
    try {
      await migrate(db)
      const user = await createUser(db, { username: 'maint-user', password: 'a long enough password', role: 'engineer' })
      const policy = { idleMinutes: 60, maxHours: 24 }
      await createSession(db, user.id, policy)
      await createSession(db, user.id, policy)
      await db.query("update user_session set expires_at = now() - interval '1 minute' where ctid = (select ctid from user_session limit 1)")
      const report = await new Maintenance(db, settings, logger).tick()
      expect(report.deleted.user_session).toBe(1)
      expect(await count(db, 'select count(*)::int as n from user_session where expires_at > now()')).toBe(1)
      expect(await count(db, 'select count(*)::int as n from user_session')).toBe(1)
    } finally {
      await db.close()
    }
  })

  it('keeps taking readings after the database folder is reopened, and drops old chunks without TSL', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-pglite-'))
    try {
      let db = await openPglite({ dataDir: dir })
      expect(await migrate(db)).toMatchObject({ features: 'timescale-core' })
      await seed(db, 'pc-1', [0, 40])
      await db.close()
      db = await openPglite({ dataDir: dir })
      await migrate(db)
      expect(maintenanceMode(db)).toBe('drop-chunks')
      await seed(db, 'pc-2', [0, 1])
      const report = await new Maintenance(db, settings, logger).tick()
      expect(report.deleted['metric_sample chunks']).toBeGreaterThanOrEqual(1)
      expect(await count(db, 'select count(*)::int as n from metric_sample')).toBe(3)
      expect(await count(db, 'select sum(samples)::int as n from metric_hourly')).toBe(3)
      await db.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

const DATABASE_URL = process.env.DATABASE_URL
const server = requirePeer('DATABASE_URL (PostgreSQL server)', Boolean(DATABASE_URL) || !IN_CI, 'set DATABASE_URL')
describe.skipIf(!DATABASE_URL || !server.available)('plain PostgreSQL server', () => {
  const schema = `store_${Date.now().toString(36)}`
  let db: Db
  afterAll(async () => {
    await db?.query(`drop schema if exists ${schema} cascade`)
    await db?.close()
  })

  it('migrates without TimescaleDB and does retention itself, once even with two collectors', async () => {
    db = await openPostgres({ connectionString: DATABASE_URL!, schema })
    const other = await openPostgres({ connectionString: DATABASE_URL!, schema })
    try {
      const [a, b] = await Promise.all([migrate(db), migrate(other)])
      expect([...a.applied, ...b.applied].sort()).toEqual(MIGRATIONS.map((m) => m.id).sort())
      expect(a.features).toBe('plain')
      expect(maintenanceMode(db)).toBe('delete')
      await seed(db, 'pc-1', [0, 1, 40, 41])
      await db.query("insert into ingested_batch (batch_id, device_id, kind, rows, received_at) values ('00000000-0000-4000-8000-000000000009', 'pc-1', 'metrics', 1, now() - interval '20 days')")
      const reports = await Promise.all([new Maintenance(db, settings, logger).tick(), new Maintenance(other, settings, logger).tick()])
      const deleted = reports.reduce((sum, r) => sum + (r.deleted.metric_sample ?? 0), 0)
      expect(deleted).toBe(2)
      expect(await count(db, 'select count(*)::int as n from metric_sample')).toBe(2)
      expect(await count(db, 'select count(*)::int as n from ingested_batch')).toBe(0)
      expect(await count(db, "select sum(samples)::int as n from metric_hourly where device_id = 'pc-1'")).toBe(2)
    } finally {
      await other.close()
    }
  })
})
