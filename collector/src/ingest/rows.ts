/**
 * Turns accepted messages into the rows one flush writes: pure, so it is tested without a
 * database. Times are epoch milliseconds on the collector's clock (offset applied).
 */
import { createHash } from 'node:crypto'
import type { MetricPoint } from '@patrol/shared'
import type { AcceptedMessage } from './accepted.js'

export interface DeviceRow {
  id: string
  customer: string
  site: string
  kind: 'agent' | 'snmp' | 'ping'
  hostname: string | null
  lastSeen: number | null
  producer: string | null
  intervalS: number | null
  clockOffsetMs: number | null
}

export interface PointColumns {
  time: number[]
  device: string[]
  metric: string[]
  instance: string[]
  value: number[]
}

export interface FlushRows {
  devices: DeviceRow[]
  points: PointColumns
  /** device → "metric|instance" → [time, value], newest per key */
  latest: Record<string, Record<string, [number, number]>>
  statuses: { device_id: string; ts: number; state: string; reason: string | null }[]
  /** Devices that sent data: marked online if they were not. */
  alive: { device_id: string; ts: number }[]
  events: { device_id: string; ts: number; severity: string; code: string; message: string; source: string | null; data: unknown }[]
  inventories: { device_id: string; ts: number; hash: string; inventory: unknown }[]
  states: { device_id: string; ts: number; state: unknown }[]
  /** Rows each message adds, by batch id, for the ingested_batch record. */
  rowsPerBatch: Map<string, number>
}

export function latestKey(metric: string, instance: string): string {
  return `${metric}|${instance}`
}

export function emptyRows(): FlushRows {
  return {
    devices: [],
    points: { time: [], device: [], metric: [], instance: [], value: [] },
    latest: {},
    statuses: [],
    alive: [],
    events: [],
    inventories: [],
    states: [],
    rowsPerBatch: new Map(),
  }
}

export function buildRows(items: readonly AcceptedMessage[]): FlushRows {
  const rows = emptyRows()
  const devices = new Map<string, DeviceRow>()
  const newestStatus = new Map<string, FlushRows['statuses'][number]>()
  const alive = new Map<string, number>()

  const touch = (row: DeviceRow) => {
    const existing = devices.get(row.id)
    if (!existing) return void devices.set(row.id, row)
    existing.lastSeen = Math.max(existing.lastSeen ?? 0, row.lastSeen ?? 0) || null
    existing.hostname = row.hostname ?? existing.hostname
    existing.producer = row.producer ?? existing.producer
    existing.intervalS = row.intervalS ?? existing.intervalS
    existing.clockOffsetMs = row.clockOffsetMs ?? existing.clockOffsetMs
  }
  const markAlive = (device: string, ts: number) => alive.set(device, Math.max(alive.get(device) ?? 0, ts))
  const addPoints = (device: string, points: readonly MetricPoint[], offset: number) => {
    const latest = (rows.latest[device] ??= {})
    for (const p of points) {
      const time = p.ts + offset
      const instance = p.instance ?? ''
      rows.points.time.push(time)
      rows.points.device.push(device)
      rows.points.metric.push(p.metric)
      rows.points.instance.push(instance)
      rows.points.value.push(p.value)
      const key = latestKey(p.metric, instance)
      const previous = latest[key]
      if (!previous || previous[0] <= time) latest[key] = [time, p.value]
    }
  }

  for (const item of items) {
    const { message, address, clockOffsetMs: offset, receivedAt } = item
    const producer = message.producer ? `${message.producer.name}/${message.producer.version}` : null
    const sender: DeviceRow = {
      id: message.deviceId,
      customer: address.customer,
      site: address.site,
      kind: 'agent',
      hostname: null,
      lastSeen: receivedAt,
      producer,
      intervalS: null,
      clockOffsetMs: message.sentAt !== undefined ? offset : null,
    }
    let added = 0
    switch (message.kind) {
      case 'metrics': {
        addPoints(message.deviceId, message.points, offset)
        added = message.points.length
        markAlive(message.deviceId, receivedAt)
        break
      }
      case 'status': {
        sender.hostname = message.hostname ?? null
        sender.intervalS = message.intervalS ?? null
        // The Last Will was written at connect time: the device was lost when the broker said so.
        const ts = message.reason === 'lost' ? receivedAt : message.at + offset
        const previous = newestStatus.get(message.deviceId)
        if (!previous || previous.ts <= ts) newestStatus.set(message.deviceId, { device_id: message.deviceId, ts, state: message.state, reason: message.reason ?? null })
        if (message.state === 'offline') sender.lastSeen = null
        added = 1
        break
      }
      case 'inventory': {
        sender.hostname = message.inventory.os?.hostname ?? null
        const json = JSON.stringify(message.inventory)
        rows.inventories.push({ device_id: message.deviceId, ts: message.collectedAt + offset, hash: createHash('sha256').update(json).digest('hex'), inventory: message.inventory })
        markAlive(message.deviceId, receivedAt)
        added = 1
        break
      }
      case 'event': {
        for (const e of message.events) {
          rows.events.push({ device_id: e.target ?? message.deviceId, ts: e.ts + offset, severity: e.severity, code: e.code, message: e.message, source: e.source ?? null, data: e.data ?? null })
        }
        markAlive(message.deviceId, receivedAt)
        added = message.events.length
        break
      }
      case 'snmp': {
        for (const r of message.results) {
          const ts = r.ts + offset
          touch({ id: r.target, customer: address.customer, site: address.site, kind: 'snmp', hostname: r.system?.sysName ?? r.host, lastSeen: r.status === 'ok' ? ts : null, producer: null, intervalS: null, clockOffsetMs: null })
          addPoints(r.target, r.points, offset)
          const { points: _points, target: _target, ...state } = r
          rows.states.push({ device_id: r.target, ts, state: { ...state, poller: message.deviceId } })
          if (r.status === 'ok') markAlive(r.target, ts)
          added += r.points.length + 1
        }
        markAlive(message.deviceId, receivedAt)
        break
      }
      case 'ping': {
        for (const r of message.results) {
          const ts = r.ts + offset
          touch({ id: r.target, customer: address.customer, site: address.site, kind: 'ping', hostname: r.host, lastSeen: r.alive ? ts : null, producer: null, intervalS: null, clockOffsetMs: null })
          const points: MetricPoint[] = [
            { ts: r.ts, metric: 'ping.up', value: r.alive ? 1 : 0 },
            { ts: r.ts, metric: 'ping.loss_percent', value: r.lossPercent },
          ]
          if (r.rttMs !== undefined) points.push({ ts: r.ts, metric: 'ping.rtt_ms', value: r.rttMs })
          addPoints(r.target, points, offset)
          added += points.length
        }
        markAlive(message.deviceId, receivedAt)
        break
      }
    }
    touch(sender)
    rows.rowsPerBatch.set(message.batchId, added)
  }
  // In id order: concurrent flushes then lock shared device rows in the same order.
  rows.devices = [...devices.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  rows.statuses = [...newestStatus.values()]
  // An explicit status in the same flush says more than "it sent data".
  rows.alive = [...alive.entries()].filter(([id]) => !newestStatus.has(id)).map(([device_id, ts]) => ({ device_id, ts }))
  return rows
}
