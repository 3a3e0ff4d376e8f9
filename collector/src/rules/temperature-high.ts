import { sustainedHighRule } from './support/sustained-high.js'

/** Temperature high: CPU package or disk, every reading above the limit for `windowS`. */
export default sustainedHighRule({ id: 'temperature-high', title: 'Temperature high', metrics: ['cpu.temperature_celsius', 'smart.temperature_celsius'], unit: '°C', defaultAbove: 85 })
