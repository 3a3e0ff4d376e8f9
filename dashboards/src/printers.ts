/** Printers, copiers and multifunction devices: supplies to order, pages printed, faults. */
import { baseDashboard, DashboardContext, deviceVariable, thresholds, type DashboardDefinition } from './common.js'
import { PRINTER_SUPPLIES, SUPPLY_NEEDS_ATTENTION, SUPPLY_PERCENT } from './fragments.js'
import { deviceScope, metricSeries, table } from './sql.js'

const scope = ['customer', 'site'] as const
const name = 'coalesce(d.hostname, d.id)'

export const printers: DashboardDefinition = {
  uid: 'patrol-printers',
  title: 'Patrol · Printers and supplies',
  build() {
    const ctx = new DashboardContext(this.uid)
    const board = baseDashboard(this.uid, this.title, { refresh: '5m', from: 'now-30d', description: 'Toner, drums and waste boxes of every printer; pages printed; printer faults.' })
      .withVariable(deviceVariable('customer'))
      .withVariable(deviceVariable('site'))

    board.withPanel(
      ctx
        .barGauge(
          'Lowest supply per printer',
          table(
            ['printer', 'percent'],
            `select ${name} || ' · ' || (array_agg(s.supply->>'description' order by ${SUPPLY_PERCENT} nulls last))[1] as printer,
                    min(${SUPPLY_PERCENT}) as percent
             from ${PRINTER_SUPPLIES}
             where ${deviceScope('d', scope)} and coalesce(s.supply->>'supplyClass', '') <> 'receptacleThatIsFilled'
             group by d.id, d.hostname
             order by percent nulls last limit 30`,
          ),
          { w: 10, h: 12, unit: 'percent' },
        )
        .min(0)
        .max(100)
        .thresholds(thresholds(25, 15, true)),
    )
    board.withPanel(
      ctx
        .table(
          'Supplies',
          table(
            ['customer', 'site', 'printer', 'supply', 'colour', 'percent', 'state', 'order_now'],
            `select d.customer, d.site, ${name} as printer, s.supply->>'description' as supply, s.supply->>'colour' as colour,
                    ${SUPPLY_PERCENT} as percent, s.supply->>'state' as state, ${SUPPLY_NEEDS_ATTENTION} as order_now
             from ${PRINTER_SUPPLIES}
             where ${deviceScope('d', scope)}
             order by order_now desc, percent nulls first, printer, supply`,
          ),
          { w: 14, h: 12 },
        )
        .overrideByName('percent', [
          { id: 'unit', value: 'percent' },
          { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
          { id: 'thresholds', value: thresholds(25, 15, true).build() },
          { id: 'min', value: 0 },
          { id: 'max', value: 100 },
        ]),
    )
    board.withPanel(
      ctx.timeseries(
        'Supply levels',
        metricSeries({ metrics: ['printer.supply_percent'], seriesName: `${name} || ' ' || m.instance`, raw: 'min(m.value)', hourly: 'min(m.min)', scope }),
        { w: 12, h: 9, unit: 'percent', description: 'How fast each supply goes down: the slope says when to order.' },
      ),
    )
    board.withPanel(
      ctx.table(
        'Pages printed',
        table(
          ['printer', 'pages', 'page_count'],
          `select ${name} as printer, (max(m.max) - min(m.min)) as pages, max(m.max) as page_count
           from metric_hourly m join device d on d.id = m.device_id
           where $__timeFilter(m.bucket) and m.metric = 'printer.page_count' and ${deviceScope('d', scope)}
           group by d.id, d.hostname
           order by pages desc`,
        ),
        { w: 12, h: 9, description: 'Within the time range, from the lifetime page counter.' },
      ),
    )
    board.withPanel(
      ctx.table(
        'Printer faults',
        table(
          ['customer', 'site', 'printer', 'errors', 'printer_status', 'device_status', 'alerts'],
          `select d.customer, d.site, ${name} as printer,
                  (select string_agg(x, ', ') from jsonb_array_elements_text(d.state->'printer'->'errors') as x) as errors,
                  d.state->'printer'->>'printerStatus' as printer_status,
                  d.state->'printer'->>'deviceStatus' as device_status,
                  jsonb_array_length(coalesce(d.state->'printer'->'alerts', '[]'::jsonb)) as alerts
           from device d
           where ${deviceScope('d', scope)} and jsonb_array_length(coalesce(d.state->'printer'->'errors', '[]'::jsonb)) > 0
           order by d.customer, printer`,
        ),
        { w: 24, h: 7, description: 'Paper jams, empty trays, open covers: from the printer status bits of the last poll.' },
      ),
    )
    return { uid: this.uid, json: board.build(), queries: ctx.queries }
  },
}
