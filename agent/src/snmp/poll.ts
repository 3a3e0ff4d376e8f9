import { LIMITS, type SnmpResult } from '@patrol/shared'
import { classifyError, SnmpError } from './errors.js'
import type { Profile, ProfileOutput, SystemInfo } from './profile.js'
import { ALL_PROBES, chooseProfile, probe, profileByName, readSystem } from './select.js'
import { openSession, type SessionOptions, type SnmpSession } from './session.js'
import { targetId, type SnmpTarget } from './targets.js'
import { walkSubtrees } from './walk.js'

export interface DeviceState {
  /** The profile chosen last time; re-probing every poll would double the requests. */
  profile?: string
  /** sysObjectID when the profile was chosen: another kind of device at the address means probe again. */
  sysObjectID?: string
  /** Whatever that profile keeps between polls (interface counters). */
  profileState?: unknown
}

export interface PollOptions {
  /** Clock for `ts`; tests pass a fixed one. */
  now?: () => number
  state?: DeviceState
  /** Opens the session; tests may pass their own. */
  open?: (options: SessionOptions) => SnmpSession
}

export function sessionOptions(target: SnmpTarget): SessionOptions {
  const options: SessionOptions = { host: target.host, port: target.port ?? 161, version: target.v3 ? '3' : (target.version ?? '2c') }
  if (target.community !== undefined) options.community = target.community
  if (target.v3) options.v3 = target.v3
  if (target.timeoutMs !== undefined) options.timeoutMs = target.timeoutMs
  if (target.retries !== undefined) options.retries = target.retries
  return options
}

/**
 * Polls one device now: system group, profile (probed the first time, remembered after), walk of
 * the profile's subtrees, parse. Never throws: every failure is a result with a status and the
 * reason, and a walk cut short still reports what it gathered, under the status of the failure.
 */
export async function pollDevice(target: SnmpTarget, options: PollOptions = {}): Promise<{ result: SnmpResult; state: DeviceState }> {
  const now = options.now ?? Date.now
  const started = performance.now()
  const ts = now()
  const state: DeviceState = { ...options.state }
  const result: SnmpResult = { target: targetId(target), host: target.host, ts, status: 'ok', points: [] }
  if (target.port !== undefined) result.port = target.port
  let session: SnmpSession | undefined
  try {
    session = (options.open ?? openSession)(sessionOptions(target))
    const system = await readSystem(session)
    result.system = system
    const profile = await resolveProfile(session, target, system, state)
    if (!profile) {
      result.error = `${session.label}: answers SNMP but no profile matches (sysObjectID ${system.sysObjectID ?? '?'})`
      return { result, state }
    }
    result.profile = profile.name
    const walk = await walkSubtrees(session, profile.roots, target.maxRepetitions ? { maxRepetitions: target.maxRepetitions } : {})
    const output = safeParse(profile, walk.varbinds, { now: ts, system, previous: state.profileState }, session.label)
    applyOutput(result, output)
    // After a failed walk the counters are incomplete: keep the old ones for the next rate.
    if (!walk.failure && output.state !== undefined) state.profileState = output.state
    if (walk.failure) {
      result.status = walk.failure.status
      result.error = walk.failure.message
    }
  } catch (error) {
    const failure = classifyError(error, `${target.host}:${target.port ?? 161}`)
    result.status = failure.status
    result.error = failure.message.slice(0, 1024)
    // The next poll probes again: the device may have been replaced by another.
    if (failure.status === 'bad-response') delete state.profile
  } finally {
    session?.close()
    result.durationMs = Math.round((performance.now() - started) * 10) / 10
  }
  if (result.error) result.error = result.error.slice(0, 1024)
  return { result, state }
}

async function resolveProfile(session: SnmpSession, target: SnmpTarget, system: SystemInfo, state: DeviceState): Promise<Profile | undefined> {
  if (state.profile && state.sysObjectID !== system.sysObjectID) delete state.profile
  const forced = target.profile ?? state.profile
  if (forced) {
    const profile = profileByName(forced)
    if (profile) return profile
    if (target.profile) throw new SnmpError('error', `${session.label}: unknown profile "${target.profile}" in the target configuration`)
  }
  const present = await probe(session, ALL_PROBES)
  const profile = chooseProfile(system, present)
  if (profile) {
    state.profile = profile.name
    if (system.sysObjectID) state.sysObjectID = system.sysObjectID
    else delete state.sysObjectID
  }
  return profile
}

/** A parser bug must cost one device one poll, not the poller. */
function safeParse(profile: Profile, ...args: [...Parameters<Profile['parse']>, string]): ProfileOutput {
  const [walked, ctx, label] = args
  try {
    return profile.parse(walked, ctx)
  } catch (error) {
    throw new SnmpError('error', `${label}: profile ${profile.name} failed to parse the walk: ${(error as Error)?.message}`)
  }
}

/** Keeps a result inside the contract's limits: a 400-port chassis must not make the message invalid. */
function applyOutput(result: SnmpResult, output: ProfileOutput): void {
  result.points = output.points.filter((p) => Number.isFinite(p.value)).slice(0, LIMITS.maxArrayItems)
  if (output.printer) result.printer = output.printer
  if (output.interfaces) result.interfaces = output.interfaces.slice(0, LIMITS.maxArrayItems)
  if (output.ups) result.ups = output.ups
  if (output.hostResources) result.hostResources = output.hostResources
}
