import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiFailure } from './api.js'

export interface Loaded<T> {
  data: T | undefined
  error: ApiFailure | undefined
  loading: boolean
  reload: () => void
}

/**
 * Loads on mount and whenever `deps` change; `reload` refreshes in place (the old data stays on
 * screen meanwhile, so a live refresh does not flash).
 */
export function useData<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure; loading: boolean }>({ loading: true })
  const [tick, setTick] = useState(0)
  const current = useRef(0)
  useEffect(() => {
    const call = ++current.current
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => call === current.current && setState({ data, loading: false }),
      (error: unknown) =>
        call === current.current &&
        setState((s) => ({ data: s.data, loading: false, error: error instanceof ApiFailure ? error : new ApiFailure(0, 'CLIENT', String(error), '') })),
    )
    // The caller lists what the loader depends on.
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}

let nowListeners = new Set<(now: number) => void>()
let nowTimer: ReturnType<typeof setInterval> | undefined

/** The current time, re-rendering every second: one timer shared by every SLA clock on the page. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    nowListeners.add(setNow)
    nowTimer ??= setInterval(() => {
      const t = Date.now()
      for (const l of nowListeners) l(t)
    }, 1000)
    return () => {
      nowListeners.delete(setNow)
      if (!nowListeners.size && nowTimer) {
        clearInterval(nowTimer)
        nowTimer = undefined
        nowListeners = new Set()
      }
    }
  }, [])
  return now
}
