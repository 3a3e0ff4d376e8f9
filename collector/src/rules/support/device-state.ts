/** Reading the printer part of a device's last SNMP poll (shared/src/schemas/snmp.ts PrinterState). */
import type { PrinterState, PrinterSupply, UpsState, InterfaceState } from '@patrol/shared'
import type { DeviceSnapshot } from './rule.js'

export function printerOf(snapshot: DeviceSnapshot): PrinterState | null {
  const printer = snapshot.state?.printer as PrinterState | undefined
  return printer && Array.isArray(printer.supplies) && Array.isArray(printer.errors) ? printer : null
}

export function upsOf(snapshot: DeviceSnapshot): UpsState | null {
  return (snapshot.state?.ups as UpsState | undefined) ?? null
}

export function interfacesOf(snapshot: DeviceSnapshot): InterfaceState[] {
  const list = snapshot.state?.interfaces
  return Array.isArray(list) ? (list as InterfaceState[]) : []
}

/** Toner, ink and the like: what runs out. A waste receptacle is "full" at 100 % and is not one. */
export function isConsumable(supply: PrinterSupply): boolean {
  if (supply.supplyClass && /filled/i.test(supply.supplyClass) && !/consumed/i.test(supply.supplyClass)) return false
  return !/waste/i.test(`${supply.type} ${supply.description}`)
}

export function supplyName(supply: PrinterSupply): string {
  return supply.description || `${supply.type} ${supply.index}`
}
