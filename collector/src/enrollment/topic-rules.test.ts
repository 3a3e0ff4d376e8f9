import { describe, expect, it } from 'vitest'
import { buildTopic, UPLINK_KINDS } from '@patrol/shared'
import { mayPublish, maySubscribe, mosquittoTopicLines, type Grant } from './topic-rules.js'

const agent: Grant = { role: 'agent', username: 'dev-pc1-abc', customer: 'acme', site: 'hq', device: 'pc1' }
const poller: Grant = { role: 'poller', username: 'dev-poll-abc', customer: 'acme', site: 'hq', device: 'poll' }
const t = (device: string, kind: Parameters<typeof buildTopic>[0]['kind'], site = 'hq', customer = 'acme', prefix = '') => buildTopic({ customer, site, device, kind }, prefix)

describe('MQTT topic rules', () => {
  it('lets an agent publish every uplink kind for itself, and nothing else', () => {
    for (const kind of UPLINK_KINDS) expect(mayPublish(agent, t('pc1', kind), '')).toBe(true)
    expect(mayPublish(agent, t('pc2', 'metrics'), '')).toBe(false)
    expect(mayPublish(agent, t('pc1', 'metrics', 'branch'), '')).toBe(false)
    expect(mayPublish(agent, t('pc1', 'metrics', 'hq', 'other'), '')).toBe(false)
    expect(mayPublish(agent, t('pc1', 'config'), '')).toBe(false)
    expect(mayPublish(agent, 'patrol/v1/acme/hq/pc1/metrics/extra', '')).toBe(false)
    expect(mayPublish(agent, 'somewhere/else', '')).toBe(false)
  })

  it('lets a poller publish for the other devices of its own site only', () => {
    expect(mayPublish(poller, t('printer-1', 'snmp'), '')).toBe(true)
    expect(mayPublish(poller, t('printer-1', 'snmp', 'branch'), '')).toBe(false)
    expect(mayPublish(poller, t('printer-1', 'config'), '')).toBe(false)
  })

  it('keeps to the topic prefix', () => {
    expect(mayPublish(agent, t('pc1', 'metrics', 'hq', 'acme', 'test/x'), 'test/x')).toBe(true)
    expect(mayPublish(agent, t('pc1', 'metrics'), 'test/x')).toBe(false)
    expect(maySubscribe(agent, t('pc1', 'config', 'hq', 'acme', 'test/x'), 'test/x')).toBe(true)
  })

  it('lets a device subscribe to its own config topic only, never a wildcard', () => {
    expect(maySubscribe(agent, t('pc1', 'config'), '')).toBe(true)
    for (const filter of [t('pc2', 'config'), 'patrol/v1/#', 'patrol/v1/acme/hq/+/config', 'patrol/v1/acme/hq/pc1/+', '#']) expect(maySubscribe(agent, filter, ''), filter).toBe(false)
  })

  it('lets a service account do anything', () => {
    const service: Grant = { role: 'service', username: 'collector' }
    expect(mayPublish(service, t('any', 'config'), '')).toBe(true)
    expect(maySubscribe(service, '#', '')).toBe(true)
  })

  it('writes the same rules as Mosquitto ACL lines', () => {
    expect(mosquittoTopicLines(agent, '')).toEqual([...UPLINK_KINDS.map((k) => `topic write patrol/v1/acme/hq/pc1/${k}`), 'topic read patrol/v1/acme/hq/pc1/config'])
    expect(mosquittoTopicLines(poller, 'p')[0]).toBe('topic write p/patrol/v1/acme/hq/+/metrics')
    expect(mosquittoTopicLines({ role: 'service', username: 'collector' }, '')).toEqual(['topic readwrite patrol/v1/#'])
  })
})
