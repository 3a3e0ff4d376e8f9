// The hardware and software inventory an engineer is asked for before a repair (DOMAIN.md):
// vendor, model, serial, BIOS, board, chassis, CPU, memory modules, disks, NICs, graphics, OS,
// printers, battery. Source: systeminformation's static readers (DMI/SMBIOS, WMI, lsblk, CUPS).
// These are slow (tens to hundreds of ms each, some spawn processes) and change rarely, so the
// runtime takes them hourly and sends the inventory only when it changed, or once a day. The
// service (`agent run`) reads it in a short-lived child process (platform/inventory-process.ts):
// systeminformation and the readings' garbage then never weigh on the agent's resident memory.
import os from 'node:os'
import type { Inventory } from '@patrol/shared'
import { systeminformation } from '../platform/si.js'
import { defineCollector } from './collector.js'

/** SMBIOS fields that vendors fill with placeholders; an absent value is better than a fake one. */
const PLACEHOLDERS = /^(|-|none|n\/a|unknown|default string|to be filled by o\.e\.m\.|system (product name|serial number|manufacturer)|not applicable|not specified|0+|0123456789)$/i

export function clean(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  const text = String(value).trim().slice(0, 256)
  return PLACEHOLDERS.test(text) ? undefined : text
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

/** Drops undefined fields so the message (and its change hash) holds only what was read. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

export type InventoryReader = () => Promise<Inventory>

let reader: InventoryReader = readInventory

/** Where the inventory collector gets its reading: in this process (default) or a child process. */
export function setInventoryReader(next: InventoryReader): void {
  reader = next
}

export const inventory = defineCollector({
  name: 'inventory',
  every: { seconds: 3600 },
  async collect() {
    return { inventory: await reader() }
  },
})

export async function readInventory(): Promise<Inventory> {
  const si = await systeminformation()
  {
    const [system, bios, baseboard, chassis, cpu, mem, memLayout, diskLayout, nics, graphics, osInfo, printers, battery] =
      await Promise.all([
        si.system(), si.bios(), si.baseboard(), si.chassis(), si.cpu(), si.mem(), si.memLayout(), si.diskLayout(),
        si.networkInterfaces(), si.graphics(), si.osInfo(), si.printer().catch(() => []), si.battery(),
      ])
    const domain = osInfo.fqdn && osInfo.fqdn.includes('.') ? osInfo.fqdn.slice(osInfo.fqdn.indexOf('.') + 1) : undefined
    const result: Inventory = {
      system: compact({ manufacturer: clean(system.manufacturer), model: clean(system.model), version: clean(system.version), serial: clean(system.serial), uuid: clean(system.uuid), sku: clean(system.sku), virtual: system.virtual }),
      bios: compact({ vendor: clean(bios.vendor), version: clean(bios.version), releaseDate: clean(bios.releaseDate), revision: clean(bios.revision), uefi: osInfo.uefi ?? undefined }),
      baseboard: compact({ manufacturer: clean(baseboard.manufacturer), model: clean(baseboard.model), version: clean(baseboard.version), serial: clean(baseboard.serial) }),
      chassis: compact({ manufacturer: clean(chassis.manufacturer), type: clean(chassis.type), serial: clean(chassis.serial), assetTag: clean(chassis.assetTag) }),
      cpu: compact({ manufacturer: clean(cpu.manufacturer), brand: clean(cpu.brand), speedGHz: num(cpu.speed), cores: num(cpu.cores), physicalCores: num(cpu.physicalCores), sockets: num(Number(cpu.processors)) }),
      memory: compact({
        totalBytes: mem.total,
        modules: memLayout.map((m) => compact({ sizeBytes: num(m.size), type: clean(m.type), clockMHz: num(m.clockSpeed), formFactor: clean(m.formFactor), manufacturer: clean(m.manufacturer), partNum: clean(m.partNum), serial: clean(m.serialNum), bank: clean(m.bank) })),
      }),
      disks: diskLayout.map((d) => compact({ device: clean(d.device), type: clean(d.type), name: clean(d.name), vendor: clean(d.vendor), model: clean(d.name), serial: clean(d.serialNum), firmware: clean(d.firmwareRevision), sizeBytes: num(d.size), interface: clean(d.interfaceType), smartStatus: clean(d.smartStatus) })),
      network: nics
        .filter((n) => !n.internal)
        .map((n) => compact({ iface: clean(n.iface), mac: clean(n.mac), ip4: clean(n.ip4), ip6: clean(n.ip6), type: clean(n.type), speedMbps: num(n.speed), virtual: n.virtual })),
      graphics: graphics.controllers.map((g) => compact({ vendor: clean(g.vendor), model: clean(g.model), vramMB: num(g.vram), driverVersion: clean(g.driverVersion) })),
      os: compact({ platform: clean(osInfo.platform), distro: clean(osInfo.distro), release: clean(osInfo.release), codename: clean(osInfo.codename), build: clean(osInfo.build), kernel: clean(osInfo.kernel), arch: clean(osInfo.arch), hostname: clean(osInfo.hostname) ?? os.hostname(), fqdn: clean(osInfo.fqdn), domain, servicePack: clean(osInfo.servicepack) }),
      printers: printers.map((p) => compact({ name: clean(p.name) ?? 'printer', model: clean(p.model), status: clean(p.status), default: p.default, shared: p.shared, local: p.local })),
      ...(battery.hasBattery
        ? { battery: compact({ manufacturer: clean(battery.manufacturer), model: clean(battery.model), serial: clean(battery.serial), designCapacityMWh: num(battery.designedCapacity), maxCapacityMWh: num(battery.maxCapacity), cycleCount: num(battery.cycleCount) }) }
        : {}),
      agent: compact({ node: process.version }),
    }
    return result
  }
}
