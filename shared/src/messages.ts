import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { AgentConfigMessage } from './schemas/config.js'
import { LIMITS } from './schemas/common.js'
import { EventMessage } from './schemas/event.js'
import { InventoryMessage } from './schemas/inventory.js'
import { MetricBatch } from './schemas/metrics.js'
import { PingMessage, SnmpMessage } from './schemas/snmp.js'
import { StatusMessage } from './schemas/status.js'
import { parseTopic, type MessageKind, type TopicAddress } from './topics.js'

/** The schema for each topic kind: the single table both ends validate against. */
export const SCHEMAS = {
  metrics: MetricBatch,
  inventory: InventoryMessage,
  status: StatusMessage,
  snmp: SnmpMessage,
  ping: PingMessage,
  event: EventMessage,
  config: AgentConfigMessage,
} as const satisfies Record<MessageKind, TSchema>

export type MessageOf<K extends MessageKind> = Static<(typeof SCHEMAS)[K]>
export type UplinkMessage = MessageOf<'metrics' | 'inventory' | 'status' | 'snmp' | 'ping' | 'event'>
export type AnyMessage = MessageOf<MessageKind>

// Compiled on first use: an agent only ever checks the few kinds it sends, and compiling all of
// them at import cost it about 5 MB of start-up memory (measured by bench:agent).
const checkers: Partial<Record<MessageKind, TypeCheck<TSchema>>> = {}
function checkerFor(kind: MessageKind): TypeCheck<TSchema> {
  return (checkers[kind] ??= TypeCompiler.Compile(SCHEMAS[kind] as TSchema))
}

/** Why a message was refused. The code is stable (counted and stored); the text is for people. */
export type RejectCode =
  | 'topic'
  | 'too-large'
  | 'not-json'
  | 'schema'
  | 'version'
  | 'device-mismatch'
  | 'kind-mismatch'
  | 'clock'
  | 'unknown-device'
  | 'database'

export class ContractError extends Error {
  constructor(
    readonly code: RejectCode,
    message: string,
  ) {
    super(message)
    this.name = 'ContractError'
  }
}

/** Validate a value against one kind's schema; throws ContractError listing the first problems. */
export function validateMessage<K extends MessageKind>(kind: K, value: unknown): MessageOf<K> {
  const checker = checkerFor(kind)
  if (checker.Check(value)) return value as MessageOf<K>
  const problems: string[] = []
  for (const error of checker.Errors(value)) {
    problems.push(`${error.path || '/'}: ${error.message}`)
    if (problems.length >= 5) break
  }
  const version = (value as { v?: unknown } | null)?.v
  if (value !== null && typeof value === 'object' && version !== 1) {
    throw new ContractError('version', `payload contract version ${JSON.stringify(version)} is not supported (expected v: 1)`)
  }
  throw new ContractError('schema', `invalid ${kind} payload: ${problems.join('; ')}`)
}

export type DecodeResult =
  | { ok: true; address: TopicAddress; message: AnyMessage; bytes: number }
  | { ok: false; code: RejectCode; reason: string; address?: TopicAddress; bytes: number }

/**
 * Turn one MQTT message into a validated contract message, or a reason why not. Never throws:
 * whatever arrives on the wire, the caller gets a result it can store.
 */
export function decodeMessage(
  topic: string,
  payload: Uint8Array,
  options: { prefix?: string; maxPayloadBytes?: number } = {},
): DecodeResult {
  const bytes = payload.byteLength
  const parsed = parseTopic(topic, options.prefix)
  if (!parsed.ok) return { ok: false, code: 'topic', reason: parsed.reason, bytes }
  const { address } = parsed
  const max = options.maxPayloadBytes ?? LIMITS.maxPayloadBytes
  if (bytes > max) {
    return { ok: false, code: 'too-large', reason: `payload is ${bytes} bytes, over the ${max}-byte limit`, address, bytes }
  }
  let value: unknown
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, code: 'not-json', reason: `payload is not JSON: ${(error as Error).message.slice(0, 200)}`, address, bytes }
  }
  // PostgreSQL text cannot hold NUL; refuse it here with a clear reason rather than in the database.
  if (text.includes('\\u0000')) {
    return { ok: false, code: 'schema', reason: 'payload contains a NUL character (\\u0000), which cannot be stored', address, bytes }
  }
  try {
    const message = validateMessage(address.kind, value)
    if (message.kind !== address.kind) {
      return { ok: false, code: 'kind-mismatch', reason: `payload kind "${message.kind}" does not match topic kind "${address.kind}"`, address, bytes }
    }
    if ('deviceId' in message && message.deviceId !== address.device) {
      return {
        ok: false,
        code: 'device-mismatch',
        reason: `payload deviceId "${message.deviceId}" does not match topic device "${address.device}"`,
        address,
        bytes,
      }
    }
    return { ok: true, address, message, bytes }
  } catch (error) {
    if (error instanceof ContractError) return { ok: false, code: error.code, reason: error.message, address, bytes }
    return { ok: false, code: 'schema', reason: `validation failed: ${(error as Error).message}`, address, bytes }
  }
}

/** Serialise an outgoing message after checking it, so a producer cannot send what the collector will refuse. */
export function encodeMessage<K extends MessageKind>(kind: K, message: MessageOf<K>): Buffer {
  validateMessage(kind, message)
  return Buffer.from(JSON.stringify(message))
}
