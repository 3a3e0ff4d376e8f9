/**
 * Shared pieces of the resilience tests: an in-process collector wired to whatever PostgreSQL and
 * Mosquitto a test started (private ones, so they can be stopped), a publisher of hand-made
 * contract batches that resolves on the broker's PUBACK, and the counts that tell lost from
 * doubled.
 */
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { MqttClient } from 'mqtt'
import { buildTopic, connectMqtt, encodeMessage, waitForConnect, type MetricBatch } from '@patrol/shared'
import { loadCollectorConfig, type LoadedCollectorConfig, type RunningCollector } from '@patrol/collector'
import { startTestCollector } from '../support/targets.js'

export async function collectorConfig(databaseUrl: string, mqttUrl: string, topicPrefix: string, overrides: Partial<LoadedCollectorConfig> = {}): Promise<{ config: LoadedCollectorConfig; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'patrol-resilience-'))
  const config = loadCollectorConfig({
    env: {},
    overrides: { dataDir, port: 0, logLevel: 'warn', maintenanceIntervalS: 3600, databaseUrl, mqttUrl, topicPrefix, ingestClientId: `patrol-res-${randomUUID().slice(0, 8)}`, ...overrides },
  })
  return { config: { ...config, explicit: { port: false, mqttPort: true } }, cleanup: () => rm(dataDir, { recursive: true, force: true }) }
}

export function startCollectorOn(config: LoadedCollectorConfig): Promise<RunningCollector> {
  return startTestCollector(config)
}

/** `sentAt: null` leaves it out (an older agent, or a hand-made message). */
export function metricBatch(deviceId: string, points = 5, at = Date.now(), sentAt: number | null = at): MetricBatch {
  return {
    v: 1,
    kind: 'metrics',
    batchId: randomUUID(),
    deviceId,
    ...(sentAt === null ? {} : { sentAt }),
    points: Array.from({ length: points }, (_, i) => ({ ts: at, metric: 'test.value_count', instance: `i${i}`, value: i })),
  }
}

export interface Publisher {
  client: MqttClient
  /** Resolves on the broker's PUBACK (QoS 1). */
  send(deviceId: string, message: MetricBatch): Promise<void>
  close(): Promise<void>
}

export async function startPublisher(url: string, topicPrefix: string, clientId = `pub-${randomUUID().slice(0, 8)}`): Promise<Publisher> {
  const client = connectMqtt(url, { clientId, clean: true, minReconnectMs: 100, maxReconnectMs: 500 })
  await waitForConnect(client)
  return {
    client,
    send: (deviceId, message) => {
      const topic = buildTopic({ customer: 'acme', site: 'hq', device: deviceId, kind: 'metrics' }, topicPrefix)
      return new Promise<void>((resolve, reject) => client.publish(topic, encodeMessage('metrics', message), { qos: 1 }, (e) => (e ? reject(e) : resolve())))
    },
    close: async () => {
      await client.endAsync(true)
    },
  }
}

export interface Counts {
  batches: number
  samples: number
  distinctSamples: number
}

/** Batches and readings stored for these batch ids / devices, and how many readings are distinct. */
export async function countStored(databaseUrl: string, schema: string | undefined, batchIds: string[], devices: string[]): Promise<Counts> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const s = schema ? `${schema}.` : ''
    const { rows } = await client.query<Counts>(
      `select (select count(*)::int from ${s}ingested_batch where batch_id = any($1::uuid[])) as "batches",
              (select count(*)::int from ${s}metric_sample where device_id = any($2::text[])) as "samples",
              (select count(*)::int from (select distinct device_id, metric, instance, time from ${s}metric_sample where device_id = any($2::text[])) d) as "distinctSamples"`,
      [batchIds, devices],
    )
    return rows[0]!
  } finally {
    await client.end()
  }
}

export async function health(collector: RunningCollector): Promise<{ statusCode: number; body: { status: string; problems: string[]; ingest: { storedMessages: number; pending: number } } }> {
  const response = await collector.app.inject({ url: '/api/health' })
  return { statusCode: response.statusCode, body: response.json() }
}
