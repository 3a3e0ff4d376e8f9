import { Type, type Static } from '@sinclair/typebox'
import { envelopeFields, EpochMs, LIMITS, ShortText } from './common.js'

const opt = <T extends Parameters<typeof Type.Optional>[0]>(t: T) => Type.Optional(t)
const Text = opt(ShortText)
const Num = opt(Type.Number())
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  opt(Type.Array(item, { maxItems: LIMITS.maxArrayItems }))
const obj = <P extends Parameters<typeof Type.Object>[0]>(props: P) =>
  Type.Object(props, { additionalProperties: false })

/**
 * What an engineer is asked for before a repair (DOMAIN.md, IBM's list): model, serial, BIOS and
 * firmware, OS build, hardware configuration. Every field is optional: a reading that could not
 * be taken is left out, never guessed.
 */
export const Inventory = obj({
  system: opt(obj({ manufacturer: Text, model: Text, version: Text, serial: Text, uuid: Text, sku: Text, virtual: opt(Type.Boolean()) })),
  bios: opt(obj({ vendor: Text, version: Text, releaseDate: Text, revision: Text, uefi: opt(Type.Boolean()) })),
  baseboard: opt(obj({ manufacturer: Text, model: Text, version: Text, serial: Text })),
  chassis: opt(obj({ manufacturer: Text, type: Text, serial: Text, assetTag: Text })),
  cpu: opt(obj({ manufacturer: Text, brand: Text, speedGHz: Num, cores: Num, physicalCores: Num, sockets: Num })),
  memory: opt(
    obj({
      totalBytes: Num,
      modules: list(obj({ sizeBytes: Num, type: Text, clockMHz: Num, formFactor: Text, manufacturer: Text, partNum: Text, serial: Text, bank: Text })),
    }),
  ),
  disks: list(obj({ device: Text, type: Text, name: Text, vendor: Text, model: Text, serial: Text, firmware: Text, sizeBytes: Num, interface: Text, smartStatus: Text })),
  network: list(obj({ iface: Text, mac: Text, ip4: Text, ip6: Text, type: Text, speedMbps: Num, virtual: opt(Type.Boolean()) })),
  graphics: list(obj({ vendor: Text, model: Text, vramMB: Num, driverVersion: Text })),
  os: opt(obj({ platform: Text, distro: Text, release: Text, codename: Text, build: Text, kernel: Text, arch: Text, hostname: Text, fqdn: Text, domain: Text, servicePack: Text })),
  printers: list(obj({ name: Text, model: Text, status: Text, default: opt(Type.Boolean()), shared: opt(Type.Boolean()), local: opt(Type.Boolean()) })),
  battery: opt(obj({ manufacturer: Text, model: Text, serial: Text, designCapacityMWh: Num, maxCapacityMWh: Num, cycleCount: Num })),
  agent: opt(obj({ version: Text, node: Text, smartctl: Text })),
})
export type Inventory = Static<typeof Inventory>

/** `inventory`: sent at start, daily, and whenever it changes. */
export const InventoryMessage = obj({
  ...envelopeFields,
  kind: Type.Literal('inventory'),
  collectedAt: EpochMs,
  inventory: Inventory,
})
export type InventoryMessage = Static<typeof InventoryMessage>
