/**
 * What the console hears live: a ticket changed (opened, acknowledged, escalated, resolved, …) or a
 * device went online/offline. The database sends them (NOTIFY `patrol_live`, from the triggers of
 * migration 006); `parseLiveNotification` turns one payload into an event, or null when it is not
 * ours (another schema on the same server) or not well-formed (never throws: a bad payload must not
 * take the listener down).
 */
export const LIVE_CHANNEL = 'patrol_live'

interface LiveEventBase {
  /** Ticket id, or the device id for device events. */
  id: number | string
  customer: string
  site: string
  deviceId: string
  /** ISO time of the change, on the collector's clock. */
  at: string
}

export interface TicketLiveEvent extends LiveEventBase {
  type: 'ticket'
  id: number
  level: string
  /** The ticket's status after the change: open | acknowledged | in_progress | resolved | closed. */
  state: string
  /** What happened: the ticket_event kind (opened, acknowledge, escalated, recovered, comment, …). */
  kind: string
  title: string
}

export interface DeviceLiveEvent extends LiveEventBase {
  type: 'device'
  id: string
  status: string
  reason: string | null
}

export type LiveEvent = TicketLiveEvent | DeviceLiveEvent

const str = (v: unknown): v is string => typeof v === 'string'

export function parseLiveNotification(payload: string | undefined, schema: string): LiveEvent | null {
  if (!payload) return null
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(payload) as Record<string, unknown>
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null || raw.schema !== schema) return null
  const { customer, site, deviceId, at } = raw
  if (!str(customer) || !str(site) || !str(deviceId) || typeof at !== 'number' || !Number.isFinite(at)) return null
  const base = { customer, site, deviceId, at: new Date(at).toISOString() }
  if (raw.type === 'ticket') {
    const { id, level, state, kind, title } = raw
    if (typeof id !== 'number' || !str(level) || !str(state) || !str(kind) || !str(title)) return null
    return { type: 'ticket', id, ...base, level, state, kind, title }
  }
  if (raw.type === 'device') {
    const { id, status, reason } = raw
    if (!str(id) || !str(status)) return null
    return { type: 'device', id, ...base, status, reason: str(reason) ? reason : null }
  }
  return null
}
