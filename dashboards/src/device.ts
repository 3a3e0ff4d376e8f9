/** One device in depth: what an engineer opens from a ticket. */
import { baseDashboard, DashboardContext, deviceVariable, row, type DashboardDefinition } from './common.js'
import { deviceScope, latestValues, metricSeries, table } from './sql.js'

const scope = ['customer', 'site', 'device'] as const
const name = 'coalesce(d.hostname, d.id)'

export const device: DashboardDefinition = {
  uid: 'patrol-device',
  title: 'Patrol · Device',
  build() {
    const ctx = new DashboardContext(this.uid)
    const board = baseDashboard(this.uid, this.title, { refresh: '1m', from: 'now-24h', description: 'One device: facts, latest readings, CPU, memory, disks, network, events.' })
      .withVariable(deviceVariable('customer'))
      .withVariable(deviceVariable('site'))
      .withVariable(deviceVariable('device', { includeAll: false }))

    board.withPanel(
      ctx.table(
        'Device',
        table(
          ['device', 'hostname', 'kind', 'status', 'status_reason', 'last_seen', 'first_seen', 'report_interval_s', 'producer', 'inventory_at'],
          `select d.id as device, d.hostname, d.kind, d.status, d.status_reason, d.last_seen, d.first_seen,
                  d.report_interval_s, d.producer, d.inventory_at
           from device d where ${deviceScope('d', scope)}
           order by d.id`,
        ),
        { w: 24, h: 4 },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'CPU and memory',
        metricSeries({ metrics: ['cpu.load_percent', 'mem.used_percent', 'host.cpu_load_percent', 'host.memory_used_percent'], seriesName: `${name} || ' ' || m.metric`, raw: 'avg(m.value)', hourly: 'avg(m.avg)', scope }),
        { w: 12, h: 8, unit: 'percent' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Filesystems used',
        metricSeries({ metrics: ['fs.used_percent', 'host.storage_used_percent'], seriesName: `${name} || ' ' || m.instance`, raw: 'max(m.value)', hourly: 'max(m.max)', scope }),
        { w: 12, h: 8, unit: 'percent' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Network',
        metricSeries({ metrics: ['net.rx_bytes_per_second', 'net.tx_bytes_per_second'], seriesName: `${name} || ' ' || m.instance || case when m.metric like '%rx%' then ' in' else ' out' end`, raw: 'avg(m.value)', hourly: 'avg(m.avg)', scope }),
        { w: 12, h: 8, unit: 'Bps' },
      ),
    )
    board.withPanel(
      ctx.timeseries(
        'Temperatures',
        metricSeries({ metrics: ['cpu.temperature_celsius', 'smart.temperature_celsius'], seriesName: `${name} || ' ' || case when m.metric like 'cpu.%' then 'CPU' else m.instance end`, raw: 'max(m.value)', hourly: 'max(m.max)', scope }),
        { w: 12, h: 8, unit: 'celsius' },
      ),
    )
    board.withRow(row('Details'))
    board.withPanel(
      ctx.table(
        'Latest readings',
        table(
          ['device', 'metric', 'instance', 'value', 'time'],
          `select ${name} as device, lv.l_metric as metric, lv.l_instance as instance, lv.l_value as value, lv.l_time as time
           from ${latestValues('true')} and ${deviceScope('d', scope)}
           order by device, metric, instance`,
        ),
        { w: 12, h: 10 },
      ),
    )
    board.withPanel(
      ctx.table(
        'Events and status changes',
        table(
          ['time', 'device', 'what', 'detail'],
          `select e.time, ${name} as device, e.severity || ' ' || e.code as what, e.message as detail
           from device_event e join device d on d.id = e.device_id
           where $__timeFilter(e.time) and ${deviceScope('d', scope)}
           union all
           select c.time, ${name} as device, c.state as what, c.reason as detail
           from device_status_change c join device d on d.id = c.device_id
           where $__timeFilter(c.time) and ${deviceScope('d', scope)}
           order by 1 desc limit 500`,
        ),
        { w: 12, h: 10 },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
