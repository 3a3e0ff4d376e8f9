/**
 * Writing and reading asset records. Upserts, so an import can be run again after editing the
 * file; a device named in a file but never seen is created unassigned to nobody but the file.
 */
import { ApiError } from '../api/errors.js'
import type { Queryable } from '../store/db.js'
import { validateCalendar, type ServiceCalendar } from '../tickets/sla/calendar.js'
import type { AssetFile, ContractInput, CustomerInput, DeviceAssetInput, SiteInput } from './schemas.js'

export async function upsertCustomer(db: Queryable, c: CustomerInput): Promise<void> {
  await db.query(
    `insert into customer (id, name, class, contact_email, engineer, language, time_zone) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (id) do update set name = excluded.name, class = excluded.class, contact_email = excluded.contact_email, engineer = excluded.engineer,
       language = excluded.language, time_zone = excluded.time_zone`,
    [c.id, c.name, c.class ?? 'member', c.contactEmail ?? null, c.engineer ?? null, c.language ?? 'zh-CN', c.timeZone ?? 'Asia/Shanghai'],
  )
}

export async function upsertSite(db: Queryable, s: SiteInput): Promise<void> {
  const { rows } = await db.query('select 1 from customer where id = $1', [s.customerId])
  if (!rows.length) throw new ApiError(400, 'BAD_REQUEST', `site ${s.customerId}/${s.id}: customer "${s.customerId}" does not exist`)
  await db.query(
    `insert into site (customer_id, id, name, address, distance_km) values ($1, $2, $3, $4, $5)
     on conflict (customer_id, id) do update set name = excluded.name, address = excluded.address, distance_km = excluded.distance_km`,
    [s.customerId, s.id, s.name, s.address ?? null, s.distanceKm ?? null],
  )
}

export async function upsertContract(db: Queryable, c: ContractInput): Promise<void> {
  const problems = validateCalendar(c.calendar as ServiceCalendar)
  if (problems.length) throw new ApiError(400, 'BAD_REQUEST', `contract ${c.id}: service calendar: ${problems.join('; ')}`)
  if (c.validTo < c.validFrom) throw new ApiError(400, 'BAD_REQUEST', `contract ${c.id}: validTo ${c.validTo} is before validFrom ${c.validFrom}`)
  const { rows } = await db.query('select 1 from customer where id = $1', [c.customerId])
  if (!rows.length) throw new ApiError(400, 'BAD_REQUEST', `contract ${c.id}: customer "${c.customerId}" does not exist`)
  await db.query(
    `insert into contract (id, customer_id, name, valid_from, valid_to, calendar, targets, escalation_contacts) values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb)
     on conflict (id) do update set customer_id = excluded.customer_id, name = excluded.name, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
       calendar = excluded.calendar, targets = excluded.targets, escalation_contacts = excluded.escalation_contacts`,
    [c.id, c.customerId, c.name, c.validFrom, c.validTo, JSON.stringify(c.calendar), JSON.stringify(c.targets), JSON.stringify(c.escalationContacts ?? [])],
  )
}

const DEVICE_FIELDS: [keyof DeviceAssetInput, string][] = [
  ['customer', 'customer'],
  ['site', 'site'],
  ['category', 'category'],
  ['assetTag', 'asset_tag'],
  ['criticality', 'criticality'],
  ['warrantyEnd', 'warranty_end'],
  ['model', 'model'],
  ['serial', 'serial'],
  ['maintainedBy', 'maintained_by'],
  ['parentDeviceId', 'parent_device_id'],
  ['importantPorts', 'important_ports'],
]

