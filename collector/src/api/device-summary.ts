/**
 * What an engineer looks at first, built from a device's latest readings and its inventory:
 * CPU, memory, each filesystem, disks, network and the identity of the machine.
 */
import type { Inventory } from '@patrol/shared'

export type Latest = Record<string, [number, number]>

function split(key: string): [string, string] {
  const i = key.indexOf('|')
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)]
}

/** latest["metric|instance"] → { metric: { instance: { value, at } } } */
export function groupLatest(latest: Latest): Record<string, Record<string, { value: number; at: string }>> {
  const grouped: Record<string, Record<string, { value: number; at: string }>> = {}
  for (const [key, [ts, value]] of Object.entries(latest)) {
    const [metric, instance] = split(key)
    ;(grouped[metric] ??= {})[instance] = { value, at: new Date(ts).toISOString() }
  }
  return grouped
}

export function summarise(latest: Latest, inventory: Inventory | null, staleBefore: number) {
  const fresh = Object.fromEntries(Object.entries(latest).filter(([, [ts]]) => ts >= staleBefore))
  const g = groupLatest(fresh)
  const one = (metric: string) => g[metric]?.['']?.value
  const per = (metric: string) => Object.keys(g[metric] ?? {})
  const filesystems = per('fs.used_percent')
    .sort()
    .map((mount) => ({
      mount,
      sizeBytes: g['fs.size_bytes']?.[mount]?.value,
      usedBytes: g['fs.used_bytes']?.[mount]?.value,
      usedPercent: g['fs.used_percent']?.[mount]?.value,
      inodesUsedPercent: g['fs.inodes_used_percent']?.[mount]?.value,
    }))
  const interfaces = [...new Set([...per('net.up'), ...per('net.rx_bytes_per_second')])].sort().map((iface) => ({
    iface,
    up: g['net.up']?.[iface]?.value === 1,
    rxBytesPerSecond: g['net.rx_bytes_per_second']?.[iface]?.value,
    txBytesPerSecond: g['net.tx_bytes_per_second']?.[iface]?.value,
    mac: inventory?.network?.find((n) => n.iface === iface)?.mac,
  }))
  const disks = (inventory?.disks ?? []).map((d) => ({ ...d, smartOk: d.device ? g['disk.smart_ok']?.[d.device]?.value : undefined }))
  return {
    cpu: { loadPercent: one('cpu.load_percent'), loadAvg1m: one('cpu.load_avg_1m'), temperatureCelsius: one('cpu.temperature_celsius') },
    memory: { totalBytes: one('mem.total_bytes'), availableBytes: one('mem.available_bytes'), usedPercent: one('mem.used_percent') },
    swap: { totalBytes: one('swap.total_bytes'), usedBytes: one('swap.used_bytes') },
    uptimeSeconds: one('system.uptime_seconds'),
    filesystems,
    disks,
    network: interfaces,
    identity: inventory
      ? {
          manufacturer: inventory.system?.manufacturer,
          model: inventory.system?.model,
          serial: inventory.system?.serial,
          bios: inventory.bios,
          os: inventory.os ? { name: inventory.os.distro, version: inventory.os.release, build: inventory.os.build, arch: inventory.os.arch, hostname: inventory.os.hostname } : undefined,
          cpu: inventory.cpu?.brand ? `${inventory.cpu.manufacturer ?? ''} ${inventory.cpu.brand}`.trim() : undefined,
        }
      : null,
  }
}
