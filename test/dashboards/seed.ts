/**
 * A small fleet that exercises every panel: two customers, an offline PC, a printer with low toner,
 * a full waste box and a paper jam, a disk with a SMART warning, an NVMe critical warning, a
 * switch with a port down, ping results, events and status changes, and 30 days of readings
 * (so both the raw and the hourly branch of every time series return rows).
 */
import type { Queryable } from '@patrol/collector'

interface SeedDevice {
  id: string
  customer: string
  site: string
  kind: 'agent' | 'snmp' | 'ping'
  hostname: string
  status: 'online' | 'offline' | 'unknown'
  latest: Record<string, number>
  state?: unknown
  series: Record<string, number>
}

const supply = (index: number, description: string, percent: number | null, state: string, supplyClass = 'supplyThatIsConsumed', colour?: string) => ({
  index,
  description,
  type: 'toner',
  level: percent ?? -3,
  maxCapacity: 100,
  percent,
  state,
  supplyClass,
  ...(colour ? { colour } : {}),
})

const iface = (index: number, name: string, oper: string, extra: Record<string, number> = {}) => ({
  index,
  name,
  alias: `uplink ${index}`,
  adminStatus: 'up',
  operStatus: oper,
  speedBps: 1e9,
  inBytesPerSecond: 1200,
  outBytesPerSecond: 800,
  inErrors: 0,
  outErrors: 0,
  inDiscards: 0,
  ...extra,
})

export const SEED_DEVICES: SeedDevice[] = [
  {
    id: 'acme-pc-1',
    customer: 'acme',
    site: 'hq',
    kind: 'agent',
    hostname: 'reception-pc',
    status: 'online',
    latest: { 'cpu.load_percent|': 35, 'mem.used_percent|': 71, 'fs.used_percent|/': 88, 'disk.smart_ok|sda': 0.5, 'smart.pending_sectors|sda': 8 },
    series: { 'cpu.load_percent|': 30, 'mem.used_percent|': 70, 'fs.used_percent|/': 85, 'net.rx_bytes_per_second|eth0': 5000, 'net.tx_bytes_per_second|eth0': 2000, 'cpu.temperature_celsius|': 55, 'smart.temperature_celsius|sda': 38 },
  },
  {
    id: 'acme-pc-2',
    customer: 'acme',
    site: 'hq',
    kind: 'agent',
    hostname: "o'brien-laptop", // a quote, to prove variable values are escaped
    status: 'offline',
    latest: { 'cpu.load_percent|': 5, 'disk.smart_ok|sda': 1 },
    series: { 'cpu.load_percent|': 10, 'mem.used_percent|': 40, 'fs.used_percent|C:': 50 },
  },
  {
    id: 'acme-printer-1',
    customer: 'acme',
    site: 'hq',
    kind: 'snmp',
    hostname: 'hq-mfp',
    status: 'online',
    latest: { 'printer.page_count|': 120_000 },
    state: {
      status: 'ok',
      printer: {
        supplies: [supply(1, 'Black Toner', 8, 'ok', 'supplyThatIsConsumed', 'black'), supply(2, 'Cyan Toner', 60, 'ok', 'supplyThatIsConsumed', 'cyan'), supply(3, 'Waste Toner Box', 95, 'ok', 'receptacleThatIsFilled')],
        errors: ['jammed', 'doorOpen'],
        printerStatus: 'other',
        deviceStatus: 'warning',
        alerts: [{ index: 1, severity: 'warning', description: 'Paper jam' }],
        trays: [],
      },
    },
    series: { 'printer.supply_percent|Black Toner': 20, 'printer.supply_percent|Cyan Toner': 70, 'printer.page_count|': 100_000 },
  },
  {
    id: 'acme-switch-1',
    customer: 'acme',
    site: 'branch',
    kind: 'snmp',
    hostname: 'branch-sw',
    status: 'online',
    latest: { 'ping.up|': 1, 'ping.rtt_ms|': 2.5, 'ping.loss_percent|': 0 },
    state: { status: 'ok', interfaces: [iface(1, 'ge-0/0/1', 'up'), iface(2, 'ge-0/0/2', 'down', { inErrors: 3 })] },
    series: { 'if.in_bytes_per_second|ge-0/0/1': 10_000, 'if.out_bytes_per_second|ge-0/0/1': 8000, 'if.in_errors|ge-0/0/1': 1, 'ping.rtt_ms|': 2, 'ping.loss_percent|': 1 },
  },
  {
    id: 'globex-srv-1',
    customer: 'globex',
    site: 'dc',
    kind: 'agent',
    hostname: 'globex-db',
    status: 'online',
    latest: { 'cpu.load_percent|': 80, 'mem.used_percent|': 90, 'fs.used_percent|/var': 97, 'nvme.critical_warning|nvme0': 1, 'ping.up|': 0, 'ping.loss_percent|': 100 },
    series: { 'cpu.load_percent|': 60, 'mem.used_percent|': 85, 'fs.used_percent|/var': 95, 'host.cpu_load_percent|': 50, 'ping.rtt_ms|': 15 },
  },
  {
    id: 'globex-printer-1',
    customer: 'globex',
    site: 'dc',
    kind: 'snmp',
    hostname: 'dc-printer',
    status: 'unknown',
    latest: {},
    state: { status: 'ok', printer: { supplies: [supply(1, 'Black Cartridge', null, 'empty', 'supplyThatIsConsumed', 'black')], errors: [], alerts: [], trays: [] } },
    series: { 'printer.supply_percent|Black Cartridge': 5, 'printer.page_count|': 5000 },
  },
]

export const SEED_CUSTOMERS = ['acme', 'globex']
export const SEED_SITES = ['branch', 'dc', 'hq']

