/**
 * The hourly rollup the collector keeps where the database has no continuous aggregates: on the
 * plain PostgreSQL server and on the embedded database in a folder (TimescaleDB core only). The
 * reference is an independent grouping of the readings in JavaScript: metric_hourly and the
 * report's bounded source must equal it whatever has been rolled, whatever arrived late, and
 * after retention has removed the raw readings the rollup keeps.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTopic } from '@patrol/shared'
import { Ingest } from '../../collector/src/ingest/ingest.js'
import { IngestStats } from '../../collector/src/ingest/stats.js'
import { IngestWriter } from '../../collector/src/ingest/writer.js'
import { hourlySource } from '../../collector/src/reports/hourly.js'
import { openPglite, openPostgres, type Db } from '../../collector/src/store/db.js'
import { keepsOwnRollup, lateHours, markStaleHours, MARK_AFTER_MS, rollUpHours } from '../../collector/src/store/hourly-rollup.js'
import { Maintenance } from '../../collector/src/store/maintenance.js'
import { migrate } from '../../collector/src/store/migrate.js'
import { IN_CI, requirePeer } from '../support/peers.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const logger = pino({ level: 'silent' })
const retention = { rawRetentionDays: 30, hourlyRetentionDays: 60 }

interface Reading {
  t: number
  device: string
  metric: string
  value: number
}
interface Hour {
  bucket: number
  device: string
  metric: string
  avg: number
  min: number
  max: number
  samples: number
}

/** The independent calculation: readings grouped by UTC hour, device and metric. */
function expectedHours(readings: Reading[], where: (r: Reading) => boolean = () => true): Hour[] {
  const groups = new Map<string, Hour & { sum: number }>()
  for (const r of readings.filter(where)) {
    const bucket = Math.floor(r.t / HOUR) * HOUR
    const key = `${bucket}|${r.device}|${r.metric}`
    const g = groups.get(key) ?? { bucket, device: r.device, metric: r.metric, avg: 0, min: Infinity, max: -Infinity, samples: 0, sum: 0 }
    g.sum += r.value
    g.samples++
    g.min = Math.min(g.min, r.value)
    g.max = Math.max(g.max, r.value)
    groups.set(key, g)
  }
  return [...groups.values()].map(({ sum, ...g }) => ({ ...g, avg: sum / g.samples })).sort(byKey)
}
const byKey = (a: Hour, b: Hour) => a.bucket - b.bucket || a.device.localeCompare(b.device) || a.metric.localeCompare(b.metric)

async function readHours(db: Db, from = 'metric_hourly', where = 'true'): Promise<Hour[]> {
  const { rows } = await db.query<{ bucket: Date; device_id: string; metric: string; avg: number; min: number; max: number; samples: number }>(
    `select bucket, device_id, metric, avg, min, max, samples::int as samples from ${from} where ${where}`,
  )
  return rows.map((r) => ({ bucket: r.bucket.getTime(), device: r.device_id, metric: r.metric, avg: r.avg, min: r.min, max: r.max, samples: r.samples })).sort(byKey)
}

function expectSameHours(actual: Hour[], expected: Hour[]): void {
  expect(actual.map(({ avg: _avg, ...h }) => h)).toEqual(expected.map(({ avg: _avg, ...h }) => h))
  actual.forEach((h, i) => expect(h.avg).toBeCloseTo(expected[i]!.avg, 6))
}

/** Stores readings the way ingest does: in one transaction with the stale marks for late hours. */
async function store(db: Db, readings: Reading[], now = Date.now()): Promise<void> {
  if (!readings.length) return
  await db.transaction(async (tx) => {
    await tx.query(
      `insert into metric_sample (time, device_id, metric, instance, value)
       select to_timestamp(t / 1000.0), d, m, '', v from unnest($1::float8[], $2::text[], $3::text[], $4::float8[]) as u(t, d, m, v)
       on conflict do nothing`,
      [readings.map((r) => r.t), readings.map((r) => r.device), readings.map((r) => r.metric), readings.map((r) => r.value)],
    )
    await markStaleHours(tx, readings.map((r) => r.t), now)
  })
}

