/**
 * The fleet wallboard: what a service desk puts on the wall. Everything here reads the device
 * table and its latest-value cache (cheap, refreshed every minute), plus two hourly trends.
 */
import { baseDashboard, DashboardContext, thresholds, type DashboardDefinition } from './common.js'
import { DISK_RISK_LABEL, DISK_RISK_METRICS, PRINTER_SUPPLIES, SUPPLY_NEEDS_ATTENTION, SUPPLY_PERCENT } from './fragments.js'
import { latestValues, table, timeSeries } from './sql.js'
import { OPEN_TICKET, openTicketsByLevel, SLA_STATE } from './tickets.js'

export const DISK_KEYS = `l.key like 'disk.smart_ok|%' or l.key like 'smart.%' or l.key like 'nvme.%'`

export const fleet: DashboardDefinition = {
  uid: 'patrol-fleet',
  title: 'Patrol · Fleet wallboard',
  build() {
    const ctx = new DashboardContext(this.uid)
    const board = baseDashboard(this.uid, this.title, { refresh: '1m', from: 'now-24h', description: 'Every customer at a glance: devices offline, supplies to order, disks to replace.' })

    board.withPanel(
      ctx
        .stat(
          'Devices',
          table(
            ['online', 'offline', 'unknown'],
            `select count(*) filter (where status = 'online') as online,
                    count(*) filter (where status = 'offline') as offline,
                    count(*) filter (where status not in ('online', 'offline')) as unknown
             from device`,
          ),
          { w: 8, h: 5 },
        )
        .overrideByName('offline', [{ id: 'thresholds', value: thresholds(1, 5).build() }, { id: 'color', value: { mode: 'thresholds' } }])
        .overrideByName('online', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }]),
    )
    board.withPanel(
      ctx
        .stat(
          'Need attention',
          table(
            ['printers_low', 'disks_at_risk'],
            `select (select count(distinct d.id) from ${PRINTER_SUPPLIES} where ${SUPPLY_NEEDS_ATTENTION}) as printers_low,
                    (select count(distinct (d.id, lv.l_instance)) from ${latestValues(DISK_KEYS)} and (${DISK_RISK_METRICS})) as disks_at_risk`,
          ),
          { w: 8, h: 5 },
        )
        .thresholds(thresholds(1, 3)),
    )
    board.withPanel(
      ctx.timeseries(
        'Went offline / came back',
        timeSeries(
          ['time', 'went_offline', 'came_back'],
          `select $__timeGroupAlias(time, $__interval),
                  count(*) filter (where state = 'offline') as went_offline,
                  count(*) filter (where state = 'online') as came_back
           from device_status_change
           where $__timeFilter(time)
           group by 1 order by 1`,
        ),
        { w: 8, h: 5, description: 'Status changes of all devices: a spike is a site or a network going down.' },
      ),
    )
    board.withPanel(
      ctx
        .table(
          'Customers × health',
          table(
            ['customer', 'devices', 'online', 'offline', 'online_percent', 'printers_low', 'disks_at_risk', 'open_tickets', 'breached_tickets'],
            `with supplies as (
               select d.customer, count(distinct d.id) as n from ${PRINTER_SUPPLIES} where ${SUPPLY_NEEDS_ATTENTION} group by 1
             ), disks as (
               select d.customer, count(distinct (d.id, lv.l_instance)) as n from ${latestValues(DISK_KEYS)} and (${DISK_RISK_METRICS}) group by 1
             ), tickets as (
               select t.customer, count(*) as open, count(*) filter (where s.state = 'breached') as breached
               from ticket t cross join lateral (select ${SLA_STATE} as state) s
               where ${OPEN_TICKET} group by 1
             )
             select d.customer,
                    count(*) as devices,
                    count(*) filter (where d.status = 'online') as online,
                    count(*) filter (where d.status = 'offline') as offline,
                    (100.0 * count(*) filter (where d.status = 'online') / count(*))::float8 as online_percent,
                    coalesce(max(s.n), 0) as printers_low,
                    coalesce(max(k.n), 0) as disks_at_risk,
                    coalesce(max(t.open), 0) as open_tickets,
                    coalesce(max(t.breached), 0) as breached_tickets
             from device d
             left join supplies s on s.customer = d.customer
             left join disks k on k.customer = d.customer
             left join tickets t on t.customer = d.customer
             group by d.customer
             order by breached_tickets desc, offline desc, disks_at_risk desc, printers_low desc, d.customer`,
          ),
          { w: 24, h: 9, requires: 'tickets', description: 'One row per customer, worst first: SLA breaches, then devices offline, disks, supplies.' },
        )
        .overrideByName('breached_tickets', [
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          { id: 'thresholds', value: thresholds(1, 1).build() },
        ])
        .overrideByName('online_percent', [
          { id: 'unit', value: 'percent' },
          { id: 'custom.cellOptions', value: { type: 'color-background' } },
          { id: 'thresholds', value: thresholds(99, 95, true).build() },
        ]),
    )
    board.withPanel(
      ctx.table(
        'Devices offline',
        table(
          ['customer', 'site', 'device', 'kind', 'since', 'last_seen', 'reason'],
          `select d.customer, d.site, coalesce(d.hostname, d.id) as device, d.kind,
                  d.status_changed_at as since, d.last_seen, d.status_reason as reason
           from device d
           where d.status = 'offline'
           order by d.status_changed_at nulls last`,
        ),
        { w: 12, h: 9 },
      ),
    )
    board.withPanel(
      ctx.table(
        'Printers needing supplies',
        table(
          ['customer', 'site', 'printer', 'supply', 'percent', 'state'],
          `select d.customer, d.site, coalesce(d.hostname, d.id) as printer, s.supply->>'description' as supply,
                  ${SUPPLY_PERCENT} as percent, s.supply->>'state' as state
           from ${PRINTER_SUPPLIES}
           where ${SUPPLY_NEEDS_ATTENTION}
           order by percent nulls first, d.customer, printer`,
        ),
        { w: 12, h: 9, unit: 'percent' },
      ),
    )
    board.withPanel(
      ctx.table(
        'Disks at risk',
        table(
          ['customer', 'site', 'device', 'disk', 'problem', 'value', 'reported'],
          `select d.customer, d.site, coalesce(d.hostname, d.id) as device, lv.l_instance as disk,
                  ${DISK_RISK_LABEL} as problem, lv.l_value as value, lv.l_time as reported
           from ${latestValues(DISK_KEYS)} and (${DISK_RISK_METRICS})
           order by d.customer, device, disk`,
        ),
        { w: 12, h: 9 },
      ),
    )
    board.withPanel(
      ctx.table('Open tickets by level and SLA state', openTicketsByLevel('true'), { w: 12, h: 9, requires: 'tickets', description: 'Fault levels L1–L4; SLA state from the ticket engine (contract calendars, pauses).' }),
    )
    board.withPanel(
      ctx.timeseries(
        'Readings stored per hour',
        timeSeries(
          ['time', 'readings', 'devices'],
          `select $__timeGroupAlias(bucket, $__interval), sum(samples)::float8 as readings, count(distinct device_id) as devices
           from metric_hourly
           where $__timeFilter(bucket)
           group by 1 order by 1`,
        ),
        { w: 24, h: 7, description: 'The pipeline itself: a drop means agents, pollers, the broker or the collector stopped.' },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
