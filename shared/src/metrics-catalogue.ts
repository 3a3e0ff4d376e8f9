/**
 * The metrics the project's own agents and pollers emit: name, unit, and what it means. Rules,
 * dashboards and reports refer to these names; a test checks that every collector emits only
 * names listed here. Third-party agents may send other names that match the pattern; they are
 * stored the same way.
 */
export interface MetricInfo {
  unit: 'percent' | 'bytes' | 'bytes_per_second' | 'count' | 'count_per_second' | 'seconds' | 'milliseconds' | 'celsius' | 'ratio' | 'boolean' | 'volts' | 'hours' | 'state'
  description: string
  /** What `instance` holds for this metric, when it has one. */
  instance?: string
}

export const METRICS = {
  'cpu.load_percent': { unit: 'percent', description: 'CPU busy time over the last interval, all cores' },
  'cpu.load_avg_1m': { unit: 'ratio', description: 'one-minute load average (Unix)' },
  'cpu.temperature_celsius': { unit: 'celsius', description: 'main CPU package temperature where readable' },
  'mem.total_bytes': { unit: 'bytes', description: 'installed memory visible to the OS' },
  'mem.available_bytes': { unit: 'bytes', description: 'memory available for new work without swapping' },
  'mem.used_percent': { unit: 'percent', description: '100 × (total − available) / total' },
  'swap.total_bytes': { unit: 'bytes', description: 'swap / page file size' },
  'swap.used_bytes': { unit: 'bytes', description: 'swap / page file in use' },
  'fs.size_bytes': { unit: 'bytes', description: 'filesystem size', instance: 'mount point' },
  'fs.used_bytes': { unit: 'bytes', description: 'filesystem space in use', instance: 'mount point' },
  'fs.used_percent': { unit: 'percent', description: 'filesystem space in use, percent', instance: 'mount point' },
  'fs.inodes_used_percent': { unit: 'percent', description: 'inodes in use, percent (where the OS has inodes)', instance: 'mount point' },
  'disk.read_bytes_per_second': { unit: 'bytes_per_second', description: 'all disks, bytes read per second' },
  'disk.write_bytes_per_second': { unit: 'bytes_per_second', description: 'all disks, bytes written per second' },
  'disk.smart_ok': { unit: 'state', description: 'SMART verdict: 1 healthy, 0.5 warning, 0 failing, -1 unknown', instance: 'disk device' },
  'net.up': { unit: 'boolean', description: 'interface operational state (1 up, 0 down)', instance: 'interface' },
  'net.rx_bytes_per_second': { unit: 'bytes_per_second', description: 'bytes received per second', instance: 'interface' },
  'net.tx_bytes_per_second': { unit: 'bytes_per_second', description: 'bytes sent per second', instance: 'interface' },
  'net.rx_errors': { unit: 'count', description: 'receive errors since the previous reading', instance: 'interface' },
  'net.tx_errors': { unit: 'count', description: 'transmit errors since the previous reading', instance: 'interface' },
  'net.rx_dropped': { unit: 'count', description: 'receive drops since the previous reading', instance: 'interface' },
  'system.uptime_seconds': { unit: 'seconds', description: 'time since the last boot' },
  'system.processes': { unit: 'count', description: 'number of processes' },
} as const satisfies Record<string, MetricInfo>

export type KnownMetric = keyof typeof METRICS

export function isKnownMetric(name: string): name is KnownMetric {
  return Object.hasOwn(METRICS, name)
}
