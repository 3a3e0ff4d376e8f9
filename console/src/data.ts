/** Loaders several pages share. */
import { api, type Page } from './api.js'
import type { Customer, Device, Site, Ticket } from './types.js'

export const loadDevices = (query: Record<string, string | undefined> = {}) => api<Page<Device>>('/api/devices', { query: { limit: 1000, ...query } }).then((p) => p.items)

export const loadTickets = (query: Record<string, string | number | undefined> = {}) => api<Page<Ticket>>('/api/tickets', { query: { limit: 500, ...query } })

/**
 * Customers with their sites. A role that may not list customers still sees the ones its
 * devices belong to (named by id), so the overview never comes up empty for a viewer.
 */
export async function loadCustomers(devices: Device[]): Promise<Customer[]> {
  let customers: Customer[] = []
  try {
    customers = (await api<Page<Customer>>('/api/customers', { query: { limit: 500 } })).items
  } catch {
    customers = []
  }
  const byId = new Map(customers.map((c) => [c.id, { ...c, sites: [...(c.sites ?? [])] }]))
  for (const d of devices) {
    const c = byId.get(d.customer) ?? { id: d.customer, name: d.customer, sites: [] as Site[] }
    if (!c.sites.some((s) => s.id === d.site)) c.sites.push({ customerId: d.customer, id: d.site, name: d.site })
    byId.set(d.customer, c)
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id))
}

export interface Health {
  online: number
  offline: number
  unknown: number
}

export function health(devices: Device[]): Health {
  const h: Health = { online: 0, offline: 0, unknown: 0 }
  for (const d of devices) {
    if (d.status === 'online') h.online++
    else if (d.status === 'offline') h.offline++
    else h.unknown++
  }
  return h
}
