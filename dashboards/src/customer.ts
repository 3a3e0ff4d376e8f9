/** One customer (or several) and their sites: the engineer's view before an inspection visit. */
import { baseDashboard, DashboardContext, deviceVariable, row, thresholds, type DashboardDefinition } from './common.js'
import { deviceScope, latest, metricSeries, table } from './sql.js'

const scope = ['customer', 'site'] as const
const name = 'coalesce(d.hostname, d.id)'

export const customer: DashboardDefinition = {
  uid: 'patrol-customer',
  title: 'Patrol · Customer and site',
  build() {
    const ctx = new DashboardContext(this.uid)
    const board = baseDashboard(this.uid, this.title, { refresh: '5m', from: 'now-7d', description: 'Devices of a customer and its sites: status, load, disks, events.' })
      .withVariable(deviceVariable('customer'))
      .withVariable(deviceVariable('site'))

    board.withPanel(
      ctx.stat(
        'Device status',
        table(
          ['online', 'offline', 'unknown'],
          `select count(*) filter (where d.status = 'online') as online,
                  count(*) filter (where d.status = 'offline') as offline,
                  count(*) filter (where d.status not in ('online', 'offline')) as unknown
           from device d where ${deviceScope('d', scope)}`,
        ),
        { w: 8, h: 5 },
      ),
    )
    board.withPanel(
      ctx.table(
        'Status changes',
        table(
          ['device', 'went_offline', 'last_change'],
          `select ${name} as device, count(*) filter (where c.state = 'offline') as went_offline, max(c.time) as last_change
           from device_status_change c join device d on d.id = c.device_id
           where $__timeFilter(c.time) and ${deviceScope('d', scope)}
           group by 1 order by 2 desc, 1`,
        ),
        { w: 16, h: 5, description: 'Devices that keep dropping off are worth a look on site.' },
      ),
    )
    board.withPanel(
      ctx
        .table(
          'Devices',
          table(
            ['customer', 'site', 'device', 'kind', 'status', 'last_seen', 'cpu_percent', 'memory_percent', 'fullest_fs_percent'],
            `select d.customer, d.site, ${name} as device, d.kind, d.status, d.last_seen,
                    ${latest('cpu.load_percent')} as cpu_percent,
                    ${latest('mem.used_percent')} as memory_percent,
                    (select max((e.v->>1)::float8) from jsonb_each(d.latest) as e(k, v) where e.k like 'fs.used_percent|%') as fullest_fs_percent
             from device d
             where ${deviceScope('d', scope)}
             order by d.status = 'online', d.customer, d.site, device`,
          ),
          { w: 24, h: 10 },
        )
        .overrideByRegexp('.*_percent', [
          { id: 'unit', value: 'percent' },
          { id: 'custom.cellOptions', value: { type: 'color-text' } },
          { id: 'thresholds', value: thresholds(80, 95).build() },
        ]),
    )
    board.withRow(row('Trends'))
    board.withPanel(
      ctx.timeseries(
        'CPU load',
        metricSeries({ metrics: ['cpu.load_percent', 'host.cpu_load_percent'], seriesName: name, raw: 'avg(m.value)', hourly: 'avg(m.avg)', scope }),
        { w: 12, h: 8, unit: 'percent' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Fullest filesystem',
        metricSeries({ metrics: ['fs.used_percent', 'host.storage_used_percent'], seriesName: name, raw: 'max(m.value)', hourly: 'max(m.max)', scope }),
        { w: 12, h: 8, unit: 'percent', description: 'Per device, the filesystem closest to full.' },
      ),
    )
    board.withPanel(
      ctx.table(
        'Events',
        table(
          ['time', 'device', 'severity', 'code', 'message'],
          `select e.time, ${name} as device, e.severity, e.code, e.message
           from device_event e join device d on d.id = e.device_id
           where $__timeFilter(e.time) and ${deviceScope('d', scope)}
           order by e.time desc limit 500`,
        ),
        { w: 24, h: 8 },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
