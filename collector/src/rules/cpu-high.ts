import { sustainedHighRule } from './support/sustained-high.js'

/** CPU busy: every reading above the limit for `windowS` (a sustained load, not a spike). */
export default sustainedHighRule({ id: 'cpu-high', title: 'CPU busy', metrics: ['cpu.load_percent', 'host.cpu_load_percent'], unit: '%', defaultAbove: 95 })
