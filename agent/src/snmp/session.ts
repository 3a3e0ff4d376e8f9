import snmp from 'net-snmp'
import { classifyError, SnmpError } from './errors.js'
import type { SnmpValue } from './values.js'
import { normaliseOid } from './values.js'

export type SnmpVersion = '1' | '2c' | '3'

export interface V3Credentials {
  user: string
  securityLevel: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv'
  authProtocol?: 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512'
  authKey?: string
  privProtocol?: 'des' | 'aes' | 'aes256b' | 'aes256r'
  privKey?: string
}

export interface SessionOptions {
  host: string
  port?: number
  version?: SnmpVersion
  community?: string
  v3?: V3Credentials
  timeoutMs?: number
  retries?: number
}

export interface Varbind {
  oid: string
  value: SnmpValue
  /** endOfMibView / noSuchObject / noSuchInstance: the agent has nothing there. */
  missing?: 'endOfMibView' | 'noSuchObject' | 'noSuchInstance'
}

/** A promise-shaped SNMP session to one device. Every method rejects with an SnmpError. */
export interface SnmpSession {
  readonly label: string
  readonly version: SnmpVersion
  get(oids: string[]): Promise<Varbind[]>
  getNext(oids: string[]): Promise<Varbind[]>
  /** One GETBULK: for each requested OID, the repetitions that followed it. */
  getBulk(oids: string[], maxRepetitions: number): Promise<Varbind[][]>
  close(): void
}

const AUTH = { md5: snmp.AuthProtocols.md5, sha: snmp.AuthProtocols.sha, sha224: snmp.AuthProtocols.sha224, sha256: snmp.AuthProtocols.sha256, sha384: snmp.AuthProtocols.sha384, sha512: snmp.AuthProtocols.sha512 } as const
const PRIV = { des: snmp.PrivProtocols.des, aes: snmp.PrivProtocols.aes, aes256b: snmp.PrivProtocols.aes256b, aes256r: snmp.PrivProtocols.aes256r } as const
const LEVEL = { noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv, authNoPriv: snmp.SecurityLevel.authNoPriv, authPriv: snmp.SecurityLevel.authPriv } as const

