import { SnmpTarget } from '@patrol/shared'
import { TypeCompiler } from '@sinclair/typebox/compiler'

// The schema lives in the shared contract so the collector validates the targets it pushes.
export { SnmpTarget, SnmpV3Settings } from '@patrol/shared'

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