/** Sets the fields given (absent ones stay) and marks the device assigned. */
export async function assignDevice(db: Queryable, d: DeviceAssetInput, now = new Date()): Promise<boolean> {
  const given = DEVICE_FIELDS.filter(([key]) => d[key] !== undefined)
  const sets = given.map(([, column], i) => `${column} = $${i + 2}`)
  const values = given.map(([key]) => d[key])
  const { rowCount } = await db.query(`update device set ${[...sets, `assigned_at = $${given.length + 2}`].join(', ')} where id = $1`, [d.id, ...values, now])
  if (rowCount) return true
  // Known from the asset list before it ever reported: create it, in its customer and site.
  if (!d.customer || !d.site) throw new ApiError(400, 'BAD_REQUEST', `device ${d.id} has never reported; customer and site are needed to create it`)
  await db.query(`insert into device (id, customer, site, kind, last_seen) values ($1, $2, $3, 'agent', null)`, [d.id, d.customer, d.site])
  await db.query(`update device set ${[...sets, `assigned_at = $${given.length + 2}`].join(', ')} where id = $1`, [d.id, ...values, now])
  return false
}

export async function importAssets(db: Queryable, file: AssetFile): Promise<Record<keyof AssetFile, number>> {
  for (const c of file.customers) await upsertCustomer(db, c)
  for (const s of file.sites) await upsertSite(db, s)
  for (const c of file.contracts) await upsertContract(db, c)
  for (const d of file.devices) await assignDevice(db, d)
  return { customers: file.customers.length, sites: file.sites.length, contracts: file.contracts.length, devices: file.devices.length }
}

const clean = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T

export async function exportAssets(db: Queryable): Promise<AssetFile> {
  const [customers, sites, contracts, devices] = await Promise.all([
    db.query<{ id: string; name: string; class: 'group' | 'member' | 'free'; contact_email: string | null; engineer: string | null; language: 'zh-CN' | 'en'; time_zone: string }>(
      'select id, name, class, contact_email, engineer, language, time_zone from customer order by id',
    ),
    db.query<{ customer_id: string; id: string; name: string; address: string | null; distance_km: number | null }>('select customer_id, id, name, address, distance_km from site order by customer_id, id'),
    db.query<{ id: string; customer_id: string; name: string; valid_from: string; valid_to: string; calendar: ContractInput['calendar']; targets: ContractInput['targets']; escalation_contacts: string[] }>(
      "select id, customer_id, name, to_char(valid_from, 'YYYY-MM-DD') as valid_from, to_char(valid_to, 'YYYY-MM-DD') as valid_to, calendar, targets, escalation_contacts from contract order by id",
    ),
    db.query<Record<string, unknown>>(
      `select id, customer, site, category, asset_tag, criticality, to_char(warranty_end, 'YYYY-MM-DD') as warranty_end, model, serial, maintained_by, parent_device_id, important_ports
       from device where assigned_at is not null order by customer, site, id`,
    ),
  ])
  return {
    customers: customers.rows.map((c) => clean({ id: c.id, name: c.name, class: c.class, contactEmail: c.contact_email, engineer: c.engineer, language: c.language, timeZone: c.time_zone })),
    sites: sites.rows.map((s) => clean({ customerId: s.customer_id, id: s.id, name: s.name, address: s.address, distanceKm: s.distance_km })),
    contracts: contracts.rows.map((c) => ({ id: c.id, customerId: c.customer_id, name: c.name, validFrom: c.valid_from, validTo: c.valid_to, calendar: c.calendar, targets: c.targets, escalationContacts: c.escalation_contacts })),
    devices: devices.rows.map((d) =>
      clean({
        id: d.id as string,
        customer: d.customer as string,
        site: d.site as string,
        category: d.category as DeviceAssetInput['category'],
        assetTag: d.asset_tag as string | null,
        criticality: d.criticality as DeviceAssetInput['criticality'],
        warrantyEnd: d.warranty_end as string | null,
        model: d.model as string | null,
        serial: d.serial as string | null,
        maintainedBy: d.maintained_by as string | null,
        parentDeviceId: d.parent_device_id as string | null,
        importantPorts: d.important_ports as string[] | null,
      }),
    ),
  }
}
