/**
 * A device id that survives restarts and reinstalls: derived from the hardware UUID (SMBIOS) or,
 * on machines without one (VMs, containers), the OS machine id; kept in the data folder so it
 * never changes under a running installation even if the hardware reports change.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isValidId } from '@patrol/shared'

export interface Identity {
  deviceId: string
  hostname: string
  source: 'config' | 'stored' | 'hardware-uuid' | 'machine-id' | 'mac'
}

export function deriveDeviceId(seed: string): string {
  return `dev-${createHash('sha256').update(seed.trim().toLowerCase()).digest('hex').slice(0, 16)}`
}

export async function resolveIdentity(dataDir: string, configured?: string): Promise<Identity> {
  const hostname = os.hostname()
  if (configured) return { deviceId: configured, hostname, source: 'config' }
  const file = path.join(dataDir, 'identity.json')
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { deviceId?: unknown }
    if (typeof stored.deviceId === 'string' && isValidId(stored.deviceId)) return { deviceId: stored.deviceId, hostname, source: 'stored' }
  } catch {
    // first start, or an unreadable file: derive again below
  }
  // Loaded here only: a first start needs it, every later start reads identity.json.
  const { default: si } = await import('systeminformation')
  const uuid = await si.uuid()
  const [seed, source]: [string, Identity['source']] = uuid.hardware && !/^0+(-0+)*$/.test(uuid.hardware)
    ? [uuid.hardware, 'hardware-uuid']
    : uuid.os
      ? [uuid.os, 'machine-id']
      : [uuid.macs.sort().join(',') || hostname, 'mac']
  const identity: Identity = { deviceId: deriveDeviceId(seed), hostname, source }
  await mkdir(dataDir, { recursive: true })
  await writeFile(file, JSON.stringify({ deviceId: identity.deviceId, source, createdAt: new Date().toISOString() }, null, 2))
  return identity
}
