/**
 * The SMART collector against the real smartctl on this machine, whatever disks it has. A VM's
 * virtio disk has no SMART: that must read "unknown", never "failing", and still be valid points.
 */
import { describe, expect, it } from 'vitest'
import { validateMessage, isKnownMetric, smartOkToVerdict } from '@patrol/shared'
import { NotApplicable } from '../../agent/src/collectors/collector.js'
import { collectSmart } from '../../agent/src/collectors/smart.js'
import { checkSmartAccess, findSmartctl, readAllDisks } from '../../agent/src/smart/smartctl.js'
import { requirePeer } from '../support/peers.js'

// Found the way the agent finds it: /usr/sbin is often missing from a non-root PATH.
const smartctl = await findSmartctl()
const peer = requirePeer('smartctl', smartctl !== undefined, 'apt-get install -y smartmontools')
const isRoot = process.getuid?.() === 0

describe.skipIf(!peer.available)('smart collector with the real smartctl', () => {
  it('yields contract-valid points for every disk smartctl can see, or says why it cannot', async () => {
    const ctx = { now: Date.now(), state: new Map<string, unknown>(), settings: { watchedServices: [] } }
    let output
    try {
      output = await collectSmart(ctx)
    } catch (error) {
      // Without root smartctl may open nothing: that must be said, with the hint; as root it must work.
      if (!isRoot && /needs (root|Administrator)/.test((error as Error).message)) return
      if (error instanceof NotApplicable) {
        expect(error.message).toMatch(/found no disks|not installed/)
        return
      }
      throw error
    }
    const points = output.points ?? []
    expect(points.length).toBeGreaterThan(0)
    validateMessage('metrics', { v: 1, kind: 'metrics', batchId: '00000000-0000-4000-8000-0000000000ff', deviceId: 'this-host', points })
    expect(points.filter((p) => !isKnownMetric(p.metric))).toEqual([])
    if (output.events?.length) validateMessage('event', { v: 1, kind: 'event', batchId: '00000000-0000-4000-8000-0000000000fe', deviceId: 'this-host', events: output.events })

    const verdicts = points.filter((p) => p.metric === 'disk.smart_ok')
    expect(verdicts.length).toBeGreaterThan(0)
    const { disks } = await readAllDisks()
    expect(new Set(verdicts.map((p) => p.instance)).size).toBe(disks.length)
    for (const disk of disks) {
      // A disk with nothing to judge (virtual, RAID volume) is unknown, never failing.
      const hasData = disk.passed !== undefined || disk.ata || disk.nvme || disk.scsi
      const verdict = smartOkToVerdict(verdicts.find((p) => p.instance?.startsWith(disk.device))!.value)
      if (!hasData) expect(verdict).toBe('unknown')
    }
  })

  it('doctor sees the same smartctl and disks', async () => {
    const access = await checkSmartAccess()
    expect(access.smartctl).toBe(smartctl)
    if (isRoot) expect(access).toMatchObject({ ok: true, source: 'smartctl', disks: (await readAllDisks()).disks.length })
    else expect(access.ok || /needs root/.test(access.problem ?? '')).toBe(true)
  })
})
