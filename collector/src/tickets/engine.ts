/**
 * The rule engine: evaluates the rules on devices that just reported (and, on a timer, on every
 * device, so silence is noticed too), keeps each problem's condition in `rule_condition` for
 * hysteresis and flapping, and opens, updates and recovers tickets. Everything it remembers is
 * in the database, so several collectors can run it at once: the partial unique index on ticket
 * decides who opens, and a condition row written twice holds the same facts.
 *
 * It never blocks ingest: `schedule` only records device ids; evaluation runs in the background,
 * one round at a time, over whatever gathered meanwhile.
 */
import type { Logger } from 'pino'
import { RULES, resolveParams, type DeviceSnapshot, type Rule } from '../rules/index.js'
import type { Db } from '../store/db.js'
import { stepCondition, type ConditionRow } from './conditions.js'
import { applyAction } from './lifecycle.js'
import { openTicket, problemKey } from './open.js'
import { historyWindows, loadSnapshots } from './snapshot.js'
import { enqueueNotification } from '../notify/outbox.js'
import { ticketJson, type TicketRow } from './ticket-row.js'

export interface EngineOptions {
  logger: Logger
  rules?: readonly Rule[]
  /** Devices per evaluation round. */
  chunk?: number
  clock?: () => number
  /** Called after each round triggered by ingest (to send the notifications it queued). */
  afterRound?: (report: RoundReport) => void
}

interface OverrideRow {
  scope: 'customer' | 'site' | 'device'
  scope_id: string
  rule_id: string
  enabled: boolean
  params: Record<string, unknown>
}

interface ConditionWrite {
  deviceId: string
  key: string
  ruleId: string
  row: ConditionRow | null
  finding: unknown
}

interface OpenTicketRef {
  id: number
  problem_key: string
  device_id: string
  flapping: boolean
  condition_cleared_at: Date | null
  rule_id: string
}

export interface RoundReport {
  devices: number
  evaluations: number
  opened: number[]
  recovered: number[]
  suppressed: { deviceId: string; problemKey: string; why: string }[]
}

const OFFLINE_RULE = 'device-offline'

export class TicketEngine {
  private readonly pending = new Set<string>()
  /** Newest values handed over by ingest that device.latest may not hold yet (it is refreshed every few seconds). */
  private readonly fresh = new Map<string, Record<string, [number, number]>>()
  private running: Promise<void> | undefined
  private readonly rules: readonly Rule[]
  private readonly clock: () => number
  /** Evaluations done, for the benchmark and health. */
  evaluations = 0
  lastError: string | null = null

  constructor(
    private readonly db: Db,
    private readonly options: EngineOptions,
  ) {
    this.rules = options.rules ?? RULES
    this.clock = options.clock ?? Date.now
  }

  /** Called after ingest commits: evaluate these devices soon. Never waits. */
  schedule(deviceIds: Iterable<string>, latest: Record<string, Record<string, [number, number]>> = {}): void {
    for (const id of deviceIds) this.pending.add(id)
    for (const [id, values] of Object.entries(latest)) {
      const target = this.fresh.get(id) ?? {}
      for (const [key, value] of Object.entries(values)) if (!target[key] || target[key][0] <= value[0]) target[key] = value
      this.fresh.set(id, target)
    }
    this.running ??= this.drain().finally(() => {
      this.running = undefined
      if (this.pending.size) this.schedule([])
    })
  }

