/**
 * The statements one flush runs, in order, inside one transaction. Sets of rows travel as arrays
 * (unnest) or as one JSON document (jsonb_to_recordset), so a flush is a handful of round trips
 * whatever its size. All of it runs unchanged on PostgreSQL, TimescaleDB and the embedded PGlite.
 */
import type { Queryable } from '../store/db.js'
import type { FlushRows, PointColumns } from './rows.js'

export async function claimBatches(
  tx: Queryable,
  batches: { batchId: string; deviceId: string; kind: string; rows: number; clockOffsetMs: number | null }[],
): Promise<Set<string>> {
  const { rows } = await tx.query<{ batch_id: string }>(
    `insert into ingested_batch (batch_id, device_id, kind, rows, clock_offset_ms)
     select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[])
     on conflict (batch_id) do nothing
     returning batch_id`,
    [batches.map((b) => b.batchId), batches.map((b) => b.deviceId), batches.map((b) => b.kind), batches.map((b) => b.rows), batches.map((b) => b.clockOffsetMs)],
  )
  return new Set(rows.map((r) => r.batch_id.toLowerCase()))
}

export async function upsertDevices(tx: Queryable, devices: FlushRows['devices']): Promise<void> {
  if (!devices.length) return
  await tx.query(
    `insert into device (id, customer, site, kind, hostname, last_seen, producer, report_interval_s, clock_offset_ms)
     select id, customer, site, kind, hostname, to_timestamp(last_seen / 1000.0), producer, interval_s, clock_offset_ms
     from jsonb_to_recordset($1::jsonb) as x(id text, customer text, site text, kind text, hostname text, last_seen float8, producer text, interval_s int, clock_offset_ms bigint)
     on conflict (id) do update set
       last_seen = greatest(device.last_seen, excluded.last_seen),
       hostname = coalesce(excluded.hostname, device.hostname),
       producer = coalesce(excluded.producer, device.producer),
       report_interval_s = coalesce(excluded.report_interval_s, device.report_interval_s),
       clock_offset_ms = coalesce(excluded.clock_offset_ms, device.clock_offset_ms)`,
    [JSON.stringify(devices.map((d) => ({ id: d.id, customer: d.customer, site: d.site, kind: d.kind, hostname: d.hostname, last_seen: d.lastSeen, producer: d.producer, interval_s: d.intervalS, clock_offset_ms: d.clockOffsetMs })))],
  )
}

export async function applyStatuses(tx: Queryable, statuses: FlushRows['statuses'], alive: FlushRows['alive']): Promise<void> {
  if (statuses.length) {
    const json = JSON.stringify(statuses)
    await tx.query(
      `insert into device_status_change (time, device_id, state, reason)
       select to_timestamp(ts / 1000.0), device_id, state, reason from jsonb_to_recordset($1::jsonb) as x(device_id text, ts float8, state text, reason text)`,
      [json],
    )
    await tx.query(
      `update device d set status = x.state, status_reason = x.reason, status_changed_at = to_timestamp(x.ts / 1000.0)
       from jsonb_to_recordset($1::jsonb) as x(device_id text, ts float8, state text, reason text)
       where d.id = x.device_id and (d.status_changed_at is null or d.status_changed_at <= to_timestamp(x.ts / 1000.0))`,
      [json],
    )
  }
  if (alive.length) {
    await tx.query(
      `with changed as (
         update device d set status = 'online', status_reason = 'data', status_changed_at = to_timestamp(x.ts / 1000.0)
         from jsonb_to_recordset($1::jsonb) as x(device_id text, ts float8)
         where d.id = x.device_id and d.status <> 'online'
           and (d.status_changed_at is null or d.status_changed_at < to_timestamp(x.ts / 1000.0))
         returning d.id, d.status_changed_at
       )
       insert into device_status_change (time, device_id, state, reason) select status_changed_at, id, 'online', 'data' from changed`,
      [JSON.stringify(alive)],
    )
  }
}

const INSERT_POINTS = `insert into metric_sample (time, device_id, metric, instance, value)
  select to_timestamp(t / 1000.0), d, m, i, v from unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::float8[]) as u(t, d, m, i, v)
  on conflict do nothing`

/** COPY's text format: backslash, tab, newline and carriage return are escaped. */
export function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
}

function* copyLines(points: PointColumns): Generator<string> {
  const chunk: string[] = []
  // The points of one agent cycle share a time: format each time once.
  const iso = new Map<number, string>()
  const isoOf = (t: number) => {
    let s = iso.get(t)
    if (s === undefined) iso.set(t, (s = new Date(t).toISOString()))
    return s
  }
  for (let i = 0; i < points.time.length; i++) {
    chunk.push(`${isoOf(points.time[i]!)}\t${copyText(points.device[i]!)}\t${copyText(points.metric[i]!)}\t${copyText(points.instance[i]!)}\t${points.value[i]!}\n`)
    if (chunk.length === 1000) {
      yield chunk.join('')
      chunk.length = 0
    }
  }
  if (chunk.length) yield chunk.join('')
}