const count = async (db: Db, sql: string) => Number((await db.query<{ n: number }>(sql)).rows[0]?.n)

async function reset(db: Db): Promise<void> {
  await db.exec(`delete from metric_sample; delete from metric_hourly_rollup; delete from metric_hourly_stale;
    update metric_hourly_progress set rolled_until = '-infinity'`)
}

interface Engine {
  name: string
  open(): Promise<Db>
  /** Another collector's handle on the same database, where there can be one. */
  second?: (db: Db) => Promise<Db>
  close(db: Db): Promise<void>
}

const engines: Engine[] = []
{
  const dirs: string[] = []
  engines.push({
    name: 'embedded database in a folder (TimescaleDB core)',
    async open() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-rollup-'))
      dirs.push(dir)
      const db = await openPglite({ dataDir: dir })
      await migrate(db)
      return db
    },
    async close(db) {
      await db.close()
      await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
    },
  })
}
const DATABASE_URL = process.env.DATABASE_URL
const server = requirePeer('DATABASE_URL (PostgreSQL server)', Boolean(DATABASE_URL) || !IN_CI, 'set DATABASE_URL')
if (DATABASE_URL && server.available) {
  engines.push({
    name: 'plain PostgreSQL server',
    async open() {
      const schema = `rollup_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`
      const db = await openPostgres({ connectionString: DATABASE_URL, schema })
      await migrate(db)
      ;(db as Db & { schema?: string }).schema = schema
      return db
    },
    async second(db) {
      const other = await openPostgres({ connectionString: DATABASE_URL, schema: (db as Db & { schema?: string }).schema })
      await migrate(other)
      return other
    },
    async close(db) {
      await db.query(`drop schema if exists ${(db as Db & { schema?: string }).schema} cascade`)
      await db.close()
    },
  })
}

describe('which databases keep their own rollup', () => {
  it('TimescaleDB with continuous aggregates does not; metric_hourly there stays the continuous aggregate', async () => {
    const db = await openPglite()
    try {
      await migrate(db)
      expect(keepsOwnRollup(db)).toBe(false)
      expect(await count(db, "select count(*)::int as n from timescaledb_information.continuous_aggregates where view_name = 'metric_hourly'")).toBe(1)
      expect(await count(db, "select (to_regclass('metric_hourly_rollup') is null)::int as n")).toBe(1)
    } finally {
      await db.close()
    }
  })

  it('marks only hours that ended at least a quarter of an hour ago, each once', () => {
    const now = Date.parse('2026-11-23T10:20:00Z')
    const times = [now, now - 10 * 60_000, Date.parse('2026-11-23T09:59:59Z'), Date.parse('2026-11-23T09:00:00Z'), Date.parse('2026-11-23T08:30:00Z'), Date.parse('2026-11-23T08:31:00Z')]
    // 09:00–10:00 ended 20 minutes ago (> 15): marked. 10:00–11:00 has not ended.
    expect(lateHours(times, now)).toEqual([Date.parse('2026-11-23T08:00:00Z'), Date.parse('2026-11-23T09:00:00Z')])
    expect(lateHours(times, Date.parse('2026-11-23T10:10:00Z'))).toEqual([Date.parse('2026-11-23T08:00:00Z')])
    expect(MARK_AFTER_MS).toBe(15 * 60_000)
  })
})