  /** Resolves when everything scheduled so far has been evaluated (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private async drain(): Promise<void> {
    while (this.pending.size) {
      const ids = [...this.pending].slice(0, this.options.chunk ?? 500)
      for (const id of ids) this.pending.delete(id)
      try {
        const report = await this.evaluate(ids, this.clock())
        this.lastError = null
        this.options.afterRound?.(report)
      } catch (error) {
        // A failed round is logged and the devices are evaluated again with their next report or sweep.
        this.lastError = (error as Error).message
        this.options.logger.warn({ err: (error as Error).message, devices: ids.length }, 'rule evaluation failed')
      }
    }
  }

  /** Evaluates every rule on these devices at `now` and acts on the results. */
  async evaluate(deviceIds: readonly string[], now: number): Promise<RoundReport> {
    const report: RoundReport = { devices: 0, evaluations: 0, opened: [], recovered: [], suppressed: [] }
    if (!deviceIds.length) return report
    const overrides = (await this.db.query<OverrideRow>('select scope, scope_id, rule_id, enabled, params from rule_override')).rows
    // History windows from the defaults and every override (an override may widen a window).
    const windows = historyWindows(this.rules, (rule) => {
      const sets: Record<string, unknown>[] = [resolveParams(rule)]
      for (const o of overrides.filter((o) => o.rule_id === rule.id)) {
        try {
          sets.push(resolveParams(rule, o.params))
        } catch {
          // Refused with a warning where it applies (below); it widens no window.
        }
      }
      return sets
    })
    const devices = await loadSnapshots(this.db, deviceIds, windows, now)
    for (const [id, loaded] of devices) {
      const fresh = this.fresh.get(id)
      if (!fresh) continue
      this.fresh.delete(id)
      const latest = loaded.snapshot.latest
      for (const [key, value] of Object.entries(fresh)) if (!latest[key] || latest[key][0] <= value[0]) latest[key] = value
    }
    const ids = [...devices.keys()]
    const [conditions, openTickets, windowsActive, parents] = await Promise.all([
      this.db.query<{ device_id: string; problem_key: string; rule_id: string; active: boolean; since: Date; flips: Date[] }>(
        'select device_id, problem_key, rule_id, active, since, flips from rule_condition where device_id = any($1::text[])',
        [ids],
      ),
      this.db.query<OpenTicketRef>(`select id, problem_key, device_id, flapping, condition_cleared_at, rule_id from ticket where device_id = any($1::text[]) and status in ('open', 'acknowledged', 'in_progress')`, [ids]),
      this.db.query<{ customer: string; site: string | null; device_id: string | null }>(
        'select customer, site, device_id from maintenance_window where starts_at <= $1 and ends_at > $1 and customer = any($2::text[])',
        [new Date(now), [...new Set([...devices.values()].map((d) => d.snapshot.device.customer))]],
      ),
      this.parentsDown([...new Set([...devices.values()].map((d) => d.parentId).filter((p): p is string => Boolean(p)))]),
    ])
    const conditionsOf = groupBy(conditions.rows, (c) => c.device_id)
    const ticketsOf = groupBy(openTickets.rows, (t) => t.device_id)

    const overrideOf = new Map(overrides.map((o) => [`${o.rule_id}|${o.scope}|${o.scope_id}`, o]))
    const writes: ConditionWrite[] = []
    // Devices are independent: several at once on a server (each ticket is its own transaction), at most
    // half the pool, so ingest's flushes always find a connection.
    await inParallel([...devices.values()], this.db.engine === 'postgres' ? 4 : 1, async (loaded) => {
      const { snapshot } = loaded
      const d = snapshot.device
      report.devices++
      const inMaintenance = windowsActive.rows.some((w) => w.customer === d.customer && (w.site === null || w.site === d.site) && (w.device_id === null || w.device_id === d.id))
      const parentDown = loaded.parentId !== null && parents.has(loaded.parentId)
      const previous = new Map((conditionsOf.get(d.id) ?? []).map((c) => [c.problem_key, c]))
      const open = new Map((ticketsOf.get(d.id) ?? []).map((t) => [t.problem_key, t]))
      for (const rule of this.rules) {
        // Widest scope first: the device's own override has the last word.
        const scoped = [
          overrideOf.get(`${rule.id}|customer|${d.customer}`),
          overrideOf.get(`${rule.id}|site|${d.customer}/${d.site}`),
          overrideOf.get(`${rule.id}|device|${d.id}`),
        ]
        let params: ReturnType<typeof resolveParams>
        try {
          params = resolveParams(rule, ...scoped.map((o) => o?.params))
        } catch (error) {
          this.options.logger.warn({ rule: rule.id, device: d.id, err: (error as Error).message }, 'rule override refused; rule skipped for this device')
          continue
        }
        const enabled = params.enabled !== false && scoped.every((o) => o?.enabled !== false)
        const findings = enabled ? safeEvaluate(rule, snapshot, params, now, this.options.logger) : []
        report.evaluations++
        const seen = new Map(findings.map((f) => [problemKey(rule.id, f.instance), f]))
        const keys = new Set([...seen.keys(), ...[...previous.values()].filter((c) => c.rule_id === rule.id).map((c) => c.problem_key), ...[...open.values()].filter((t) => t.rule_id === rule.id).map((t) => t.problem_key)])
        for (const key of keys) {
          const finding = seen.get(key)
          const before = previous.get(key)
          const step = stepCondition(before && { active: before.active, since: before.since.getTime(), flips: before.flips.map((f) => new Date(f).getTime()) }, Boolean(finding), now, params as never)
          if (step.changed || (!step.next && before)) writes.push({ deviceId: d.id, key, ruleId: rule.id, row: step.next, finding })
          const ticket = open.get(key)
          if (finding && step.shouldOpen) {
            if (ticket) {
              await this.touchTicket(ticket, step.flapping, now)
              continue
            }
            const why = inMaintenance ? 'maintenance window' : rule.reachability && parentDown ? `parent ${loaded.parentId} is down` : null
            if (why) {
              report.suppressed.push({ deviceId: d.id, problemKey: key, why })
              if (rule.reachability && parentDown) await this.addDependent(loaded.parentId!, d.id)
              continue
            }
            const dependents = rule.id === OFFLINE_RULE ? await this.downChildren(d.id) : []
            const created = await openTicket(this.db, { rule, finding, problemKey: key, snapshot, flapping: step.flapping, dependents, now })
            if (created) report.opened.push(Number(created.id))
          } else if (!finding && ticket && step.recovered && ticket.condition_cleared_at === null) {
            await this.recover(ticket, Boolean(params.autoResolve), now)
            report.recovered.push(Number(ticket.id))
          } else if (ticket && step.flapping && !ticket.flapping) {
            await this.touchTicket(ticket, true, now)
          }
        }
      }
    })
    await this.saveConditions(writes, now)
    this.evaluations += report.evaluations
    return report
  }

