/**
 * The health of customers and sites at a glance: devices by status and unresolved tickets by
 * level and by SLA state, for the overview and the administration pages.
 *
 * SLA state of an unresolved ticket (decision; the escalation sweep in tickets/escalation.ts is
 * the source of "approaching"):
 * - breached: not waiting on the customer, and its response deadline passed unacknowledged or its
 *   resolve deadline passed (the same test as `GET /api/tickets?overdue=true`);
 * - atRisk:   not breached now, not waiting, and the sweep has marked it (escalation stage ≥ 1:
 *             80 % of the allowed service time used, on the contract's calendar);
 * - ok:       everything else, including tickets whose clocks are paused while waiting.
 */
import { Type, type Static } from '@sinclair/typebox'
import type { Queryable } from '../store/db.js'

const Count = Type.Integer({ minimum: 0 })
export const Health = Type.Object({
  devices: Type.Object({ total: Count, online: Count, offline: Count, unknown: Count }),
  openTickets: Type.Object({
    total: Count,
    byLevel: Type.Object({ L1: Count, L2: Count, L3: Count, L4: Count }),
    bySla: Type.Object({ ok: Count, atRisk: Count, breached: Count }),
  }),
})
export type Health = Static<typeof Health>

export const emptyHealth = (): Health => ({
  devices: { total: 0, online: 0, offline: 0, unknown: 0 },
  openTickets: { total: 0, byLevel: { L1: 0, L2: 0, L3: 0, L4: 0 }, bySla: { ok: 0, atRisk: 0, breached: 0 } },
})

const SLA_STATE = `case
  when waiting_since is null and ((acknowledged_at is null and response_due < $2) or resolve_due < $2) then 'breached'
  when waiting_since is null and escalation_stage >= 1 then 'atRisk'
  else 'ok' end`

/**
 * Health per customer and per "customer/site" of the given customers, in two grouped queries.
 * Customers or sites with nothing to count are absent from the maps; use `emptyHealth()`.
 */
export async function healthOf(db: Queryable, customers: readonly string[], now: number): Promise<{ customers: Map<string, Health>; sites: Map<string, Health> }> {
  const byCustomer = new Map<string, Health>()
  const bySite = new Map<string, Health>()
  if (!customers.length) return { customers: byCustomer, sites: bySite }
  const at = (map: Map<string, Health>, key: string) => map.get(key) ?? map.set(key, emptyHealth()).get(key)!
  const [devices, tickets] = await Promise.all([
    db.query<{ customer: string; site: string; status: string; n: number }>(
      'select customer, site, status, count(*)::int as n from device where customer = any($1::text[]) group by customer, site, status',
      [customers],
    ),
    db.query<{ customer: string; site: string; level: string; sla: 'ok' | 'atRisk' | 'breached'; n: number }>(
      `select customer, site, level, ${SLA_STATE} as sla, count(*)::int as n from ticket
       where customer = any($1::text[]) and status in ('open', 'acknowledged', 'in_progress') group by 1, 2, 3, 4`,
      [customers, new Date(now)],
    ),
  ])
  for (const d of devices.rows) {
    for (const h of [at(byCustomer, d.customer), at(bySite, `${d.customer}/${d.site}`)]) {
      h.devices.total += d.n
      const status = d.status === 'online' || d.status === 'offline' ? d.status : 'unknown'
      h.devices[status] += d.n
    }
  }
  for (const t of tickets.rows) {
    for (const h of [at(byCustomer, t.customer), at(bySite, `${t.customer}/${t.site}`)]) {
      h.openTickets.total += t.n
      if (t.level in h.openTickets.byLevel) h.openTickets.byLevel[t.level as keyof Health['openTickets']['byLevel']] += t.n
      h.openTickets.bySla[t.sla] += t.n
    }
  }
  return { customers: byCustomer, sites: bySite }
}
