/**
 * A realistic quarter for one group customer (集团用户): three sites, 52 devices of every category,
 * filesystems filling up, a degrading and a failing disk, printers using toner, flapping switch
 * ports, a UPS with a tired battery, downtime, tickets with SLA deadlines and warranties running
 * out. Hourly readings (what the report reads) made with generate_series, so seeding takes seconds.
 * The facts the tests check are exported beside it, so expectations are computed from the facts,
 * not from the report.
 */
import type { Queryable } from '@patrol/collector'
import { parseQuarter } from '../../collector/src/reports/period.js'

export const CUSTOMER = 'acme'
export const TZ = 'Asia/Shanghai'
export const QUARTER = '2026Q3'
const HOUR = 3_600_000
const DAY = 86_400_000

export interface SeedDevice {
  id: string
  site: string
  category: string
  hostname: string
  model: string
  warrantyEnd: string | null
}

/** Filesystem growth: used% = base + slope × days since the quarter began (hourly samples). */
export interface FsSpec { id: string; mount: string; base: number; slope: number }
/** Offline spans (local quarter instants). */
export interface DownSpec { id: string; from: Date; to: Date | null }
export interface TicketSpec {
  id: string
  level: 'L1' | 'L2' | 'L3' | 'L4'
  openedAt: Date
  ackAfterMin: number | null
  resolveAfterMin: number | null
  responseMin: number
  resolveMin: number
  repeat: number
  title: string
  problemKey: string
}

export interface SeededQuarter {
  from: Date
  to: Date
  devices: SeedDevice[]
  filesystems: FsSpec[]
  downtime: DownSpec[]
  tickets: TicketSpec[]
  supplies: { id: string; supply: string; start: number; perDay: number }[]
}

function pad(n: number) {
  return String(n).padStart(3, '0')
}

