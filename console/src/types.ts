/** The shapes the console reads from the API (the collector's routes define them). */
export type Role = 'viewer' | 'engineer' | 'manager' | 'admin'
export const ROLES: readonly Role[] = ['viewer', 'engineer', 'manager', 'admin']
export const roleAtLeast = (role: Role, min: Role) => ROLES.indexOf(role) >= ROLES.indexOf(min)

export interface User {
  id: string
  username: string
  displayName?: string | null
  role: Role
  customers: string[] | 'all'
  language: 'zh-CN' | 'en'
}

export interface Site {
  customerId: string
  id: string
  name: string
  address?: string | null
  distanceKm?: number | null
}

export interface Customer {
  id: string
  name: string
  class?: string | null
  language?: string | null
  timeZone?: string | null
  sites?: Site[]
}

export interface DeviceSummary {
  cpu: { loadPercent?: number; loadAvg1m?: number; temperatureCelsius?: number }
  memory: { totalBytes?: number; availableBytes?: number; usedPercent?: number }
  swap: { totalBytes?: number; usedBytes?: number }
  uptimeSeconds?: number
  filesystems: { mount: string; sizeBytes?: number; usedBytes?: number; usedPercent?: number; inodesUsedPercent?: number }[]
  disks: { device?: string; name?: string; type?: string; sizeBytes?: number; interface?: string; model?: string; serial?: string; smartOk?: number }[]
  network: { iface: string; up: boolean; rxBytesPerSecond?: number; txBytesPerSecond?: number; mac?: string }[]
  identity: {
    manufacturer?: string
    model?: string
    serial?: string
    bios?: { vendor?: string; version?: string; releaseDate?: string }
    os?: { name?: string; version?: string; build?: string; arch?: string; hostname?: string }
    cpu?: string
  } | null
}

export interface Device {
  id: string
  customer: string
  site: string
  kind: 'agent' | 'snmp' | 'ping' | string
  hostname: string | null
  status: 'online' | 'offline' | 'unknown' | string
  statusReason: string | null
  lastSeen: string | null
  firstSeen: string
  summary: DeviceSummary
}

export interface DeviceDetail extends Device {
  latest: Record<string, Record<string, { value: number; at: string }>>
  inventory: Record<string, unknown> | null
  inventoryAt: string | null
}

export type Clock = { dueAt: string; remainingMs?: number; overdue?: boolean; paused?: boolean } | { metAt: string; met: boolean } | null

export interface Ticket {
  id: number
  deviceId: string
  customer: string
  site: string
  ruleId: string
  status: 'open' | 'acknowledged' | 'in_progress' | 'resolved' | 'closed'
  level: 'L1' | 'L2' | 'L3' | 'L4'
  title: string
  openedAt: string
  acknowledgedAt: string | null
  resolvedAt: string | null
  closedAt: string | null
  assignee: string | null
  occurrences: number
  repeatFault: boolean
  outsideContract: boolean
  sla: { response: Clock; onsite: Clock; resolve: Clock; waitingOnCustomerSince: string | null; escalationStage: number }
  problemReport: { problemType: string | null; cause: string | null; method: string | null; loss: string | null }
  diagnostics?: Record<string, unknown>
  history?: { time: string; kind: string; actor: string | null; text: string | null; data: unknown }[]
}

/** An archived report (the collector's reports/archive.ts ArchiveEntry, files left out). */
export interface Report {
  id: string
  customer: string
  site: string | null
  periodLabel: string
  lang: string
  version: number
  status: 'draft' | 'issued' | string
  generatedAt: string
  generatedBy: string
  pdfMissing: string | null
  emailedAt: string | null
}

export interface SiteReview {
  customer: string
  site: { id: string; name: string }
  generatedAt: string
  problems: { deviceId: string; name: string; problem: string }[]
  tickets: { id: number; name: string; level: string; title: string; status: string; openedAt: string }[]
  notSeen: { deviceId: string; name: string; lastSeen: string | null }[]
  toReplace: { deviceId: string; name: string; part: string; why: string }[]
  bringList: { kind: string; item: string; quantity: number; for: string[] }[]
  checklist: string[]
}