  /** Parents among these that are down: reported offline, or with an open offline ticket. */
  private async parentsDown(parentIds: string[]): Promise<Set<string>> {
    if (!parentIds.length) return new Set()
    const { rows } = await this.db.query<{ id: string }>(
      `select id from device where id = any($1::text[]) and status = 'offline'
       union select device_id from ticket where device_id = any($1::text[]) and problem_key = $2 and status in ('open', 'acknowledged', 'in_progress')`,
      [parentIds, OFFLINE_RULE],
    )
    return new Set(rows.map((r) => r.id))
  }

  /** Devices reached through this one that are down now: listed on its offline ticket. */
  private async downChildren(parentId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `select id from device where (parent_device_id = $1 or (parent_device_id is null and state->>'poller' = $1)) and id <> $1
         and (status = 'offline' or exists (select 1 from rule_condition c where c.device_id = device.id and c.active and c.rule_id in ('device-offline', 'ping-loss')))
       order by id`,
      [parentId],
    )
    return rows.map((r) => r.id)
  }

  private async addDependent(parentId: string, childId: string): Promise<void> {
    await this.db.query(
      `update ticket set dependents = array_append(dependents, $2::text)
       where device_id = $1 and problem_key = $3 and status in ('open', 'acknowledged', 'in_progress') and not ($2::text = any(dependents))`,
      [parentId, childId, OFFLINE_RULE],
    )
  }

  /** The round's condition changes in two statements, whatever their number. */
  private async saveConditions(writes: ConditionWrite[], now: number): Promise<void> {
    const gone = writes.filter((w) => !w.row)
    const kept = writes.filter((w) => w.row)
    if (gone.length) {
      await this.db.query('delete from rule_condition r using jsonb_to_recordset($1::jsonb) as x(device_id text, problem_key text) where r.device_id = x.device_id and r.problem_key = x.problem_key', [
        JSON.stringify(gone.map((w) => ({ device_id: w.deviceId, problem_key: w.key }))),
      ])
    }
    if (!kept.length) return
    await this.db.query(
      `insert into rule_condition (device_id, problem_key, rule_id, active, since, last_finding, flips, evaluated_at)
       select x.device_id, x.problem_key, x.rule_id, x.active, to_timestamp(x.since / 1000.0), x.finding,
              array(select to_timestamp(f::float8 / 1000.0) from jsonb_array_elements_text(x.flips) f), $2
       from jsonb_to_recordset($1::jsonb) as x(device_id text, problem_key text, rule_id text, active boolean, since float8, finding jsonb, flips jsonb)
       on conflict (device_id, problem_key) do update set active = excluded.active, since = excluded.since, last_finding = coalesce(excluded.last_finding, rule_condition.last_finding),
         flips = excluded.flips, evaluated_at = excluded.evaluated_at`,
      [JSON.stringify(kept.map((w) => ({ device_id: w.deviceId, problem_key: w.key, rule_id: w.ruleId, active: w.row!.active, since: w.row!.since, finding: w.finding ?? null, flips: w.row!.flips }))), new Date(now)],
    )
  }

  /** The fault is (still or again) there on an open ticket: a recurrence after recovery counts. */
  private async touchTicket(ticket: OpenTicketRef, flapping: boolean, now: number): Promise<void> {
    if (ticket.condition_cleared_at === null && ticket.flapping === flapping) return
    await this.db.transaction(async (tx) => {
      const recurred = ticket.condition_cleared_at !== null
      const { rows } = await tx.query<TicketRow>(
        `update ticket set condition_cleared_at = null, flapping = flapping or $2, last_occurrence_at = $3,
           occurrences = occurrences + case when condition_cleared_at is null then 0 else 1 end
         where id = $1 returning *`,
        [ticket.id, flapping, new Date(now)],
      )
      await tx.query('insert into ticket_event (ticket_id, time, kind, actor, data) values ($1, $2, $3, $4, $5::jsonb)', [ticket.id, new Date(now), recurred ? 'recurred' : 'flapping', 'rules', JSON.stringify({ flapping })])
      if (recurred && rows[0]) await enqueueNotification(tx, { key: `ticket:${ticket.id}:recurred:${rows[0].occurrences}`, kind: 'recurred', ticketId: ticket.id, customer: rows[0].customer, ticket: ticketJson(rows[0], now), at: now })
    })
    ticket.condition_cleared_at = null
    ticket.flapping = ticket.flapping || flapping
  }

  /** The condition cleared for long enough: record it, and resolve when the rule says so. */
  private async recover(ticket: OpenTicketRef, autoResolve: boolean, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query('update ticket set condition_cleared_at = $2 where id = $1 and condition_cleared_at is null', [ticket.id, new Date(now)])
      if (!rowCount) return
      await tx.query('insert into ticket_event (ticket_id, time, kind, actor, text) values ($1, $2, $3, $4, $5)', [ticket.id, new Date(now), 'recovered', 'rules', autoResolve ? 'condition cleared; resolved automatically' : 'condition cleared; waiting for an engineer to resolve'])
      if (autoResolve && !ticket.flapping) {
        await applyAction(tx, ticket.id, { kind: 'resolve', actor: 'rules', problemType: 'automatic', cause: 'condition cleared', method: 'none (recovered by itself)', loss: 'none recorded', auto: true }, now)
      }
    })
    ticket.condition_cleared_at = new Date(now)
  }
}

function safeEvaluate(rule: Rule, snapshot: DeviceSnapshot, params: Record<string, unknown>, now: number, logger: Logger) {
  try {
    return rule.evaluate(snapshot, params as never, now)
  } catch (error) {
    // One rule failing on odd data must not stop the others.
    logger.warn({ rule: rule.id, device: snapshot.device.id, err: (error as Error).message }, 'rule threw; no findings from it this round')
    return []
  }
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const row of rows) {
    const k = key(row)
    const list = out.get(k)
    if (list) list.push(row)
    else out.set(k, [row])
  }
  return out
}

