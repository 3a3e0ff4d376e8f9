import { assessDiskHealth, diskInstance } from '@patrol/shared'
import { defineRule, ruleParams } from './support/rule.js'
import { disksFromSnapshot } from './support/disks.js'

/** SMART says the disk is failing: the agent's own verdict code (assessDiskHealth), judged again here. */
export default defineRule({
  id: 'smart-failing',
  title: 'Disk failing (SMART)',
  level: 'L2',
  params: ruleParams({}),
  evaluate(snapshot) {
    return disksFromSnapshot(snapshot).flatMap((disk) => {
      const verdict = assessDiskHealth(disk)
      if (verdict.verdict !== 'failing') return []
      const instance = diskInstance(disk)
      return [{ instance, title: `Disk ${instance} failing: ${verdict.reasons[0] ?? 'SMART'}`, readings: { verdict: verdict.verdict, reasons: verdict.reasons }, series: [`disk.smart_ok|${instance}`] }]
    })
  },
})
