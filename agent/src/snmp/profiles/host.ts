import type { HostState, MetricPoint } from '@patrol/shared'
import type { Profile, ProfileContext, ProfileOutput } from '../profile.js'
import { round, scalar, tableRows } from '../table.js'
import { asNumber, asOid, asText, type VarbindMap } from '../values.js'
import { parseInterfaces, switchProfile } from './switch.js'

export const OID = {
  hrStorageEntry: '1.3.6.1.2.1.25.2.3.1', // HOST-RESOURCES-MIB hrStorageTable (RFC 2790)
  hrProcessorEntry: '1.3.6.1.2.1.25.3.3.1', // HOST-RESOURCES-MIB hrProcessorTable
  hrProcessorLoad: '1.3.6.1.2.1.25.3.3.1.2', // HOST-RESOURCES-MIB hrProcessorLoad
  hrStorageRam: '1.3.6.1.2.1.25.2.1.2', // HOST-RESOURCES-TYPES hrStorageRam
  hrStorageFixedDisk: '1.3.6.1.2.1.25.2.1.4',
  hrStorageNetworkDisk: '1.3.6.1.2.1.25.2.1.10',
  laLoad1: '1.3.6.1.4.1.2021.10.1.3.1', // UCD-SNMP-MIB laLoad.1 (one-minute load average, a string)
  ssCpuIdle: '1.3.6.1.4.1.2021.11.11', // UCD-SNMP-MIB ssCpuIdle
  memTotalReal: '1.3.6.1.4.1.2021.4.5', // UCD-SNMP-MIB memTotalReal (kB)
  memAvailReal: '1.3.6.1.4.1.2021.4.6', // UCD-SNMP-MIB memAvailReal (kB)
  ucdLa: '1.3.6.1.4.1.2021.10.1.3',
  ucdMemory: '1.3.6.1.4.1.2021.4',
  ucdSystemStats: '1.3.6.1.4.1.2021.11',
} as const

type Storage = HostState['storage'][number]

/** hrStorageSize/Used are Integer32: agents of large disks wrap them negative; read them unsigned. */
const unsigned32 = (n: number | undefined) => (n === undefined ? undefined : n < 0 ? n + 2 ** 32 : n)

export function parseHost(walked: VarbindMap, ctx: ProfileContext): ProfileOutput {
  const ts = ctx.now
  const points: MetricPoint[] = []
  const storage: Storage[] = []
  let memoryUsedPercent: number | undefined
  for (const row of tableRows(walked, OID.hrStorageEntry)) {
    const index = row.indexParts[0]
    if (index === undefined || !Number.isInteger(index)) continue
    const type = asOid(row.columns.get(2))
    const description = asText(row.columns.get(3)) || `storage ${index}`
    const unit = asNumber(row.columns.get(4))
    const size = unsigned32(asNumber(row.columns.get(5)))
    const used = unsigned32(asNumber(row.columns.get(6)))
    if (unit === undefined || unit <= 0 || size === undefined || used === undefined) continue
    const entry: Storage = { index, description, sizeBytes: size * unit, usedBytes: used * unit, usedPercent: size > 0 ? round((used / size) * 100, 1) : null }
    if (type === OID.hrStorageRam) entry.kind = 'ram'
    else if (type === OID.hrStorageFixedDisk || type === OID.hrStorageNetworkDisk) entry.kind = 'disk'
    else entry.kind = 'other'
    storage.push(entry)
    if (entry.kind === 'ram' && entry.usedPercent !== null) memoryUsedPercent = entry.usedPercent
    // Only real filesystems: virtual memory, buffers and caches are always "full" and mean nothing.
    if (entry.kind === 'disk' && entry.usedPercent !== null) {
      points.push({ ts, metric: 'host.storage_used_percent', instance: description, value: entry.usedPercent })
      points.push({ ts, metric: 'host.storage_used_bytes', instance: description, value: entry.usedBytes })
    }
  }

  const loads = [...walked.entries()]
    .filter(([oid]) => oid.startsWith(`${OID.hrProcessorLoad}.`))
    .map(([, value]) => asNumber(value))
    .filter((n): n is number => n !== undefined && n >= 0 && n <= 100)
  const idle = asNumber(scalar(walked, OID.ssCpuIdle))
  const cpuLoadPercent = loads.length > 0 ? round(loads.reduce((a, b) => a + b, 0) / loads.length, 1) : idle !== undefined ? 100 - idle : undefined

  // UCD's memAvailReal counts free memory without buffers and cache, closer to what users mean.
  const memTotal = asNumber(scalar(walked, OID.memTotalReal))
  const memAvail = asNumber(scalar(walked, OID.memAvailReal))
  if (memTotal && memAvail !== undefined && memTotal > 0) memoryUsedPercent = round(((memTotal - memAvail) / memTotal) * 100, 1)
  const load1 = asNumber(walked.get(OID.laLoad1))

  const host: HostState = { storage }
  if (cpuLoadPercent !== undefined) {
    host.cpuLoadPercent = cpuLoadPercent
    points.push({ ts, metric: 'host.cpu_load_percent', value: cpuLoadPercent })
  }
  if (memoryUsedPercent !== undefined) {
    host.memoryUsedPercent = memoryUsedPercent
    points.push({ ts, metric: 'host.memory_used_percent', value: memoryUsedPercent })
  }
  if (load1 !== undefined) {
    host.loadAverage1m = load1
    points.push({ ts, metric: 'host.load_avg_1m', value: load1 })
  }
  // Servers and NAS boxes have interfaces worth watching too; same parser as a switch.
  const ifs = parseInterfaces(walked, ctx)
  return { hostResources: host, interfaces: ifs.interfaces, points: [...points, ...ifs.points], state: ifs.state }
}

export const host: Profile = {
  name: 'host',
  priority: 20,
  // net-snmp fills hrProcessorLoad only after its first minute up, so the table's presence counts.
  probes: [OID.hrStorageEntry, OID.hrProcessorEntry, OID.ucdMemory],
  matches: (_system, present) => present.has(OID.hrStorageEntry) && (present.has(OID.hrProcessorEntry) || present.has(OID.ucdMemory)),
  roots: [OID.hrStorageEntry, OID.hrProcessorLoad, OID.ucdLa, OID.ucdMemory, OID.ucdSystemStats, ...switchProfile.roots],
  parse: parseHost,
}
