/**
 * What an engineer is asked for before a repair (DOMAIN.md, IBM's list), gathered when the ticket
 * opens: model, serial, BIOS/firmware, OS build, the readings that triggered the rule with their
 * recent history, and the last error-log summary.
 */
import type { DeviceSnapshot, Finding } from '../rules/support/rule.js'

export interface Diagnostics {
  model: string | null
  serial: string | null
  manufacturer: string | null
  bios: { vendor?: string; version?: string; releaseDate?: string } | null
  os: { distro?: string; release?: string; build?: string; kernel?: string } | null
  firmware: string | null
  trigger: Record<string, unknown>
  history: Record<string, { t: string; v: number }[]>
  errorLog: { time: string; severity: string; code: string; message: string }[]
  disks?: unknown
}

const HISTORY_POINTS = 60
export const ERROR_EVENTS = 10

export interface ErrorLogEntry {
  time: string
  severity: string
  code: string
  message: string
}

/** The diagnostics from the snapshot, the asset record and the last error-log entries (see tickets/open.ts for the query). */
export function buildDiagnostics(snapshot: DeviceSnapshot, finding: Finding, asset: { model: string | null; serial: string | null }, errorLog: ErrorLogEntry[]): Diagnostics {
  const inv = snapshot.inventory
  const system = snapshot.state?.system as { sysDescr?: string } | undefined
  const printer = snapshot.state?.printer as { serialNumber?: string } | undefined
  const history: Diagnostics['history'] = {}
  for (const key of finding.series ?? []) {
    const points = snapshot.history[key]
    if (points?.length) history[key] = points.slice(-HISTORY_POINTS).map((p) => ({ t: new Date(p.ts).toISOString(), v: p.value }))
    else if (snapshot.latest[key]) history[key] = [{ t: new Date(snapshot.latest[key][0]).toISOString(), v: snapshot.latest[key][1] }]
  }
  return {
    model: asset.model ?? inv?.system?.model ?? null,
    serial: asset.serial ?? inv?.system?.serial ?? printer?.serialNumber ?? null,
    manufacturer: inv?.system?.manufacturer ?? null,
    bios: inv?.bios ? { vendor: inv.bios.vendor, version: inv.bios.version, releaseDate: inv.bios.releaseDate } : null,
    os: inv?.os ? { distro: inv.os.distro, release: inv.os.release, build: inv.os.build, kernel: inv.os.kernel } : null,
    firmware: system?.sysDescr ?? null,
    trigger: finding.readings,
    history,
    errorLog: errorLog.map((e) => ({ ...e, message: e.message.slice(0, 500) })),
    ...(inv?.disks ? { disks: inv.disks.map((d) => ({ device: d.device, model: d.model, serial: d.serial, firmware: d.firmware })) } : {}),
  }
}
