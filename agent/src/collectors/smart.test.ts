import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { isKnownMetric, parseSmartctl, validateMessage, type DeviceEvent, type MetricPoint } from '@patrol/shared'
import { NotApplicable, type CollectContext } from './collector.js'
import { collectSmart, judgeDisks, smart } from './smart.js'
import { dummyExecutable, fakeSmartctl } from '../smart/testing.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/smartctl')
const text = (name: string) => readFile(path.join(FIXTURES, name), 'utf8')
const health = async (name: string) => parseSmartctl(JSON.parse(await text(name)))
const HOUR = 3_600_000
const T0 = 1_790_000_000_000

function context(now: number, state = new Map<string, unknown>()): CollectContext {
  return { now, state, settings: { watchedServices: [] } }
}

function validBatch(points: MetricPoint[], events: DeviceEvent[]) {
  validateMessage('metrics', { v: 1, kind: 'metrics', batchId: '00000000-0000-4000-8000-000000000001', deviceId: 'host-1', points })
  if (events.length > 0) validateMessage('event', { v: 1, kind: 'event', batchId: '00000000-0000-4000-8000-000000000002', deviceId: 'host-1', events })
}

describe('smart collector', () => {
  it('is the hourly collector named after its file', () => {
    expect(smart.name).toBe('smart')
    expect(smart.every).toEqual({ seconds: 3600 })
  })

  it('emits valid points; an event on the first non-healthy reading and on each verdict change, none otherwise', async () => {
    const state = new Map<string, unknown>()
    const before = await health('ata-degrading-before.json')
    const after = await health('ata-degrading-after.json')

    const first = judgeDisks([before], context(T0, state))
    validBatch(first.points, first.events)
    expect(first.points.every((p) => isKnownMetric(p.metric) && p.instance === '/dev/sda' && p.ts === T0)).toBe(true)
    expect(first.points.find((p) => p.metric === 'disk.smart_ok')?.value).toBe(0.5)
    expect(first.points.find((p) => p.metric === 'smart.reallocated_sectors')?.value).toBe(8)
    expect(first.events).toHaveLength(1)
    expect(first.events[0]).toMatchObject({ code: 'disk.smart_verdict_changed', severity: 'warning', data: { verdict: 'warning', previous: null, device: '/dev/sda' } })

    const same = judgeDisks([before], context(T0 + HOUR, state))
    expect(same.events).toEqual([])

    const worse = judgeDisks([after], context(T0 + 2 * HOUR, state))
    validBatch(worse.points, worse.events)
    expect(worse.points.find((p) => p.metric === 'disk.smart_ok')?.value).toBe(0)
    expect(worse.events).toHaveLength(1)
    const event = worse.events[0]!
    expect(event).toMatchObject({ severity: 'critical', source: 'smartctl', data: { verdict: 'failing', previous: 'warning', serial: 'Z1E8PATR' } })
    expect(event.message).toContain('disk /dev/sda (ST2000DM001-1CH164) SMART warning → failing')
    expect(event.message).toContain('187 Reported_Uncorrect raw 4 (was 1): still growing')
  })

  it('a healthy disk seen for the first time makes no event', async () => {
    const h = await health('sas-grown-defects.json')
    const clean = { ...h, scsi: { grownDefects: 0, uncorrectedErrors: 0 } }
    const out = judgeDisks([clean], context(T0))
    expect(out.events).toEqual([])
    expect(out.points.find((p) => p.metric === 'disk.smart_ok')?.value).toBe(1)
  })

  it('an unreadable run reads unknown but keeps the last real reading for the growth check', async () => {
    const state = new Map<string, unknown>()
    const before = await health('ata-degrading-before.json')
    judgeDisks([before], context(T0, state))
    const lost = { device: '/dev/sda', source: 'smartctl' as const, messages: ['Smartctl open device: /dev/sda failed: No such device'], exitStatus: 2 }
    const gone = judgeDisks([lost], context(T0 + HOUR, state))
    expect(gone.points).toEqual([
      { ts: T0 + HOUR, metric: 'disk.smart_ok', instance: '/dev/sda', value: -1 },
      { ts: T0 + HOUR, metric: 'smart.exit_status', instance: '/dev/sda', value: 2 },
    ])
    expect(gone.events[0]).toMatchObject({ severity: 'info', data: { verdict: 'unknown', previous: 'warning' } })
    const back = judgeDisks([await health('ata-degrading-after.json')], context(T0 + 2 * HOUR, state))
    expect(back.events[0]!.message).toContain('5 Reallocated_Sector_Ct raw 24 (was 8)')
  })

  it('fails loudly with the root hint when smartctl may open no disk at all', async () => {
    const fake = fakeSmartctl(await text('scan-mixed.json'), {
      '/dev/sda -d sat': [await text('permission-denied.json'), 2],
      '/dev/nvme0 -d nvme': [await text('permission-denied.json'), 2],
      '/dev/bus/0 -d megaraid,0': [await text('permission-denied.json'), 2],
      '/dev/bus/0 -d megaraid,1': [await text('permission-denied.json'), 2],
    })
    const ctx = { ...context(T0), settings: { watchedServices: [], smartctlPath: await dummyExecutable() } }
    await expect(collectSmart(ctx, { runner: fake.runner, sysBlock: '/nonexistent' })).rejects.toThrow(/could not open .*needs (root|Administrator)/)
  })

  it('is "not applicable" when the configured smartctl is missing', async () => {
    const ctx = { ...context(T0), settings: { watchedServices: [], smartctlPath: '/nonexistent/smartctl' } }
    await expect(collectSmart(ctx)).rejects.toBeInstanceOf(NotApplicable)
  })
})
