import { Type } from '@sinclair/typebox'
import { assessDiskHealth, diskInstance } from '@patrol/shared'
import { defineRule, ruleParams } from './support/rule.js'
import { disksFromSnapshot } from './support/disks.js'

/**
 * SMART warns (reallocated/pending/uncorrectable sectors, NVMe media errors, spare below
 * threshold) or counters grew against the reading `compareHours` ago; a failing disk is the
 * smart-failing rule's, not this one's.
 */
export default defineRule({
  id: 'smart-degrading',
  title: 'Disk degrading (SMART)',
  level: 'L3',
  params: ruleParams({ compareHours: Type.Number({ minimum: 1, default: 24 }) }),
  history: {
    metrics: ['smart.passed', 'smart.exit_status', 'smart.attributes_failing_now', 'smart.attributes_failed_past', 'smart.reallocated_sectors', 'smart.reported_uncorrectable', 'smart.command_timeouts', 'smart.pending_sectors', 'smart.offline_uncorrectable', 'nvme.critical_warning', 'nvme.media_errors', 'nvme.available_spare_percent', 'nvme.available_spare_threshold_percent', 'scsi.grown_defects', 'scsi.uncorrected_errors'],
    windowS: (p) => p.compareHours * 3600,
  },
  evaluate(snapshot, params, now) {
    const before = new Map(disksFromSnapshot(snapshot, now - params.compareHours * 3_600_000 * 0.5).map((d) => [diskInstance(d), d]))
    return disksFromSnapshot(snapshot).flatMap((disk) => {
      const instance = diskInstance(disk)
      // Failing on its own reading is smart-failing's ticket; failing only through growth is this one's.
      if (assessDiskHealth(disk).verdict === 'failing') return []
      const verdict = assessDiskHealth(disk, before.get(instance))
      if (verdict.verdict !== 'warning' && verdict.verdict !== 'failing') return []
      return [{ instance, level: verdict.verdict === 'failing' ? ('L2' as const) : undefined, title: `Disk ${instance} degrading: ${verdict.reasons[0] ?? 'SMART warning'}`, readings: { verdict: verdict.verdict, reasons: verdict.reasons }, series: [`disk.smart_ok|${instance}`] }]
    })
  },
})