/** Readings every 20 minutes for 30 days: ~2,200 per series, raw for short ranges, hourly for long. */
export async function seed(db: Queryable, now = Date.now()): Promise<void> {
  for (const d of SEED_DEVICES) {
    const latest = Object.fromEntries(Object.entries(d.latest).map(([k, v]) => [k, [now - 60_000, v]]))
    await db.query(
      `insert into device (id, customer, site, kind, hostname, status, status_changed_at, last_seen, latest, state, first_seen)
       values ($1, $2, $3, $4, $5, $6, to_timestamp($7 / 1000.0), to_timestamp($8 / 1000.0), $9::jsonb, $10::jsonb, to_timestamp($7 / 1000.0))`,
      [d.id, d.customer, d.site, d.kind, d.hostname, d.status, now - 3 * 3_600_000, now - 60_000, JSON.stringify(latest), d.state === undefined ? null : JSON.stringify(d.state)],
    )
    const series = Object.entries(d.series).map(([key, base]) => {
      const [metric, instance] = key.split('|') as [string, string]
      return { metric, instance, base }
    })
    await db.query(
      `insert into metric_sample (time, device_id, metric, instance, value)
       select t, $1, s.metric, s.instance,
              case when s.metric = 'printer.page_count' then s.base + extract(epoch from t - to_timestamp($2 / 1000.0)) / 60
                   else s.base + 5 * sin(extract(epoch from t) / 3600) end
       from jsonb_to_recordset($3::jsonb) as s(metric text, instance text, base float8)
       cross join generate_series(to_timestamp($2 / 1000.0) - interval '30 days', to_timestamp($2 / 1000.0), interval '20 minutes') as t`,
      [d.id, now, JSON.stringify(series)],
    )
  }
  await db.query(
    `insert into device_status_change (time, device_id, state, reason)
     values (to_timestamp($1 / 1000.0) - interval '5 hours', 'acme-pc-2', 'online', 'data'),
            (to_timestamp($1 / 1000.0) - interval '3 hours', 'acme-pc-2', 'offline', 'last will'),
            (to_timestamp($1 / 1000.0) - interval '2 hours', 'acme-switch-1', 'offline', 'missed reports'),
            (to_timestamp($1 / 1000.0) - interval '1 hour', 'acme-switch-1', 'online', 'data')`,
    [now],
  )
  await db.query(
    `insert into device_event (time, device_id, severity, code, message, source)
     values (to_timestamp($1 / 1000.0) - interval '30 minutes', 'acme-printer-1', 'warning', 'printer.jam', 'Paper jam in tray 2', 'snmp'),
            (to_timestamp($1 / 1000.0) - interval '2 hours', 'globex-srv-1', 'critical', 'disk.nvme_warning', 'NVMe critical warning 0x01', 'agent')`,
    [now],
  )
}

/** Whether the ticket tables (migration 002) are in this schema. */
export async function hasTicketTables(db: Queryable): Promise<boolean> {
  const r = await db.query<{ t: string | null }>("select to_regclass('ticket')::text as t")
  return Boolean(r.rows[0]?.t)
}

/**
 * One ticket in each SLA state (breached, at risk, paused, on track), a repeat fault, and two
 * resolved ones: one within its promises, one late on both promises.
 */
export async function seedTickets(db: Queryable, now = Date.now()): Promise<void> {
  const h = (hours: number) => new Date(now + hours * 3_600_000).toISOString()
  const rows = [
    { device: 'acme-printer-1', customer: 'acme', site: 'hq', level: 'L3', status: 'open', opened: h(-2), response_due: h(-1), resolve_due: h(6), ack: null, resolved: null, waiting: null, stage: 0, repeat: 0 },
    { device: 'globex-srv-1', customer: 'globex', site: 'dc', level: 'L1', status: 'acknowledged', opened: h(-1), response_due: h(-0.6), resolve_due: h(1), ack: h(-0.9), resolved: null, waiting: null, stage: 1, repeat: 0 },
    { device: 'acme-pc-1', customer: 'acme', site: 'hq', level: 'L4', status: 'in_progress', opened: h(-30), response_due: h(-26), resolve_due: h(10), ack: h(-29), resolved: null, waiting: h(-3), stage: 0, repeat: 0 },
    { device: 'acme-pc-2', customer: 'acme', site: 'hq', level: 'L2', status: 'open', opened: h(-0.2), response_due: h(0.3), resolve_due: h(4), ack: null, resolved: null, waiting: null, stage: 0, repeat: 2 },
    { device: 'acme-switch-1', customer: 'acme', site: 'branch', level: 'L3', status: 'resolved', opened: h(-5), response_due: h(-3), resolve_due: h(-1), ack: h(-4.5), resolved: h(-3), waiting: null, stage: 0, repeat: 0 },
    { device: 'globex-printer-1', customer: 'globex', site: 'dc', level: 'L4', status: 'closed', opened: h(-260), response_due: h(-256), resolve_due: h(-250), ack: h(-255), resolved: h(-240), waiting: null, stage: 2, repeat: 0 },
  ]
  for (const [i, t] of rows.entries()) {
    await db.query(
      `insert into ticket (device_id, customer, site, rule_id, problem_key, status, level, initial_level, title, opened_at, last_occurrence_at,
                           acknowledged_at, resolved_at, response_due, resolve_due, waiting_since, escalation_stage, repeat_count)
       values ($1, $2, $3, 'seed.rule', $4, $5, $6, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [t.device, t.customer, t.site, `seed.rule|${i}`, t.status, t.level, `seeded ${t.level} fault on ${t.device}`, t.opened, t.ack, t.resolved, t.response_due, t.resolve_due, t.waiting, t.stage, t.repeat],
    )
  }
}
