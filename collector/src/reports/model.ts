/**
 * The report as data: what `buildReport` returns and what the renderers read. Every section's data
 * is typed here so tests can check numbers without parsing HTML.
 */
import type { Queryable } from '../store/db.js'
import type { Formatter } from './format.js'
import type { Lang } from './i18n.js'
import type { ReportPeriod } from './period.js'

export interface ReportDevice {
  id: string
  name: string
  site: string
  category: string
  model: string | null
  serial: string | null
  assetTag: string | null
  warrantyEnd: string | null
  status: string
  lastSeen: Date | null
  inventory: Record<string, unknown> | null
  state: Record<string, unknown> | null
}

export interface ReportCustomer {
  id: string
  name: string
  engineer: string | null
  sites: { id: string; name: string }[]
}

export type Severity = 'critical' | 'warning' | 'info'

/** A finding with why it was made and what to do: the report's 服务建议. */
export interface Finding {
  severity: Severity
  deviceId: string | null
  /** Stable key, so an engineer's edit can be matched to the finding it changes. */
  key: string
  text: string
  recommendation: string
}

export interface AvailabilityDevice {
  deviceId: string
  name: string
  site: string
  downMs: number
  percent: number
}
export interface DowntimeIncident {
  deviceId: string
  name: string
  start: Date
  end: Date | null
  durationMs: number
  reason: string | null
}
export interface AvailabilityData {
  overallPercent: number
  previousOverallPercent: number | null
  perSite: { site: string; name: string; percent: number; devices: number }[]
  perDevice: AvailabilityDevice[]
  incidents: DowntimeIncident[]
}

export interface FilesystemForecast {
  deviceId: string
  name: string
  mount: string
  usedPercent: number
  growthPerDay: number
  daysUntilFull: number | null
}
export interface ComputersData {
  devices: number
  filesystems: FilesystemForecast[]
  disks: { deviceId: string; name: string; disk: string; verdict: 'ok' | 'warning' | 'failing' | 'unknown' }[]
  load: { deviceId: string; name: string; cpuAvg: number | null; cpuMax: number | null; memAvg: number | null; memMax: number | null }[]
  osVersions: { os: string; devices: number; outdated: boolean }[]
  /** Devices whose operating system is past its end of support. */
  outdatedOs: { deviceId: string; name: string; os: string }[]
  /** Daily mean of CPU over all computers, for the trend chart. */
  cpuTrend: { day: Date; value: number }[]
}

export interface SupplyForecast {
  deviceId: string
  name: string
  supply: string
  percent: number
  usedPerMonth: number
  daysUntilEmpty: number | null
}
export interface PrintersData {
  devices: number
  supplies: SupplyForecast[]
  pages: { deviceId: string; name: string; pages: number }[]
  errors: { deviceId: string; name: string; jams: number; errors: number }[]
  totalPages: number
  /** Consumables used per calendar month (customer's time zone), in whole cartridges: the sum of
   *  every supply's level drops (refills ignored) / 100. */
  monthly: { month: string; cartridges: number }[]
}

export interface NetworkData {
  devices: number
  ports: { deviceId: string; name: string; port: string; errors: number; flaps: number; peakBps: number; speedBps: number | null; peakPercent: number | null }[]
}

export interface UpsData {
  devices: {
    deviceId: string
    name: string
    minCharge: number | null
    lastRuntimeMin: number | null
    /** Hours in the period with a reading on battery. */
    onBatteryEvents: number
    batteryLowHours: number
    /** The last self-test as the UPS reports it now (UPS-MIB/PowerNet keep only the last one). */
    selfTest: string | null
    selfTestDate: string | null
  }[]
}

export interface TicketsData {
  opened: number
  resolved: number
  previousOpened: number | null
  byLevel: { level: string; opened: number; resolved: number }[]
  medianResponseMs: number | null
  medianResolveMs: number | null
  /** Share of tickets with a response deadline that were acknowledged by it, 0–100; null if none. */
  responseCompliance: number | null
  resolveCompliance: number | null
  /** Share of tickets judged (a deadline passed or was met) that met every deadline, 0–100. */
  slaCompliance: number | null
  repeats: { deviceId: string; name: string; title: string; count: number }[]
  problemReports: { id: number; name: string; title: string; problemType: string | null; cause: string | null; method: string | null }[]
}

export interface InventoryData {
  devices: { deviceId: string; name: string; category: string; model: string | null; serial: string | null; assetTag: string | null; warrantyEnd: string | null; warranty: 'valid' | 'ending' | 'expired' | 'unknown' }[]
  endingSoon: number
}

export interface SummaryData {
  grade: 'A' | 'B' | 'C' | 'D'
  devices: number
  keyNumbers: { key: 'availability' | 'tickets' | 'slaCompliance' | 'findings' | 'pagesPrinted'; current: number | null; previous: number | null; unit: 'percent' | 'count' }[]
}

export interface InspectionsData {
  /** Visits saved from the pre-inspection checklist in this period, oldest first. */
  visits: { id: string; site: string; siteName: string; engineer: string; visitedAt: Date; done: number; total: number; open: string[]; notes: string | null }[]
}

export interface FindingsData {
  findings: Finding[]
}

export interface ReportSections {
  summary: SummaryData
  availability: AvailabilityData
  computers: ComputersData
  printers: PrintersData
  network: NetworkData
  ups: UpsData
  tickets: TicketsData
  inventory: InventoryData
  inspections: InspectionsData
  findings: FindingsData
}
export type SectionId = keyof ReportSections

export interface ReportMeta {
  customer: ReportCustomer
  /** When a report covers one site only. */
  site: string | null
  period: ReportPeriod
  lang: Lang
  tz: string
  generatedAt: Date
  devices: number
}

export interface ReportData {
  meta: ReportMeta
  sections: ReportSections
}

export interface SectionContext {
  db: Queryable
  meta: ReportMeta
  devices: ReportDevice[]
  byId: Map<string, ReportDevice>
  fmt: Formatter
  /** Sections collected so far (summary and findings run last and read the others). */
  done: Partial<ReportSections>
  /** FROM item for hourly aggregates over the period (hourly.ts); metric_hourly when absent. */
  hourly?: string
}

/** One report section: how to gather its data and how to print it. One file each in sections/. */
export interface Section<K extends SectionId> {
  id: K
  /** Sections that read other sections' data are collected after them. */
  after?: SectionId[]
  collect(ctx: SectionContext): Promise<ReportSections[K]>
  /** HTML fragment; empty string to leave the section out. */
  render(data: ReportSections[K], fmt: Formatter, report: ReportData): string
}
