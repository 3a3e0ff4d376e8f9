/**
 * Messages from the collector to one agent: today its configuration, published retained on the
 * device's own `config` topic so an agent that connects later still gets it.
 */
import { buildTopic, encodeMessage, type AgentConfigMessage } from '@patrol/shared'

export interface Downlink {
  publish(topic: string, payload: Buffer, options: { retain: boolean }): Promise<void>
}

export interface DeviceAddress {
  customer: string
  site: string
  device: string
}

export async function pushAgentConfig(downlink: Downlink, address: DeviceAddress, config: Omit<AgentConfigMessage, 'v' | 'kind' | 'issuedAt'>, prefix: string): Promise<AgentConfigMessage> {
  const message: AgentConfigMessage = { v: 1, kind: 'config', issuedAt: Date.now(), ...config }
  await downlink.publish(buildTopic({ ...address, kind: 'config' }, prefix), encodeMessage('config', message), { retain: true })
  return message
}