export function openSession(options: SessionOptions): SnmpSession {
  const port = options.port ?? 161
  const version: SnmpVersion = options.v3 ? '3' : (options.version ?? '2c')
  const label = `${options.host}:${port}`
  const common = {
    port,
    timeout: options.timeoutMs ?? 2000,
    retries: options.retries ?? 1,
    backoff: 1,
    // We check OID order ourselves so a looping agent gives a clear status with the data so far.
    backwardsGetNexts: true,
    transport: 'udp4' as const,
  }
  let raw: snmp.Session
  if (version === '3') {
    const v3 = options.v3
    if (!v3) throw new SnmpError('error', `${label}: SNMPv3 needs a user`)
    const user: snmp.User = { name: v3.user, level: LEVEL[v3.securityLevel] }
    if (v3.securityLevel !== 'noAuthNoPriv') {
      if (!v3.authKey) throw new SnmpError('error', `${label}: SNMPv3 ${v3.securityLevel} needs an auth key`)
      user.authProtocol = AUTH[v3.authProtocol ?? 'sha']
      user.authKey = v3.authKey
    }
    if (v3.securityLevel === 'authPriv') {
      if (!v3.privKey) throw new SnmpError('error', `${label}: SNMPv3 authPriv needs a privacy key`)
      user.privProtocol = PRIV[v3.privProtocol ?? 'aes']
      user.privKey = v3.privKey
    }
    raw = snmp.createV3Session(options.host, user, { ...common, version: snmp.Version3 })
  } else {
    raw = snmp.createSession(options.host, options.community ?? 'public', { ...common, version: version === '1' ? snmp.Version1 : snmp.Version2c })
  }

  // net-snmp emits 'error' for datagrams it cannot decode; without a listener that would kill the
  // process. Remember it: when the request then times out, the honest status is bad-response.
  let undecodable: string | undefined
  raw.on('error', (error: Error) => {
    undecodable = error?.message ?? String(error)
  })
  let closed = false

  function call<T>(what: string, oids: string[], start: (cb: (error: Error | null, result?: T) => void) => void): Promise<T> {
    const where = `${label} ${what} ${oids.slice(0, 3).join(',')}${oids.length > 3 ? ',…' : ''}`
    return new Promise<T>((resolve, reject) => {
      if (closed) return reject(new SnmpError('error', `${where}: session closed`))
      undecodable = undefined
      try {
        start((error, result) => {
          if (error) {
            if (error.name === 'RequestTimedOutError' && undecodable) {
              reject(new SnmpError('bad-response', `${where}: answers could not be decoded (${undecodable})`))
            } else reject(classifyError(error, where, version))
          } else resolve(result as T)
        })
      } catch (error) {
        // net-snmp throws synchronously for things like bad OID strings.
        reject(classifyError(error, where, version))
      }
    })
  }

  return {
    label,
    version,
    async get(oids) {
      const vbs = await call<snmp.Varbind[]>('GET', oids, (cb) => raw.get(oids, cb))
      return vbs.map(fromNetSnmp)
    },
    async getNext(oids) {
      const vbs = await call<snmp.Varbind[]>('GETNEXT', oids, (cb) => raw.getNext(oids, cb))
      return vbs.map(fromNetSnmp)
    },
    async getBulk(oids, maxRepetitions) {
      const rows = await call<(snmp.Varbind | snmp.Varbind[])[]>('GETBULK', oids, (cb) => raw.getBulk(oids, 0, maxRepetitions, cb))
      return rows.map((column) => (Array.isArray(column) ? column : [column]).map(fromNetSnmp))
    },
    close() {
      if (closed) return
      closed = true
      try {
        raw.close()
      } catch {
        // already closed by a socket error; nothing left to release
      }
    },
  }
}

/** net-snmp's varbind → our value. Never throws: unknown shapes become `null`. */
export function fromNetSnmp(vb: snmp.Varbind): Varbind {
  const oid = normaliseOid(String(vb.oid))
  const type = vb.type as number | undefined
  const v = vb.value as unknown
  if (type === 130) return { oid, value: { kind: 'null' }, missing: 'endOfMibView' }
  if (type === 128) return { oid, value: { kind: 'null' }, missing: 'noSuchObject' }
  if (type === 129) return { oid, value: { kind: 'null' }, missing: 'noSuchInstance' }
  switch (type) {
    case 2:
      return { oid, value: typeof v === 'number' ? { kind: 'int', value: v } : { kind: 'null' } }
    case 65:
    case 66:
    case 67:
      return { oid, value: typeof v === 'number' ? { kind: 'unsigned', value: v >>> 0 } : { kind: 'null' } }
    case 70:
      return { oid, value: counter64(v) }
    case 4:
    case 68:
      return { oid, value: Buffer.isBuffer(v) ? { kind: 'octets', value: v } : typeof v === 'string' ? { kind: 'octets', value: Buffer.from(v) } : { kind: 'null' } }
    case 6:
      return { oid, value: typeof v === 'string' ? { kind: 'oid', value: normaliseOid(v) } : { kind: 'null' } }
    case 64:
      return { oid, value: typeof v === 'string' ? { kind: 'ip', value: v } : { kind: 'null' } }
    default:
      return { oid, value: { kind: 'null' } }
  }
}

function counter64(v: unknown): SnmpValue {
  if (typeof v === 'bigint') return { kind: 'counter64', value: v }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return { kind: 'counter64', value: BigInt(v) }
  if (Buffer.isBuffer(v) && v.length <= 9) {
    let n = 0n
    for (const byte of v) n = (n << 8n) | BigInt(byte)
    return { kind: 'counter64', value: n & 0xffff_ffff_ffff_ffffn }
  }
  return { kind: 'null' }
}
