import { Type } from '@sinclair/typebox'
import { defineRule, ruleParams } from './support/rule.js'
import { interfacesOf } from './support/device-state.js'

/**
 * A switch port marked important (asset record `importantPorts`, or the `ports` parameter) is
 * administratively up but not operating: an uplink or a server lost its link.
 */
export default defineRule({
  id: 'interface-down',
  title: 'Important port down',
  level: 'L2',
  params: ruleParams({ ports: Type.Array(Type.String(), { default: [] }), autoResolve: Type.Boolean({ default: true }) }),
  evaluate(snapshot, params) {
    const important = new Set([...(snapshot.device.importantPorts ?? []), ...params.ports])
    if (!important.size) return []
    return interfacesOf(snapshot)
      .filter((i) => (important.has(i.name) || (i.alias !== undefined && important.has(i.alias))) && i.adminStatus === 'up' && i.operStatus !== 'up')
      .map((i) => ({ instance: i.name, title: `Port ${i.name}${i.alias ? ` (${i.alias})` : ''} ${i.operStatus}`, readings: { interface: i }, series: [`if.oper_up|${i.name}`] }))
  },
})