export function quarterFacts(): SeededQuarter {
  const { from, to } = parseQuarter(QUARTER, TZ)
  const at = (days: number, hours = 0) => new Date(from.getTime() + days * DAY + hours * HOUR)
  const sites = ['hq', 'sz', 'hz']
  const devices: SeedDevice[] = []
  const warranty = (i: number) => (i % 7 === 0 ? '2026-12-31' : i % 11 === 0 ? '2026-05-31' : i % 13 === 0 ? '2027-02-15' : `2028-0${(i % 9) + 1}-15`)
  for (let i = 1; i <= 34; i++) devices.push({ id: `pc-${pad(i)}`, site: sites[i % 3]!, category: 'pc', hostname: `PC-${pad(i)}`, model: 'Lenovo ThinkCentre M720', warrantyEnd: warranty(i) })
  devices.push({ id: 'srv-01', site: 'hq', category: 'server-windows', hostname: 'SRV-FILE01', model: 'Dell PowerEdge R740', warrantyEnd: '2026-11-30' })
  devices.push({ id: 'srv-02', site: 'hq', category: 'server-windows', hostname: 'SRV-AD01', model: 'Dell PowerEdge R640', warrantyEnd: '2028-06-30' })
  devices.push({ id: 'srv-03', site: 'hq', category: 'server-unix', hostname: 'srv-erp01', model: 'Inspur NF5280M6', warrantyEnd: '2027-09-30' })
  devices.push({ id: 'srv-04', site: 'sz', category: 'server-unix', hostname: 'srv-db02', model: 'Huawei 2288H V5', warrantyEnd: '2027-01-31' })
  for (let i = 1; i <= 8; i++) devices.push({ id: `prn-${pad(i)}`, site: sites[i % 3]!, category: 'printer', hostname: `PRN-${pad(i)}`, model: i % 2 ? 'HP LaserJet M507' : 'Kyocera ECOSYS M3655idn', warrantyEnd: warranty(i + 40) })
  devices.push({ id: 'sw-core', site: 'hq', category: 'network-core', hostname: 'SW-CORE-01', model: 'Huawei S6730', warrantyEnd: '2029-01-01' })
  for (const [i, s] of sites.entries()) devices.push({ id: `sw-${s}`, site: s, category: 'network-access', hostname: `SW-${s.toUpperCase()}-0${i + 1}`, model: 'H3C S5130', warrantyEnd: '2027-06-30' })
  devices.push({ id: 'ups-01', site: 'hq', category: 'ups', hostname: 'UPS-HQ-01', model: 'APC Smart-UPS 3000', warrantyEnd: '2026-10-31' })
  devices.push({ id: 'ups-02', site: 'sz', category: 'ups', hostname: 'UPS-SZ-01', model: 'APC Smart-UPS 1500', warrantyEnd: '2027-08-31' })
  devices.push({ id: 'nvr-01', site: 'hz', category: 'other', hostname: 'NVR-HZ-01', model: 'Hikvision DS-7608', warrantyEnd: null })

  const filesystems: FsSpec[] = devices
    .filter((d) => d.category === 'pc' || d.category.startsWith('server'))
    .map((d, i) => ({ id: d.id, mount: d.category === 'server-unix' ? '/' : 'C:', base: 30 + ((i * 7) % 40), slope: 0.01 * (i % 4) }))
  // The headline cases: PC-017 fills in about three weeks; the file server's data disk in about two months.
  const pc17 = filesystems.find((f) => f.id === 'pc-017')!
  Object.assign(pc17, { base: 60, slope: 0.35 })
  filesystems.push({ id: 'srv-01', mount: 'D:', base: 40, slope: 0.4 })

  const downtime: DownSpec[] = [
    { id: 'pc-003', from: at(40, 2), to: at(40, 8) },
    { id: 'sw-sz', from: at(55, 10), to: at(55, 12) },
    { id: 'prn-004', from: at(70), to: at(71, 6) },
    { id: 'pc-029', from: at(82), to: null }, // switched off and never came back: still down
  ]

  const levels: TicketSpec['level'][] = ['L1', 'L2', 'L3', 'L4']
  const targets = { L1: [30, 240], L2: [30, 240], L3: [120, 480], L4: [240, 1440] } as const
  const tickets: TicketSpec[] = []
  for (let i = 0; i < 14; i++) {
    const level = levels[i % 4]!
    const [responseMin, resolveMin] = targets[level]
    // Every fifth responds late, every seventh resolves late, the last two are still open.
    const ackAfterMin = i % 5 === 4 ? responseMin + 20 : Math.round(responseMin / 2)
    const resolveAfterMin = i >= 12 ? null : i % 7 === 6 ? resolveMin + 60 : Math.round(resolveMin * 0.6)
    tickets.push({ id: devices[i * 3]!.id, level, openedAt: at(3 + i * 6, 3), ackAfterMin, resolveAfterMin, responseMin, resolveMin, repeat: 0, title: `Fault ${i + 1}`, problemKey: `rule-${i}` })
  }
  // A repeat fault: the same paper jam on PRN-002 three times.
  for (let k = 0; k < 3; k++) tickets.push({ id: 'prn-002', level: 'L4', openedAt: at(20 + k * 25), ackAfterMin: 60, resolveAfterMin: 300, responseMin: 240, resolveMin: 1440, repeat: k, title: 'Paper jam', problemKey: 'printer-paper-jam' })

  const supplies = devices
    .filter((d) => d.category === 'printer')
    .flatMap((d, i) => [
      { id: d.id, supply: d.model.startsWith('HP') ? 'Black Toner Cartridge HP CF289A' : 'Kyocera TK-3190 Toner Kit', start: 95 - i * 3, perDay: 0.3 + (i % 4) * 0.2 },
      { id: d.id, supply: d.model.startsWith('HP') ? 'Imaging Drum HP CF289A' : 'Kyocera DK-3190 Drum', start: 90, perDay: 0.05 },
    ])
  return { from, to, devices, filesystems, downtime, tickets, supplies }
}

