import snmp from 'net-snmp'
import type { PollStatus } from '@patrol/shared'

/** A failed SNMP exchange with a status the poller reports as is, and context in the message. */
export class SnmpError extends Error {
  constructor(
    readonly status: Exclude<PollStatus, 'ok'>,
    message: string,
  ) {
    super(message)
    this.name = 'SnmpError'
  }
}

/**
 * Maps whatever net-snmp (or a socket) failed with to one of the statuses the contract knows.
 * `where` names the device and the OID so the message alone tells an engineer what broke.
 */
export function classifyError(error: unknown, where: string, version?: string): SnmpError {
  if (error instanceof SnmpError) return error
  const err = error as { name?: string; message?: string; code?: number; status?: number }
  const text = err?.message ?? String(error)
  switch (err?.name) {
    case 'RequestTimedOutError':
      // v1/v2c agents drop a wrong community silently, so from here it looks exactly like a timeout.
      // An SNMPv3 agent drops a message it cannot decrypt (wrong privacy key) just as silently.
      return new SnmpError('timeout', `${where}: no answer (device down, port closed, or ${version === '3' ? 'wrong privacy key' : 'wrong community'})`)
    case 'ResponseInvalidError':
      if (err.code === snmp.ResponseInvalidCode.EAuthFailure || err.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) {
        return new SnmpError('auth-failed', `${where}: SNMPv3 authentication failed (${text})`)
      }
      if (err.code === 14 /* ENotInTimeWindow, missing from @types/net-snmp */) return new SnmpError('auth-failed', `${where}: ${text}`)
      return new SnmpError('bad-response', `${where}: invalid response (${text})`)
    case 'RequestFailedError':
      // authorizationError: the credentials are good but not for this level or view (VACM).
      if (/AuthorizationError|NoAccess/.test(text)) return new SnmpError('auth-failed', `${where}: agent refused access (${text})`)
      return new SnmpError('error', `${where}: agent answered with error ${text}`)
    case 'RequestInvalidError':
      return new SnmpError('error', `${where}: request refused by net-snmp (${text})`)
    default:
      if (/Counter64|buffer|BER|length|decode|Expected/i.test(text)) return new SnmpError('bad-response', `${where}: undecodable response (${text})`)
      return new SnmpError('error', `${where}: ${text}`)
  }
}
