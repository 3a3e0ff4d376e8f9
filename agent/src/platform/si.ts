/**
 * systeminformation, loaded on first use. It adds ~10 MB to the agent's resident memory, and on
 * Linux the per-cycle collectors read /proc and /sys directly, so a Linux agent loads it only
 * where nothing cheaper exists (SMART fallback, first-start identity); the hourly inventory
 * runs in a short-lived child process (see inventory-process.ts).
 */
import type * as SystemInformationModule from 'systeminformation'

export type SystemInformation = typeof SystemInformationModule

export async function systeminformation(): Promise<SystemInformation> {
  const module = (await import('systeminformation')) as SystemInformation & { default?: SystemInformation }
  return module.default ?? module
}