export interface PointWriteOptions {
  /** Use COPY (where the engine has it) from this many points; below it INSERT … unnest. */
  copyFromPoints: number
}

/**
 * COPY is about twice as fast as INSERT … unnest on PostgreSQL but cannot skip a reading that is
 * already stored; the caller retries a flush that hit the unique index with `useCopy: false`.
 */
export async function insertPoints(tx: Queryable, points: PointColumns, useCopy: boolean): Promise<void> {
  if (!points.time.length) return
  if (useCopy && tx.copyIn) {
    await tx.copyIn('copy metric_sample (time, device_id, metric, instance, value) from stdin', copyLines(points))
    return
  }
  await tx.query(INSERT_POINTS, [points.time, points.device, points.metric, points.instance, points.value])
}

/**
 * Newest value per metric and instance, kept on the device row for the API (a cache: the
 * readings themselves are in metric_sample). Per key, a value replaces the stored one only if it
 * is at least as new, so a late replay or another collector never hides a newer value.
 */
export async function mergeLatest(tx: Queryable, latest: FlushRows['latest']): Promise<void> {
  const devices = Object.keys(latest).filter((id) => Object.keys(latest[id]!).length).sort()
  if (!devices.length) return
  await tx.query(
    `update device d set latest = d.latest || coalesce((
       select jsonb_object_agg(n.key, n.value) from jsonb_each(u.j) n
       where not (d.latest ? n.key) or (d.latest -> n.key ->> 0)::float8 <= (n.value ->> 0)::float8
     ), '{}'::jsonb)
     from jsonb_each($1::jsonb) as u(id, j)
     where d.id = u.id`,
    [JSON.stringify(Object.fromEntries(devices.map((id) => [id, latest[id]])))],
  )
}

export async function insertEvents(tx: Queryable, events: FlushRows['events']): Promise<void> {
  if (!events.length) return
  await tx.query(
    `insert into device_event (time, device_id, severity, code, message, source, data)
     select to_timestamp(ts / 1000.0), device_id, severity, code, message, source, data
     from jsonb_to_recordset($1::jsonb) as x(device_id text, ts float8, severity text, code text, message text, source text, data jsonb)`,
    [JSON.stringify(events)],
  )
}

export async function applyInventories(tx: Queryable, inventories: FlushRows['inventories']): Promise<void> {
  if (!inventories.length) return
  const json = JSON.stringify(inventories)
  await tx.query(
    `insert into inventory_snapshot (time, device_id, hash, inventory)
     select to_timestamp(x.ts / 1000.0), x.device_id, x.hash, x.inventory
     from jsonb_to_recordset($1::jsonb) as x(device_id text, ts float8, hash text, inventory jsonb)
     where x.hash is distinct from (select s.hash from inventory_snapshot s where s.device_id = x.device_id order by s.time desc limit 1)`,
    [json],
  )
  await tx.query(
    `update device d set inventory = x.inventory, inventory_hash = x.hash, inventory_at = to_timestamp(x.ts / 1000.0)
     from (select distinct on (device_id) * from jsonb_to_recordset($1::jsonb) as r(device_id text, ts float8, hash text, inventory jsonb) order by device_id, ts desc) x
     where d.id = x.device_id and (d.inventory_at is null or d.inventory_at <= to_timestamp(x.ts / 1000.0))`,
    [json],
  )
}

export async function applyStates(tx: Queryable, states: FlushRows['states']): Promise<void> {
  if (!states.length) return
  await tx.query(
    `update device d set state = x.state
     from (select distinct on (device_id) * from jsonb_to_recordset($1::jsonb) as r(device_id text, ts float8, state jsonb) order by device_id, ts desc) x
     where d.id = x.device_id`,
    [JSON.stringify(states)],
  )
}

export async function insertRejected(
  tx: Queryable,
  rejects: { topic: string; code: string; reason: string; deviceId: string | null; bytes: number; payload: Uint8Array }[],
): Promise<void> {
  if (!rejects.length) return
  const limit = 64 * 1024
  await tx.query(
    `insert into rejected_message (topic, code, reason, device_id, payload_bytes, payload)
     select topic, code, reason, device_id, bytes, decode(payload, 'base64')
     from jsonb_to_recordset($1::jsonb) as x(topic text, code text, reason text, device_id text, bytes int, payload text)`,
    [
      JSON.stringify(
        rejects.map((r) => ({
          topic: r.topic.slice(0, 1024).replaceAll('\u0000', ''),
          code: r.code,
          reason: r.reason.slice(0, 2000).replaceAll('\u0000', ''),
          device_id: r.deviceId,
          bytes: r.bytes,
          payload: Buffer.from(r.payload.subarray(0, limit)).toString('base64'),
        })),
      ),
    ],
  )
}
