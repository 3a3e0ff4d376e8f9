/**
 * Per-second rates and deltas from monotonically increasing counters. A counter that goes
 * backwards (reboot, driver reset, 32-bit wrap) yields no value for that interval rather than a
 * huge negative or positive spike.
 */
export interface CounterSample {
  at: number
  value: number
}

export function rate(previous: CounterSample | undefined, current: CounterSample): number | undefined {
  if (!previous) return undefined
  const seconds = (current.at - previous.at) / 1000
  if (seconds <= 0 || current.value < previous.value) return undefined
  return (current.value - previous.value) / seconds
}

export function delta(previous: CounterSample | undefined, current: CounterSample): number | undefined {
  if (!previous || current.value < previous.value) return undefined
  return current.value - previous.value
}
