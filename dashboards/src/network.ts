/** Switches, routers and reachability: interfaces, errors, ping from the site pollers. */
import { baseDashboard, DashboardContext, deviceVariable, row, type DashboardDefinition } from './common.js'
import { deviceScope, latestValues, metricSeries, table } from './sql.js'

const scope = ['customer', 'site', 'device'] as const
const name = 'coalesce(d.hostname, d.id)'
const INTERFACES = `device d cross join lateral jsonb_array_elements(coalesce(d.state->'interfaces', '[]'::jsonb)) as i(iface)`

export const network: DashboardDefinition = {
  uid: 'patrol-network',
  title: 'Patrol · Network',
  build() {
    const ctx = new DashboardContext(this.uid)
    const board = baseDashboard(this.uid, this.title, { refresh: '1m', from: 'now-6h', description: 'Interfaces of SNMP devices, their traffic and errors, and ping reachability.' })
      .withVariable(deviceVariable('customer'))
      .withVariable(deviceVariable('site'))
      .withVariable(deviceVariable('device'))

    board.withPanel(
      ctx.table(
        'Interfaces down',
        table(
          ['device', 'interface', 'alias', 'oper_status', 'last_change_s'],
          `select ${name} as device, i.iface->>'name' as interface, i.iface->>'alias' as alias,
                  i.iface->>'operStatus' as oper_status, (i.iface->>'lastChangeS')::float8 as last_change_s
           from ${INTERFACES}
           where ${deviceScope('d', scope)} and i.iface->>'adminStatus' = 'up' and i.iface->>'operStatus' <> 'up'
           order by device, interface`,
        ),
        { w: 12, h: 7, description: 'Enabled but not up: a cable, a neighbour or a port gone.' },
      ),
    )
    board.withPanel(
      ctx.table(
        'Reachability (ping)',
        table(
          ['device', 'up', 'rtt_ms', 'loss_percent', 'time'],
          `select ${name} as device,
                  max(lv.l_value) filter (where lv.l_metric = 'ping.up') as up,
                  max(lv.l_value) filter (where lv.l_metric = 'ping.rtt_ms') as rtt_ms,
                  max(lv.l_value) filter (where lv.l_metric = 'ping.loss_percent') as loss_percent,
                  max(lv.l_time) as time
           from ${latestValues(`l.key like 'ping.%'`)} and ${deviceScope('d', scope)}
           group by d.id, d.hostname
           order by up nulls first, loss_percent desc, device`,
        ),
        { w: 12, h: 7 },
      ),
    )
    board.withPanel(
      ctx.table(
        'Interfaces',
        table(
          ['device', 'interface', 'alias', 'admin_status', 'oper_status', 'speed_bps', 'in_bps', 'out_bps', 'in_errors', 'out_errors', 'in_discards'],
          `select ${name} as device, i.iface->>'name' as interface, i.iface->>'alias' as alias,
                  i.iface->>'adminStatus' as admin_status, i.iface->>'operStatus' as oper_status,
                  (i.iface->>'speedBps')::float8 as speed_bps,
                  (i.iface->>'inBytesPerSecond')::float8 * 8 as in_bps, (i.iface->>'outBytesPerSecond')::float8 * 8 as out_bps,
                  (i.iface->>'inErrors')::float8 as in_errors, (i.iface->>'outErrors')::float8 as out_errors,
                  (i.iface->>'inDiscards')::float8 as in_discards
           from ${INTERFACES}
           where ${deviceScope('d', scope)}
           order by device, (i.iface->>'index')::int`,
        ),
        { w: 24, h: 10, unit: 'bps' },
      ),
    )
    board.withRow(row('Trends'))
    board.withPanel(
      ctx.timeseries(
        'Traffic',
        metricSeries({
          metrics: ['if.in_bytes_per_second', 'if.out_bytes_per_second'],
          seriesName: `${name} || ' ' || m.instance || case when m.metric like 'if.in%' then ' in' else ' out' end`,
          raw: 'avg(m.value) * 8',
          hourly: 'avg(m.avg) * 8',
          scope,
        }),
        { w: 12, h: 8, unit: 'bps' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Errors and discards',
        // Per-poll deltas: added up per interval; hourly rows carry avg × samples = the hour's sum.
        metricSeries({ metrics: ['if.in_errors', 'if.out_errors', 'if.in_discards', 'if.out_discards'], seriesName: `${name} || ' ' || m.instance`, raw: 'sum(m.value)', hourly: 'sum(m.avg * m.samples)', scope }),
        { w: 12, h: 8 },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Ping round trip',
        metricSeries({ metrics: ['ping.rtt_ms'], seriesName: name, raw: 'avg(m.value)', hourly: 'avg(m.avg)', scope }),
        { w: 12, h: 8, unit: 'ms' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Ping loss',
        metricSeries({ metrics: ['ping.loss_percent'], seriesName: name, raw: 'max(m.value)', hourly: 'max(m.max)', scope }),
        { w: 12, h: 8, unit: 'percent' },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
