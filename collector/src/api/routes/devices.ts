import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN, type Inventory } from '@patrol/shared'
import { assertCustomer, customerScope } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { groupLatest, summarise, type Latest } from '../device-summary.js'
import { notFound } from '../errors.js'

interface DeviceRow {
  id: string
  customer: string
  site: string
  kind: string
  hostname: string | null
  status: string
  status_reason: string | null
  status_changed_at: Date | null
  first_seen: Date
  last_seen: Date | null
  report_interval_s: number | null
  producer: string | null
  clock_offset_ms: number | null
  inventory: Inventory | null
  inventory_at: Date | null
  state: unknown
  latest: Latest
}

const COLUMNS = 'id, customer, site, kind, hostname, status, status_reason, status_changed_at, first_seen, last_seen, report_interval_s, producer, clock_offset_ms, inventory, inventory_at, state, latest'
const DAY_MS = 86_400_000

/** Readings older than this, relative to the device's last message, are left out of the summary. */
function staleBefore(row: DeviceRow): number {
  return (row.last_seen?.getTime() ?? Date.now()) - DAY_MS
}

function describe(row: DeviceRow) {
  return {
    id: row.id,
    customer: row.customer,
    site: row.site,
    kind: row.kind,
    hostname: row.hostname,
    status: row.status,
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at?.toISOString() ?? null,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen?.toISOString() ?? null,
    reportIntervalS: row.report_interval_s,
    producer: row.producer,
    clockOffsetMs: row.clock_offset_ms,
  }
}

const Id = Type.String({ pattern: ID_PATTERN })

export const deviceRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/devices',
    {
      schema: {
        summary: 'Devices with their current health summary',
        querystring: Type.Object(
          {
            customer: Type.Optional(Id),
            site: Type.Optional(Id),
            status: Type.Optional(Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')])),
            kind: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('snmp'), Type.Literal('ping')])),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query
      const filters = [q.customer ?? null, q.site ?? null, q.status ?? null, q.kind ?? null, customerScope(request)]
      const where = `where ($1::text is null or customer = $1) and ($2::text is null or site = $2) and ($3::text is null or status = $3) and ($4::text is null or kind = $4)
        and ($5::text[] is null or customer = any($5))`
      const [{ rows }, total] = await Promise.all([
        ctx.db.query<DeviceRow>(`select ${COLUMNS} from device ${where} order by customer, site, id limit $6 offset $7`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from device ${where}`, filters),
      ])
      return {
        total: total.rows[0]?.n ?? 0,
        limit: q.limit,
        offset: q.offset,
        items: rows.map((row) => ({ ...describe(row), summary: summarise(row.latest, row.inventory, staleBefore(row)) })),
      }
    },
  )

  app.get(
    '/api/devices/:id',
    {
      schema: {
        summary: 'One device: status, latest value of every reading, inventory, poll state',
        params: Type.Object({ id: Id }),
      },
    },
    async (request) => {
      const { rows } = await ctx.db.query<DeviceRow>(`select ${COLUMNS} from device where id = $1`, [request.params.id])
      const row = rows[0]
      if (!row) throw notFound(`device "${request.params.id}"`)
      assertCustomer(request, row.customer, `device "${request.params.id}"`)
      return {
        ...describe(row),
        summary: summarise(row.latest, row.inventory, staleBefore(row)),
        latest: groupLatest(row.latest),
        inventory: row.inventory,
        inventoryAt: row.inventory_at?.toISOString() ?? null,
        state: row.state,
      }
    },
  )
}
