import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const obj = <P extends Parameters<typeof Type.Object>[0]>(props: P) => Type.Object(props, { additionalProperties: false })

export const V3Settings = obj({
  user: Type.String({ minLength: 1, maxLength: 32 }),
  securityLevel: Type.Union([Type.Literal('noAuthNoPriv'), Type.Literal('authNoPriv'), Type.Literal('authPriv')]),
  authProtocol: Type.Optional(Type.Union(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'].map((p) => Type.Literal(p as 'sha')))),
  authKey: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
  privProtocol: Type.Optional(Type.Union(['des', 'aes', 'aes256b', 'aes256r'].map((p) => Type.Literal(p as 'aes')))),
  privKey: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
})

/** One device a site poller watches, as pushed from the collector's per-site configuration. */
export const SnmpTarget = obj({
  /** The device's id in reports; derived from host and port when absent. */
  id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })),
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2c'), Type.Literal('3')])),
  community: Type.Optional(Type.String({ maxLength: 256 })),
  v3: Type.Optional(V3Settings),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  maxRepetitions: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  /** Seconds between polls of this device; the poller's interval when absent. */
  intervalS: Type.Optional(Type.Number({ minimum: 5, maximum: 86_400 })),
  /** Skip selection and use this profile. */
  profile: Type.Optional(Type.String({ maxLength: 64 })),
  /** Poll over SNMP (default true) and ping (default true). */
  snmp: Type.Optional(Type.Boolean()),
  ping: Type.Optional(Type.Boolean()),
})
export type SnmpTarget = Static<typeof SnmpTarget>

const checkTarget = TypeCompiler.Compile(SnmpTarget)

/** Validates a target from configuration; throws with the first problems and the target's host. */
export function parseTarget(value: unknown): SnmpTarget {
  if (checkTarget.Check(value)) return value
  const problems = [...checkTarget.Errors(value)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`)
  const host = (value as { host?: unknown } | null)?.host
  throw new Error(`invalid SNMP target${typeof host === 'string' ? ` ${host}` : ''}: ${problems.join('; ')}`)
}

/** The id results carry: the configured one, else `host` or `host_port` made id-safe. */
export function targetId(target: Pick<SnmpTarget, 'id' | 'host' | 'port'>): string {
  if (target.id) return target.id
  const base = target.port && target.port !== 161 ? `${target.host}_${target.port}` : target.host
  return base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)
}
