import { PROFILES } from './profiles/index.js'
import type { Profile, SystemInfo } from './profile.js'
import type { SnmpSession } from './session.js'
import { SnmpError } from './errors.js'
import { asNumber, asOid, asText, isUnder } from './values.js'

export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
} as const // SNMPv2-MIB system group (RFC 3418)

/** Reads the system group in one GET. A device that answers nothing here is not an SNMP device. */
export async function readSystem(session: SnmpSession): Promise<SystemInfo> {
  const varbinds = await session.get(Object.values(SYSTEM_OIDS))
  const byOid = new Map(varbinds.map((vb) => [vb.oid, vb.missing ? undefined : vb.value]))
  const system: SystemInfo = {}
  const descr = asText(byOid.get(SYSTEM_OIDS.sysDescr), 1024)
  if (descr !== undefined) system.sysDescr = descr
  const objectId = asOid(byOid.get(SYSTEM_OIDS.sysObjectID))
  if (objectId !== undefined) system.sysObjectID = objectId.slice(0, 256)
  const ticks = asNumber(byOid.get(SYSTEM_OIDS.sysUpTime))
  if (ticks !== undefined) system.sysUpTimeS = ticks / 100
  for (const key of ['sysContact', 'sysName', 'sysLocation'] as const) {
    const text = asText(byOid.get(SYSTEM_OIDS[key]))
    if (text) system[key] = text
  }
  if (system.sysDescr === undefined && system.sysObjectID === undefined && system.sysUpTimeS === undefined) {
    throw new SnmpError('bad-response', `${session.label}: the agent answered no system group (sysDescr, sysObjectID, sysUpTime)`)
  }
  return system
}

/**
 * Which probe OIDs the agent has something under, from one GETNEXT carrying them all.
 * SNMPv1 fails a whole GETNEXT when one varbind runs off the end, so there it asks one at a time.
 */
export async function probe(session: SnmpSession, probes: string[]): Promise<Set<string>> {
  const present = new Set<string>()
  const unique = [...new Set(probes)]
  const record = (root: string, oid: string | undefined, missing: unknown) => {
    if (oid && !missing && isUnder(oid, root)) present.add(root)
  }
  if (session.version === '1') {
    for (const root of unique) {
      try {
        const [vb] = await session.getNext([root])
        record(root, vb?.oid, vb?.missing)
      } catch (error) {
        if (!(error instanceof SnmpError && error.status === 'error')) throw error
      }
    }
    return present
  }
  const answer = await session.getNext(unique)
  unique.forEach((root, i) => record(root, answer[i]?.oid, answer[i]?.missing))
  return present
}

/** The profile for what the device answered: the highest priority that matches, if any. */
export function chooseProfile(system: SystemInfo, present: ReadonlySet<string>, profiles: readonly Profile[] = PROFILES): Profile | undefined {
  return [...profiles].sort((a, b) => b.priority - a.priority).find((profile) => profile.matches(system, present))
}

export function profileByName(name: string): Profile | undefined {
  return PROFILES.find((profile) => profile.name === name)
}

export const ALL_PROBES = [...new Set(PROFILES.flatMap((profile) => profile.probes))]
