/**
 * Inspection records (巡检记录): the pre-inspection review's checklist as the engineer ticked it on
 * site, with notes, saved back (table inspection, migration 005). The quarterly report lists the
 * visits made in its period.
 */
import { randomUUID } from 'node:crypto'
import type { Queryable } from '../store/db.js'

export interface InspectionItem {
  item: string
  done: boolean
  notes?: string | undefined
}

export interface InspectionRecord {
  id: string
  customer: string
  site: string
  engineer: string
  visitedAt: string
  items: InspectionItem[]
  notes: string | null
  createdAt: string
}

interface Row {
  id: string
  customer_id: string
  site_id: string
  engineer: string
  visited_at: Date
  items: InspectionItem[]
  notes: string | null
  created_at: Date
}

const COLUMNS = 'id::text as id, customer_id, site_id, engineer, visited_at, items, notes, created_at'

const toRecord = (r: Row): InspectionRecord => ({
  id: r.id,
  customer: r.customer_id,
  site: r.site_id,
  engineer: r.engineer,
  visitedAt: new Date(r.visited_at).toISOString(),
  items: r.items,
  notes: r.notes,
  createdAt: new Date(r.created_at).toISOString(),
})

export async function saveInspection(
  db: Queryable,
  input: { customer: string; site: string; engineer: string; engineerUserId: string | null; visitedAt: Date; items: InspectionItem[]; notes: string | null },
): Promise<InspectionRecord> {
  const { rows } = await db.query<Row>(
    `insert into inspection (id, customer_id, site_id, engineer, engineer_user_id, visited_at, items, notes)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) returning ${COLUMNS}`,
    [randomUUID(), input.customer, input.site, input.engineer, input.engineerUserId, input.visitedAt, JSON.stringify(input.items), input.notes],
  )
  return toRecord(rows[0]!)
}

/** Visits of one customer (optionally one site) in [from, to), newest first. */
export async function listInspections(
  db: Queryable,
  f: { customer: string; site?: string | null | undefined; from?: Date | undefined; to?: Date | undefined; limit?: number; offset?: number },
): Promise<{ total: number; items: InspectionRecord[] }> {
  const where = `customer_id = $1 and ($2::text is null or site_id = $2) and ($3::timestamptz is null or visited_at >= $3) and ($4::timestamptz is null or visited_at < $4)`
  const params = [f.customer, f.site ?? null, f.from ?? null, f.to ?? null]
  const total = await db.query<{ n: number }>(`select count(*)::int as n from inspection where ${where}`, params)
  const { rows } = await db.query<Row>(`select ${COLUMNS} from inspection where ${where} order by visited_at desc, id limit $5 offset $6`, [...params, f.limit ?? 1000, f.offset ?? 0])
  return { total: total.rows[0]?.n ?? 0, items: rows.map(toRecord) }
}
