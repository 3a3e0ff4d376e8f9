/**
 * MQTT topic scheme, the one place topics are built and parsed.
 *
 *   patrol/v1/<customer>/<site>/<device>/<kind>
 *
 * - `patrol` is a fixed root so the collector can share a broker with other systems.
 * - `v1` is the contract version; a v2 collector can subscribe to both during an upgrade.
 * - `customer`, `site` and `device` are ids: 1–64 of [A-Za-z0-9._-] (no wildcards, no slashes).
 * - `kind` says which payload schema applies (see `MessageKind`). `config` flows collector →
 *   agent; every other kind flows agent/poller → collector.
 *
 * A test deployment may put a prefix in front (`<prefix>/patrol/v1/...`) so several suites can
 * share one broker without seeing each other's messages.
 */
export const TOPIC_ROOT = 'patrol'
export const CONTRACT_VERSION = 1
export const TOPIC_VERSION = `v${CONTRACT_VERSION}` as const

export const UPLINK_KINDS = ['metrics', 'inventory', 'status', 'snmp', 'ping', 'event'] as const
export const DOWNLINK_KINDS = ['config'] as const
export const MESSAGE_KINDS = [...UPLINK_KINDS, ...DOWNLINK_KINDS] as const
export type UplinkKind = (typeof UPLINK_KINDS)[number]
export type MessageKind = (typeof MESSAGE_KINDS)[number]

export const ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$'
const ID_RE = new RegExp(ID_PATTERN)

export interface TopicAddress {
  customer: string
  site: string
  device: string
  kind: MessageKind
}

export function isValidId(id: string): boolean {
  return ID_RE.test(id)
}

function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return ''
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  if (/[#+]/.test(trimmed)) throw new Error(`topic prefix "${prefix}" must not contain MQTT wildcards`)
  return trimmed ? `${trimmed}/` : ''
}

export function buildTopic(address: TopicAddress, prefix?: string): string {
  for (const part of ['customer', 'site', 'device'] as const) {
    if (!isValidId(address[part])) {
      throw new Error(`topic ${part} id "${address[part]}" is invalid: expected 1–64 of [A-Za-z0-9._-]`)
    }
  }
  return `${normalisePrefix(prefix)}${TOPIC_ROOT}/${TOPIC_VERSION}/${address.customer}/${address.site}/${address.device}/${address.kind}`
}

/** The subscription a collector uses for everything agents and pollers send. */
export function uplinkSubscription(prefix?: string): string {
  return `${normalisePrefix(prefix)}${TOPIC_ROOT}/${TOPIC_VERSION}/+/+/+/+`
}

export type TopicParseResult =
  | { ok: true; address: TopicAddress }
  | { ok: false; reason: string }

export function parseTopic(topic: string, prefix?: string): TopicParseResult {
  const p = normalisePrefix(prefix)
  if (!topic.startsWith(p)) return { ok: false, reason: `topic "${topic}" is outside prefix "${p}"` }
  const parts = topic.slice(p.length).split('/')
  if (parts.length !== 6) {
    return { ok: false, reason: `topic "${topic}" must have 6 levels after the prefix: ${TOPIC_ROOT}/${TOPIC_VERSION}/<customer>/<site>/<device>/<kind>` }
  }
  const [root, version, customer, site, device, kind] = parts as [string, string, string, string, string, string]
  if (root !== TOPIC_ROOT) return { ok: false, reason: `topic root "${root}" is not "${TOPIC_ROOT}"` }
  if (version !== TOPIC_VERSION) {
    return { ok: false, reason: `topic contract version "${version}" is not supported (this collector speaks ${TOPIC_VERSION})` }
  }
  for (const [name, value] of [['customer', customer], ['site', site], ['device', device]] as const) {
    if (!isValidId(value)) return { ok: false, reason: `topic ${name} id "${value.slice(0, 80)}" is invalid` }
  }
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, reason: `topic kind "${kind.slice(0, 40)}" is unknown (known: ${MESSAGE_KINDS.join(', ')})` }
  }
  return { ok: true, address: { customer, site, device, kind: kind as MessageKind } }
}