export async function seedQuarter(db: Queryable): Promise<SeededQuarter> {
  const facts = quarterFacts()
  const { from, to, devices } = facts
  await db.query(`insert into customer (id, name, class, contact_email, engineer) values ($1, '华东制造集团', 'group', 'it@acme.example', '王工')`, [CUSTOMER])
  await db.query(`insert into site (customer_id, id, name, distance_km) values ($1, 'hq', '上海总部', 12), ($1, 'sz', '苏州工厂', 95), ($1, 'hz', '杭州办事处', 170)`, [CUSTOMER])
  const inventory = (d: SeedDevice) =>
    d.category === 'pc'
      ? { os: { platform: 'win32', distro: Number(d.id.slice(3)) % 5 === 0 ? 'Microsoft Windows 7 Professional' : 'Microsoft Windows 10 Pro', release: '10.0.19045' }, disks: [{ device: 'sda', type: 'SSD', sizeBytes: 256e9, interface: 'SATA', model: 'Samsung 860 EVO' }] }
      : d.category.startsWith('server')
        ? { os: { platform: 'linux', distro: d.category === 'server-unix' ? 'Rocky Linux' : 'Windows Server 2019', release: '8.9' }, disks: [{ device: 'sdb', type: 'HD', sizeBytes: 2e12, interface: 'SAS', model: 'Seagate ST2000NM' }] }
        : null
  const lastSeen = (d: SeedDevice) => (d.id === 'pc-029' ? new Date(from.getTime() + 82 * DAY) : new Date(to.getTime() - HOUR))
  await db.query(
    `insert into device (id, customer, site, kind, hostname, status, category, model, serial, asset_tag, warranty_end, inventory, last_seen, first_seen, assigned_at)
     select d.id, $1, d.site, case when d.category in ('pc', 'server-windows', 'server-unix') then 'agent' else 'snmp' end, d.hostname,
            case when d.id = 'pc-029' then 'offline' else 'online' end, d.category, d.model, 'SN' || upper(d.id), 'ACME-' || upper(d.id),
            d.warranty::date, d.inventory::jsonb, d.last_seen, $2::timestamptz - interval '200 days', $2::timestamptz - interval '200 days'
       from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::timestamptz[]) as d(id, site, category, hostname, model, warranty, inventory, last_seen)`,
    [CUSTOMER, from, devices.map((d) => d.id), devices.map((d) => d.site), devices.map((d) => d.category), devices.map((d) => d.hostname), devices.map((d) => d.model), devices.map((d) => d.warrantyEnd), devices.map((d) => JSON.stringify(inventory(d))), devices.map(lastSeen)],
  )
  // What the last SNMP poll said: link speeds of the core switch's ports, the last UPS self-test.
  await db.query(`update device set state = '{"interfaces": [{"index": 1, "name": "GE1/0/1", "adminStatus": "up", "operStatus": "up", "speedBps": 1000000000}]}'::jsonb where id = 'sw-core'`)
  await db.query(`update device set state = '{"ups": {"lastSelfTest": "doneError", "lastSelfTestDate": "09/15/2026"}}'::jsonb where id = 'ups-02'`)
  const hours = `generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 hour')`
  const days = (t: string) => `extract(epoch from ${t} - $1::timestamptz) / 86400`
  const fs = facts.filesystems
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, f.id, 'fs.used_percent', f.mount, f.base + f.slope * ${days('t')}
       from unnest($3::text[], $4::text[], $5::float8[], $6::float8[]) as f(id, mount, base, slope) cross join ${hours} t`,
    [from, to, fs.map((f) => f.id), fs.map((f) => f.mount), fs.map((f) => f.base), fs.map((f) => f.slope)],
  )
  const computers = devices.filter((d) => d.category === 'pc' || d.category.startsWith('server')).map((d) => d.id)
  // CPU and memory every 6 h: a daily rhythm with a deterministic wobble per device.
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, c.id, m.metric, '', greatest(0, least(100, m.base + 25 * sin(extract(epoch from t) / 86400 * 2 * pi()) + c.n % 17))
       from unnest($3::text[]) with ordinality as c(id, n)
      cross join (values ('cpu.load_percent', 30.0), ('mem.used_percent', 55.0)) as m(metric, base)
      cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '6 hours') t`,
    [from, to, computers],
  )
  // SMART: one disk degrades on day 50, one fails on day 85.
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, c.id, 'disk.smart_ok', c.disk,
            case when c.id = 'pc-005' and t >= $1::timestamptz + interval '50 days' then 0.5
                 when c.id = 'srv-03' and t >= $1::timestamptz + interval '85 days' then 0 else 1 end
       from unnest($3::text[], $4::text[]) as c(id, disk) cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 day') t`,
    [from, to, computers, computers.map((id) => (id.startsWith('srv') ? 'sdb' : 'sda'))],
  )
  const sup = facts.supplies
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, s.id, 'printer.supply_percent', s.supply, greatest(0, s.start - s.per_day * ${days('t')})
       from unnest($3::text[], $4::text[], $5::float8[], $6::float8[]) as s(id, supply, start, per_day)
      cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 day') t`,
    [from, to, sup.map((s) => s.id), sup.map((s) => s.supply), sup.map((s) => s.start), sup.map((s) => s.perDay)],
  )
  const printers = devices.filter((d) => d.category === 'printer').map((d) => d.id)
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, p.id, 'printer.page_count', '', 10000 * p.n + 120 * p.n * ${days('t')}
       from unnest($3::text[]) with ordinality as p(id, n) cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 day') t`,
    [from, to, printers],
  )
  await db.query(
    `insert into device_event (time, device_id, severity, code, message)
     select $1::timestamptz + (k * interval '9 days'), 'prn-002', 'warning', 'printer.paper_jam', 'Paper jam in tray 2 (卡纸)' from generate_series(1, 6) k
     union all select $1::timestamptz + interval '33 days', 'prn-006', 'error', 'printer.service_requested', 'Fuser error 50.2'`,
    [from],
  )
  // Switch ports: errors every 6 h on two ports, one port flapping (down for an hour every 3 days).
  const switches = devices.filter((d) => d.category.startsWith('network')).map((d) => d.id)
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, s.id, m.metric, p.port,
            case m.metric when 'if.in_errors' then case when s.id = 'sw-sz' and p.port = 'GE1/0/7' then 12 else 0 end
                          when 'if.oper_up' then case when s.id = 'sw-hq' and p.port = 'GE1/0/3' and extract(hour from t) = 2 and extract(doy from t)::int % 3 = 0 then 0 else 1 end
                          else 1.2e7 * (1 + sin(extract(epoch from t) / 86400 * 2 * pi())) end
       from unnest($3::text[]) as s(id)
      cross join (values ('GE1/0/1'), ('GE1/0/3'), ('GE1/0/7')) as p(port)
      cross join (values ('if.in_errors'), ('if.oper_up'), ('if.in_bytes_per_second')) as m(metric)
      cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 hour') t
      where m.metric = 'if.oper_up' or extract(hour from t)::int % 6 = 0`,
    [from, to, switches],
  )
  await db.query(
    `insert into metric_sample (time, device_id, metric, instance, value)
     select t, u.id, m.metric, '', case m.metric when 'ups.charge_percent' then 100 - (case when u.id = 'ups-02' then 40 else 5 end) * ${days('t')} / 92
                                            when 'ups.runtime_seconds' then case when u.id = 'ups-02' then 1800 - 1380 * ${days('t')} / 92 else 2400 end
                                            else case when u.id = 'ups-01' and extract(doy from t)::int % 30 = 0 then 1 else 0 end end
       from unnest($3::text[]) as u(id) cross join (values ('ups.charge_percent'), ('ups.runtime_seconds'), ('ups.on_battery')) as m(metric)
      cross join generate_series($1::timestamptz, $2::timestamptz - interval '1 hour', interval '1 day') t`,
    [from, to, ['ups-01', 'ups-02']],
  )
  // Status: every device online since before the quarter; the spans above offline.
  await db.query(`insert into device_status_change (time, device_id, state, reason) select $1::timestamptz - interval '120 days', id, 'online', 'first report' from unnest($2::text[]) id`, [from, devices.map((d) => d.id)])
  for (const d of facts.downtime) {
    await db.query(`insert into device_status_change (time, device_id, state, reason) values ($1, $2, 'offline', 'no heartbeat for 3 intervals')`, [d.from, d.id])
    if (d.to) await db.query(`insert into device_status_change (time, device_id, state, reason) values ($1, $2, 'online', 'heartbeat')`, [d.to, d.id])
  }
  for (const t of facts.tickets) {
    const plus = (min: number | null) => (min === null ? null : new Date(t.openedAt.getTime() + min * 60_000))
    const device = devices.find((d) => d.id === t.id)!
    await db.query(
      `insert into ticket (device_id, customer, site, rule_id, problem_key, status, level, initial_level, title, opened_at, acknowledged_at, resolved_at, last_occurrence_at, repeat_count, response_due, resolve_due, problem_type, cause, method)
       values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $9, $12, $13, $14, $15, $16, $17)`,
      [t.id, CUSTOMER, device.site, t.problemKey, t.problemKey, t.resolveAfterMin === null ? 'acknowledged' : 'resolved', t.level, t.title, t.openedAt, plus(t.ackAfterMin), plus(t.resolveAfterMin), t.repeat, plus(t.responseMin), plus(t.resolveMin),
        t.resolveAfterMin === null ? null : 'hardware', t.resolveAfterMin === null ? null : 'worn pickup roller', t.resolveAfterMin === null ? null : 'replaced roller'],
    )
  }
  // One ticket in the previous quarter, for the quarter-over-quarter numbers.
  await db.query(
    `insert into ticket (device_id, customer, site, rule_id, problem_key, status, level, initial_level, title, opened_at, last_occurrence_at)
     values ('pc-001', $1, 'sz', 'cpu-high', 'cpu-high', 'closed', 'L4', 'L4', 'CPU high', $2::timestamptz - interval '30 days', $2::timestamptz - interval '30 days')`,
    [CUSTOMER, from],
  )
  return facts
}
