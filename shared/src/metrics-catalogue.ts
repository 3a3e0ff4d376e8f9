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
  // The raw SMART figures behind disk.smart_ok (shared/src/smart): stored so the collector's rule can
  // rebuild the reading and judge it with the same code. Absent when the disk does not report it.
  'smart.passed': { unit: 'boolean', description: 'SMART overall-health self-assessment passed (1) or failed (0)', instance: 'disk device' },
  'smart.exit_status': { unit: 'state', description: "smartctl's exit status bitmask (smartctl(8) RETURN VALUES)", instance: 'disk device' },
  'smart.attributes_failing_now': { unit: 'count', description: 'ATA attributes at or below their vendor threshold now', instance: 'disk device' },
  'smart.attributes_failed_past': { unit: 'count', description: 'ATA attributes that were at or below their vendor threshold in the past', instance: 'disk device' },
  'smart.reallocated_sectors': { unit: 'count', description: 'ATA 5 Reallocated_Sector_Ct, raw', instance: 'disk device' },
  'smart.reported_uncorrectable': { unit: 'count', description: 'ATA 187 Reported_Uncorrect, raw', instance: 'disk device' },
  'smart.command_timeouts': { unit: 'count', description: 'ATA 188 Command_Timeout, raw (Seagate triplets decoded)', instance: 'disk device' },
  'smart.pending_sectors': { unit: 'count', description: 'ATA 197 Current_Pending_Sector, raw', instance: 'disk device' },
  'smart.offline_uncorrectable': { unit: 'count', description: 'ATA 198 Offline_Uncorrectable, raw', instance: 'disk device' },
  'smart.temperature_celsius': { unit: 'celsius', description: 'disk temperature', instance: 'disk device' },
  'smart.temperature_limit_celsius': { unit: 'celsius', description: "the drive's own temperature limit (SCSI drive trip, ATA SCT limit)", instance: 'disk device' },
  'smart.power_on_hours': { unit: 'hours', description: 'power-on time', instance: 'disk device' },
  'nvme.critical_warning': { unit: 'state', description: 'NVMe critical_warning bitmask (0 = none)', instance: 'disk device' },
  'nvme.media_errors': { unit: 'count', description: 'NVMe unrecovered data integrity errors', instance: 'disk device' },
  'nvme.percentage_used': { unit: 'percent', description: "NVMe estimate of endurance used (may exceed 100)", instance: 'disk device' },
  'nvme.available_spare_percent': { unit: 'percent', description: 'NVMe remaining spare capacity', instance: 'disk device' },
  'nvme.available_spare_threshold_percent': { unit: 'percent', description: 'NVMe spare level below which the drive raises a critical warning', instance: 'disk device' },
  'scsi.grown_defects': { unit: 'count', description: 'SCSI/SAS grown defect list length (blocks remapped since shipping)', instance: 'disk device' },
  'scsi.uncorrected_errors': { unit: 'count', description: 'SCSI/SAS read plus write total uncorrected errors', instance: 'disk device' },
  'net.up': { unit: 'boolean', description: 'interface operational state (1 up, 0 down)', instance: 'interface' },
  'net.rx_bytes_per_second': { unit: 'bytes_per_second', description: 'bytes received per second', instance: 'interface' },
  'net.tx_bytes_per_second': { unit: 'bytes_per_second', description: 'bytes sent per second', instance: 'interface' },
  'net.rx_errors': { unit: 'count', description: 'receive errors since the previous reading', instance: 'interface' },
  'net.tx_errors': { unit: 'count', description: 'transmit errors since the previous reading', instance: 'interface' },
  'net.rx_dropped': { unit: 'count', description: 'receive drops since the previous reading', instance: 'interface' },
  'system.uptime_seconds': { unit: 'seconds', description: 'time since the last boot' },
  'system.processes': { unit: 'count', description: 'number of processes' },
  // Agent: top processes, battery, watched services, error-log summary (agent/src/collectors).
  'process.cpu_percent': { unit: 'percent', description: 'CPU share of the whole machine over the last interval, processes of one name added up (top 5)', instance: 'process name' },
  'process.memory_bytes': { unit: 'bytes', description: 'resident memory, processes of one name added up (top 5)', instance: 'process name' },
  'battery.charge_percent': { unit: 'percent', description: 'battery charge level', instance: 'battery' },
  'battery.wear_percent': { unit: 'percent', description: '100 × (1 − full-charge capacity / design capacity)', instance: 'battery' },
  'battery.cycle_count': { unit: 'count', description: 'charge cycles the battery reports', instance: 'battery' },
  'service.running': { unit: 'boolean', description: 'watched service running (1) or not (0)', instance: 'service name' },
  'log.critical_entries': { unit: 'count', description: 'critical/alert/emergency system log entries since the previous reading' },
  'log.error_entries': { unit: 'count', description: 'error-level system log entries since the previous reading' },
  // SNMP and ping polling by a site poller (agent/src/snmp, agent/src/ping); the device is the result's target.
  'printer.supply_percent': { unit: 'percent', description: 'marker supply level / max capacity (toner, ink, drum; for a waste receptacle: how full)', instance: 'supply description' },
  'printer.page_count': { unit: 'count', description: 'lifetime page (impression) count, prtMarkerLifeCount' },
  'printer.error_count': { unit: 'count', description: 'number of hrPrinterDetectedErrorState bits set (0 when all is well)' },
  'if.oper_up': { unit: 'boolean', description: 'ifOperStatus is up (1) or not (0)', instance: 'interface name' },
  'if.in_bytes_per_second': { unit: 'bytes_per_second', description: 'received octets per second since the previous poll', instance: 'interface name' },
  'if.out_bytes_per_second': { unit: 'bytes_per_second', description: 'sent octets per second since the previous poll', instance: 'interface name' },
  'if.in_errors': { unit: 'count', description: 'inbound errors since the previous poll', instance: 'interface name' },
  'if.out_errors': { unit: 'count', description: 'outbound errors since the previous poll', instance: 'interface name' },
  'if.in_discards': { unit: 'count', description: 'inbound discards since the previous poll', instance: 'interface name' },
  'if.out_discards': { unit: 'count', description: 'outbound discards since the previous poll', instance: 'interface name' },
  'ups.on_battery': { unit: 'boolean', description: 'the UPS runs on battery (1) or mains (0)' },
  'ups.battery_low': { unit: 'boolean', description: 'battery status is low, depleted or faulty (1) or normal (0)' },
  'ups.charge_percent': { unit: 'percent', description: 'estimated battery charge remaining' },
  'ups.runtime_seconds': { unit: 'seconds', description: 'estimated runtime on battery at the present load' },
  'ups.load_percent': { unit: 'percent', description: 'output load, percent of capacity (highest phase)' },
  'ups.input_volts': { unit: 'volts', description: 'input line voltage (lowest line)' },
  'host.cpu_load_percent': { unit: 'percent', description: 'average hrProcessorLoad over all processors (or 100 − UCD ssCpuIdle)' },
  'host.memory_used_percent': { unit: 'percent', description: 'physical memory in use, percent' },
  'host.load_avg_1m': { unit: 'ratio', description: 'one-minute load average from UCD-SNMP laLoad' },
  'host.storage_used_percent': { unit: 'percent', description: 'hrStorage fixed/network disk used, percent', instance: 'storage description' },
  'host.storage_used_bytes': { unit: 'bytes', description: 'hrStorage fixed/network disk used, bytes', instance: 'storage description' },
  'ping.up': { unit: 'boolean', description: 'the target answered at least one echo request (1) or none (0)' },
  'ping.rtt_ms': { unit: 'milliseconds', description: 'average round-trip time of the answered echo requests' },
  'ping.loss_percent': { unit: 'percent', description: 'echo requests without an answer, percent' },
} as const satisfies Record<string, MetricInfo>

export type KnownMetric = keyof typeof METRICS

export function isKnownMetric(name: string): name is KnownMetric {
  return Object.hasOwn(METRICS, name)
}
