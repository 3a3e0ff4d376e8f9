import { sustainedHighRule } from './support/sustained-high.js'

/** Memory use high: every reading above the limit for `windowS` (a sustained load, not a spike). */
export default sustainedHighRule({ id: 'memory-high', title: 'Memory use high', metrics: ['mem.used_percent', 'host.memory_used_percent'], unit: '%', defaultAbove: 95 })
