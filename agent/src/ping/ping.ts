import type { MetricPoint, PingResult } from '@patrol/shared'
import ping from 'ping'

export interface PingOptions {
  /** Echo requests per target per round. */
  count?: number
  /** Seconds to wait for each reply. */
  timeoutS?: number
  /** Seconds between echo requests; 0.2 is the smallest a non-root user may ask for. */
  intervalS?: number
  now?: () => number
}

/**
 * Pings one host with the system's ping (through the `ping` package) and reports reachability,
 * RTT avg/min/max and loss. Never throws: a missing ping binary or a bad host name is "not alive"
 * with everything lost, which is what the device looks like from here.
 */
export async function pingHost(target: string, host: string, options: PingOptions = {}): Promise<PingResult> {
  const count = options.count ?? 3
  const ts = (options.now ?? Date.now)()
  const base: PingResult = { target, host, ts, alive: false, sent: count, received: 0, lossPercent: 100 }
  try {
    const answer = await ping.promise.probe(host, {
      timeout: options.timeoutS ?? 1,
      min_reply: count,
      // A deadline bounds the whole run: a host that never answers costs count × interval + timeout, not more.
      deadline: Math.ceil(count * (options.intervalS ?? 0.2) + (options.timeoutS ?? 1)),
      extra: ['-i', String(options.intervalS ?? 0.2)],
    })
    const loss = Number(answer.packetLoss)
    const lossPercent = Number.isFinite(loss) ? Math.min(100, Math.max(0, loss)) : 100
    const received = Math.round(count * (1 - lossPercent / 100))
    const result: PingResult = { ...base, alive: answer.alive && received > 0, received, lossPercent }
    const avg = Number(answer.avg)
    const min = Number(answer.min)
    const max = Number(answer.max)
    if (result.alive && Number.isFinite(avg)) result.rttMs = avg
    if (result.alive && Number.isFinite(min)) result.rttMinMs = min
    if (result.alive && Number.isFinite(max)) result.rttMaxMs = max
    return result
  } catch {
    return base
  }
}

export function pingPoints(result: PingResult): MetricPoint[] {
  const points: MetricPoint[] = [
    { ts: result.ts, metric: 'ping.up', value: result.alive ? 1 : 0 },
    { ts: result.ts, metric: 'ping.loss_percent', value: result.lossPercent },
  ]
  if (result.rttMs !== undefined) points.push({ ts: result.ts, metric: 'ping.rtt_ms', value: result.rttMs })
  return points
}
