/** SMART disks rebuilt from stored readings, for the SMART rules. */
import { diskHealthFromPoints, type DiskHealth, type MetricPoint } from '@patrol/shared'
import type { DeviceSnapshot } from './rule.js'

/** The disks of a device, rebuilt from stored readings at or before `at` (the newest of each). */
export function disksFromSnapshot(snapshot: DeviceSnapshot, at?: number): DiskHealth[] {
  const points: MetricPoint[] = []
  if (at === undefined) {
    for (const [key, [ts, value]] of Object.entries(snapshot.latest)) {
      const [metric, instance] = splitKey(key)
      points.push({ ts, metric, instance, value })
    }
  } else {
    for (const [key, series] of Object.entries(snapshot.history)) {
      const [metric, instance] = splitKey(key)
      const older = series.filter((p) => p.ts <= at).at(-1)
      if (older) points.push({ ts: older.ts, metric, instance, value: older.value })
    }
  }
  return diskHealthFromPoints(points)
}

function splitKey(key: string): [string, string] {
  const bar = key.indexOf('|')
  return [key.slice(0, bar), key.slice(bar + 1)]
}

