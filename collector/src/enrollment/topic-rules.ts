/**
 * What an MQTT account may do, as one rule set shared by the embedded broker (checked per packet)
 * and the Mosquitto ACL generator (written out as `topic` lines), so the two cannot drift apart.
 *
 * - `agent`:   publishes only uplink kinds under its own device, reads only its own config topic;
 * - `poller`:  may also publish for other devices of its own customer and site (the SNMP/ping
 *              targets it polls), reads only its own config topic;
 * - `service`: the collector itself, and test publishers: everything (like a Mosquitto superuser).
 */
import { DOWNLINK_KINDS, parseTopic, TOPIC_ROOT, TOPIC_VERSION, UPLINK_KINDS } from '@patrol/shared'

export const DEVICE_ROLES = ['agent', 'poller'] as const
export type DeviceRole = (typeof DEVICE_ROLES)[number]

export type Grant =
  | { role: 'service'; username: string }
  | { role: DeviceRole; username: string; customer: string; site: string; device: string; credentialId?: string }

const normalisePrefix = (prefix: string) => {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  return trimmed ? `${trimmed}/` : ''
}

/** `[prefix/]patrol/v1/`, the start of every topic the contract knows. */
export const topicRoot = (prefix: string): string => `${normalisePrefix(prefix)}${TOPIC_ROOT}/${TOPIC_VERSION}/`

export function mayPublish(grant: Grant, topic: string, prefix: string): boolean {
  if (grant.role === 'service') return true
  const parsed = parseTopic(topic, prefix)
  if (!parsed.ok) return false
  const { address } = parsed
  if (!(UPLINK_KINDS as readonly string[]).includes(address.kind)) return false
  if (address.customer !== grant.customer || address.site !== grant.site) return false
  return grant.role === 'poller' || address.device === grant.device
}

export function maySubscribe(grant: Grant, filter: string, prefix: string): boolean {
  if (grant.role === 'service') return true
  return filter === configTopic(grant, prefix)
}

export function configTopic(grant: { customer: string; site: string; device: string }, prefix: string): string {
  return `${topicRoot(prefix)}${grant.customer}/${grant.site}/${grant.device}/${DOWNLINK_KINDS[0]}`
}

/** The same rules as Mosquitto ACL `topic` lines (Mosquitto allows what any line allows). */
export function mosquittoTopicLines(grant: Grant, prefix: string): string[] {
  if (grant.role === 'service') return [`topic readwrite ${topicRoot(prefix)}#`]
  const device = grant.role === 'poller' ? '+' : grant.device
  return [
    ...UPLINK_KINDS.map((kind) => `topic write ${topicRoot(prefix)}${grant.customer}/${grant.site}/${device}/${kind}`),
    `topic read ${configTopic(grant, prefix)}`,
  ]
}
