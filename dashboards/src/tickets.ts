/**
 * Tickets and SLA (needs the ticket tables of migration 002): what is open, which promises are
 * about to break, and how well the promises were kept over the range. The SLA state comes from
 * the ticket engine's own bookkeeping (due times computed on the contract's calendar, the
 * escalation stage, the pause while waiting on the customer), never recomputed here.
 */
import { baseDashboard, DashboardContext, deviceVariable, thresholds, type DashboardDefinition } from './common.js'
import { deviceScope, table, timeSeries } from './sql.js'

const scope = ['customer', 'site'] as const
export const OPEN_TICKET = `t.status in ('open', 'acknowledged', 'in_progress')`
const OPEN = OPEN_TICKET

/** One of: paused, breached, at risk, on track — for an open ticket `t`. */
export const SLA_STATE = `case when t.waiting_since is not null then 'paused'
      when t.escalation_stage >= 2 or now() > coalesce(t.resolve_due, 'infinity') or (t.acknowledged_at is null and now() > coalesce(t.response_due, 'infinity')) then 'breached'
      when t.escalation_stage = 1 then 'at risk'
      else 'on track' end`

/** Open tickets per fault level and SLA state: used by this dashboard and the fleet wallboard. */
export function openTicketsByLevel(where: string) {
  return table(
    ['level', 'on_track', 'at_risk', 'breached', 'paused', 'total'],
    `select t.level,
            count(*) filter (where s.state = 'on track') as on_track,
            count(*) filter (where s.state = 'at risk') as at_risk,
            count(*) filter (where s.state = 'breached') as breached,
            count(*) filter (where s.state = 'paused') as paused,
            count(*) as total
     from ticket t cross join lateral (select ${SLA_STATE} as state) s
     where ${OPEN} and ${where}
     group by t.level order by t.level`,
  )
}

export const tickets: DashboardDefinition = {
  uid: 'patrol-tickets',
  title: 'Patrol · Tickets and SLA',
  build() {
    const ctx = new DashboardContext(this.uid, { requires: 'tickets' })
    const board = baseDashboard(this.uid, this.title, { refresh: '1m', from: 'now-30d', description: 'Open tickets by fault level and SLA state, response and resolution promises kept, repeat faults.' })
      .withVariable(deviceVariable('customer'))
      .withVariable(deviceVariable('site'))
    const where = deviceScope('t', scope)

    board.withPanel(
      ctx
        .stat(
          'Tickets',
          table(
            ['open', 'breached', 'opened_in_range', 'resolved_in_range'],
            `select count(*) filter (where ${OPEN}) as open,
                    count(*) filter (where ${OPEN} and s.state = 'breached') as breached,
                    count(*) filter (where $__timeFilter(t.opened_at)) as opened_in_range,
                    count(*) filter (where $__timeFilter(t.resolved_at)) as resolved_in_range
             from ticket t cross join lateral (select ${SLA_STATE} as state) s
             where ${where}`,
          ),
          { w: 12, h: 5 },
        )
        .overrideByName('breached', [{ id: 'thresholds', value: thresholds(1, 1).build() }, { id: 'color', value: { mode: 'thresholds' } }]),
    )
    board.withPanel(ctx.table('Open tickets by level and SLA state', openTicketsByLevel(where), { w: 12, h: 5 }))
    board.withPanel(
      ctx
        .table(
          'Open tickets',
          table(
            ['ticket', 'level', 'sla', 'customer', 'site', 'device', 'title', 'status', 'opened_at', 'response_due', 'resolve_due', 'assignee', 'repeats'],
            `select t.id as ticket, t.level, ${SLA_STATE} as sla, t.customer, t.site, coalesce(d.hostname, t.device_id) as device, t.title, t.status,
                    t.opened_at, t.response_due, t.resolve_due, t.assignee, t.repeat_count as repeats
             from ticket t left join device d on d.id = t.device_id
             where ${OPEN} and ${where}
             order by (${SLA_STATE}) = 'breached' desc, t.level, t.resolve_due nulls last`,
          ),
          { w: 24, h: 10, expectRows: true },
        )
        .overrideByName('sla', [
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          {
            id: 'mappings',
            value: [{ type: 'value', options: { breached: { color: 'red', index: 0 }, 'at risk': { color: 'orange', index: 1 }, 'on track': { color: 'green', index: 2 }, paused: { color: 'blue', index: 3 } } }],
          },
        ]),
    )
    board.withPanel(
      ctx.timeseries(
        'Tickets opened',
        timeSeries(
          ['time', 'metric', 'value'],
          `select $__timeGroupAlias(t.opened_at, $__interval), t.level as metric, count(*) as value
           from ticket t
           where $__timeFilter(t.opened_at) and ${where}
           group by 1, 2 order by 1, 2`,
        ),
        { w: 12, h: 8 },
      ),
    )
    board.withPanel(
      ctx
        .table(
          'Promises kept (resolved in range)',
          table(
            ['customer', 'resolved', 'response_met_percent', 'resolution_met_percent', 'mean_hours_to_resolve'],
            `select t.customer, count(*) as resolved,
                    (100.0 * count(*) filter (where t.acknowledged_at <= coalesce(t.response_due, 'infinity')) / count(*))::float8 as response_met_percent,
                    (100.0 * count(*) filter (where t.resolved_at <= coalesce(t.resolve_due, 'infinity')) / count(*))::float8 as resolution_met_percent,
                    avg(extract(epoch from t.resolved_at - t.opened_at) / 3600)::float8 as mean_hours_to_resolve
             from ticket t
             where t.resolved_at is not null and $__timeFilter(t.resolved_at) and ${where}
             group by t.customer order by resolution_met_percent, t.customer`,
          ),
          { w: 12, h: 8, description: 'Due times follow each contract’s service calendar; a ticket waiting on the customer does not count against the clock.' },
        )
        .overrideByRegexp('.*_met_percent', [
          { id: 'unit', value: 'percent' },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
          { id: 'thresholds', value: thresholds(98, 95, true).build() },
        ]),
    )
    board.withPanel(
      ctx.table(
        'Repeat faults',
        table(
          ['customer', 'device', 'problem', 'repeats', 'last_opened'],
          `select t.customer, coalesce(d.hostname, t.device_id) as device, t.problem_key as problem, max(t.repeat_count) as repeats, max(t.opened_at) as last_opened
           from ticket t left join device d on d.id = t.device_id
           where t.repeat_count >= 2 and ${where}
           group by t.customer, d.hostname, t.device_id, t.problem_key
           order by repeats desc, last_opened desc`,
        ),
        { w: 24, h: 7, description: 'The same device with the same problem repaired twice and failing again: replace it with a new device of the same model.' },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
