/**
 * Disk health from SMART: parsing smartctl's JSON, the verdict, and the metric points. Pure (no
 * I/O) so the agent's reading and the collector's SMART rule run the very same code.
 */
export * from './types.js'
export { EXIT_BITS, parseSmartctl, parseSmartctlScan, rawAttributeNumber, type ScannedDevice } from './parse.js'
export {
  assessDiskHealth,
  deniedPermission,
  COUNTER_THRESHOLDS,
  DEFAULT_TEMPERATURE_LIMIT_CELSIUS,
  NVME_SPARE_MARGIN,
  smartOkToVerdict,
  verdictToSmartOk,
  worseVerdict,
  type CounterThreshold,
} from './assess.js'
export { diskHealthFromPoints, diskHealthToPoints, diskInstance, parseDiskInstance, SMART_METRICS } from './points.js'
