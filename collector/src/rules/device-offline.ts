import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'

/**
 * The device is gone: it said so (Last Will: status offline) or it missed `missedReports`
 * heartbeats plus a grace period. A device that never said how often it reports is judged on
 * `defaultIntervalS`.
 */
export default defineRule({
  id: 'device-offline',
  title: 'Device offline',
  level: 'L3',
  reachability: true,
  params: ruleParams({
    missedReports: Type.Number({ minimum: 1, default: 3 }),
    graceS: Type.Number({ minimum: 0, default: 120 }),
    defaultIntervalS: Type.Number({ minimum: 1, default: 60 }),
    autoResolve: Type.Boolean({ default: true }),
    // A reboot sends the Last Will and is back within a minute or two: no ticket for that.
    forS: Type.Number({ minimum: 0, default: 90 }),
    clearS: Type.Number({ minimum: 0, default: 60 }),
  }),
  evaluate(snapshot, params, now) {
    const d = snapshot.device
    if (d.status === 'offline') {
      return [{ instance: '', title: `Device offline (${d.statusReason ?? 'reported offline'})`, readings: { status: d.status, reason: d.statusReason, since: d.statusChangedAt && new Date(d.statusChangedAt).toISOString() } }]
    }
    if (d.lastSeen === null) return []
    const silentMs = now - d.lastSeen
    const limitMs = ((d.reportIntervalS ?? params.defaultIntervalS) * params.missedReports + params.graceS) * 1000
    if (silentMs <= limitMs) return []
    return [{ instance: '', title: `Device silent for ${Math.round(silentMs / 60_000)} min`, readings: { lastSeen: new Date(d.lastSeen).toISOString(), silentS: Math.round(silentMs / 1000), limitS: limitMs / 1000 } }]
  },
})