describe.each(engines)('hourly rollup on the $name', (engine) => {
  let db: Db
  beforeAll(async () => {
    db = await engine.open()
  })
  afterAll(async () => {
    if (db) await engine.close(db)
  })

  it('opens with nothing rolled, and metric_hourly is exact from the raw readings', async () => {
    expect(keepsOwnRollup(db)).toBe(true)
    const now = Date.now()
    const readings: Reading[] = [0, 1, 2, 61, 62, 600, 601].map((m, i) => ({ t: now - 3 * DAY + m * 60_000, device: 'pc-1', metric: 'cpu.load_percent', value: i * 10 }))
    await store(db, readings)
    expectSameHours(await readHours(db), expectedHours(readings))
    expect(await count(db, "select count(*)::int as n from metric_hourly_progress where rolled_until = '-infinity'")).toBe(1)
  })

  it('rolls the hours that ended two hours ago, stays exact through late readings, and recomputes them in the next round', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ ageMin: fc.integer({ min: 0, max: 6 * 24 * 60 }), device: fc.constantFrom('pc-1', 'pc-2', 'sw-1'), metric: fc.constantFrom('cpu.load_percent', 'if.in_octets'), value: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.record({ ageMin: fc.integer({ min: 0, max: 6 * 24 * 60 }), device: fc.constantFrom('pc-1', 'pc-2', 'sw-1'), metric: fc.constantFrom('cpu.load_percent', 'if.in_octets'), value: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }), { maxLength: 30 }),
        fc.boolean(),
        async (first, late, rollBetween) => {
          await reset(db)
          const now = Date.now()
          const toReadings = (xs: typeof first): Reading[] => {
            // One reading per device, metric and second, as the unique index keeps.
            const seen = new Map<string, Reading>()
            for (const x of xs) {
              const t = Math.floor((now - x.ageMin * 60_000) / 1000) * 1000
              seen.set(`${x.device}|${x.metric}|${t}`, { t, device: x.device, metric: x.metric, value: x.value })
            }
            return [...seen.values()]
          }
          const a = toReadings(first)
          const keys = new Set(a.map((r) => `${r.device}|${r.metric}|${r.t}`))
          const b = toReadings(late).filter((r) => !keys.has(`${r.device}|${r.metric}|${r.t}`))
          await store(db, a)
          const round1 = await rollUpHours(db, retention)
          expect(round1.skipped).toBeUndefined()
          // Rolling an hour settles its marks: nothing rolled just now is computed a second time.
          expect(round1.recomputedHours).toBe(0)
          const rolledUntil = round1.rolledUntil!.getTime()
          // Rolled up to the start of the hour that contains now − 2 h.
          expect(rolledUntil).toBe(Math.floor((now - 2 * HOUR) / HOUR) * HOUR)
          expectSameHours(await readHours(db), expectedHours(a))
          expectSameHours(await readHours(db, 'metric_hourly_rollup'), expectedHours(a, (r) => r.t < rolledUntil))
          // Readings arrive late, some into hours already rolled: the view is exact before any round.
          await store(db, b)
          expectSameHours(await readHours(db), expectedHours([...a, ...b]))
          const lateRolled = new Set(b.filter((r) => r.t < rolledUntil).map((r) => Math.floor(r.t / HOUR) * HOUR))
          expect(await count(db, `select count(*)::int as n from metric_hourly_stale where bucket < '${new Date(rolledUntil).toISOString()}'`)).toBe(lateRolled.size)
          if (rollBetween) {
            const round2 = await rollUpHours(db, retention)
            expect(round2.recomputedHours).toBe(lateRolled.size)
            expect(await count(db, 'select count(*)::int as n from metric_hourly_stale')).toBe(0)
            expectSameHours(await readHours(db, 'metric_hourly_rollup'), expectedHours([...a, ...b], (r) => r.t < rolledUntil))
          }
          expectSameHours(await readHours(db), expectedHours([...a, ...b]))
          // The report's bounded source agrees with the view for any period.
          const from = new Date(now - 4 * DAY)
          const to = new Date(now - HOUR)
          const source = await hourlySource(db, from, to)
          expect(source).toContain('metric_hourly_rollup')
          // Hours that start in [from, to), as \`bucket >= from and bucket < to\` selects them anywhere.
          const startsIn = (r: Reading) => Math.floor(r.t / HOUR) * HOUR >= from.getTime() && Math.floor(r.t / HOUR) * HOUR < to.getTime()
          expectSameHours(await readHours(db, source), expectedHours([...a, ...b], startsIn))
        },
      ),
      { numRuns: 15, seed: 20261123 },
    )
  }, 120_000)

  it('marks hours through the real ingest path when an agent replays a spool', async () => {
    await reset(db)
    await rollUpHours(db, retention)
    const stats = new IngestStats()
    const writer = new IngestWriter(db, { maxPointsPerFlush: 20_000, copyFromPoints: 2, logger, stats })
    const ingest = new Ingest(writer, { topicPrefix: '', maxPayloadBytes: 1 << 20, clock: { toleranceMs: 120_000, maxAgeMs: 400 * DAY }, logger, stats })
    const base = Math.floor((Date.now() - 3 * DAY) / HOUR) * HOUR
    const send = async (points: { ts: number; value: number }[]) => {
      const message = { v: 1, kind: 'metrics', batchId: randomUUID(), deviceId: 'pc-9', sentAt: Date.now(), points: points.map((p) => ({ ...p, metric: 'cpu.load_percent', instance: '' })) }
      await ingest.handle(buildTopic({ customer: 'acme', site: 'hq', device: 'pc-9', kind: 'metrics' }), Buffer.from(JSON.stringify(message)))
    }
    await send([{ ts: base + 60_000, value: 10 }])
    await rollUpHours(db, retention)
    expect((await readHours(db, 'metric_hourly_rollup'))[0]).toMatchObject({ bucket: base, samples: 1, max: 10 })
    // Three days later the spool arrives: two more readings for the same hour (COPY path).
    await send([{ ts: base + 120_000, value: 30 }, { ts: base + 180_000, value: 50 }])
    await writer.close()
    expect(stats.storedPoints).toBe(3)
    expect(await count(db, `select count(*)::int as n from metric_hourly_stale where bucket = '${new Date(base).toISOString()}'`)).toBe(1)
    expect((await readHours(db))[0]).toMatchObject({ bucket: base, samples: 3, min: 10, max: 50, avg: 30 })
    const round = await rollUpHours(db, retention)
    expect(round.recomputedHours).toBe(1)
    expect((await readHours(db, 'metric_hourly_rollup'))[0]).toMatchObject({ bucket: base, samples: 3, min: 10, max: 50, avg: 30 })
  })

  it('rolls each hour once when two collectors run their rounds at the same time', async () => {
    await reset(db)
    const now = Date.now()
    const readings: Reading[] = Array.from({ length: 400 }, (_, i) => ({ t: now - 3 * DAY + i * 9 * 60_000, device: `pc-${i % 4}`, metric: 'mem.used_percent', value: i % 97 }))
    await store(db, readings)
    // A second collector: its own connection pool on the same schema (or, embedded, the same handle).
    const other = engine.second ? await engine.second(db) : db
    try {
      const rounds = await Promise.all([rollUpHours(db, retention), rollUpHours(other, retention)])
      // Every hourly row written once between them (a second write of a group would count twice).
      expect(rounds.reduce((n, r) => n + r.rolledRows, 0)).toBe(expectedHours(readings).length)
      expectSameHours(await readHours(db), expectedHours(readings))
      expectSameHours(await readHours(db, 'metric_hourly_rollup'), expectedHours(readings, (r) => r.t < Math.floor((now - 2 * HOUR) / HOUR) * HOUR))
    } finally {
      if (other !== db) await other.close()
    }
  })

  it('keeps hourly data after the raw readings are past retention, for as long as hourly retention says', async () => {
    await reset(db)
    const now = Date.now()
    const readings: Reading[] = [1, 40, 70].flatMap((days) => [0, 5].map((m) => ({ t: now - days * DAY + m * 60_000, device: 'ups-1', metric: 'ups.battery_percent', value: days + m })))
    await store(db, readings)
    await rollUpHours(db, retention)
    const report = await new Maintenance(db, { ...retention, compressAfterDays: 7, replayWindowDays: 14, maintenanceIntervalS: 600 }, logger).tick()
    // Raw kept 30 days, hourly 60: the 40-day-old hour survives only in the rollup.
    expect(await count(db, 'select count(*)::int as n from metric_sample')).toBe(2)
    expect(report.rollup?.deletedRows).toBe(1)
    expectSameHours(await readHours(db), expectedHours(readings, (r) => r.t > now - 60 * DAY))
  })
})
