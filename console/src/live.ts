/**
 * Live updates from the collector's server-sent events (`ticket` and `device`, JSON data
 * `{ id, customer, site, … }`). One EventSource for the whole console; pages subscribe and
 * reload what they show. The console works without it (pages also refresh on a timer): if the
 * stream fails for good (e.g. the route is not there), it is retried every 15 s.
 */
import { useEffect, useState } from 'preact/hooks'

export interface LiveEvent {
  type: 'ticket' | 'device' | 'resync'
  data: { id?: string | number; customer?: string; site?: string; [k: string]: unknown }
}

type Listener = (event: LiveEvent) => void
const listeners = new Set<Listener>()
const stateListeners = new Set<(connected: boolean) => void>()
let source: EventSource | null = null
let retry: ReturnType<typeof setTimeout> | undefined
let connected = false

function setConnected(value: boolean) {
  connected = value
  for (const l of stateListeners) l(value)
}

function dispatch(type: LiveEvent['type'], message: MessageEvent<string>) {
  let data: LiveEvent['data'] = {}
  try {
    data = JSON.parse(message.data) as LiveEvent['data']
  } catch {
    // A malformed event still tells us something changed.
  }
  for (const l of listeners) l({ type, data })
}

export function startLive(): void {
  if (source || typeof EventSource === 'undefined') return
  source = new EventSource('/api/events', { withCredentials: true })
  source.onopen = () => setConnected(true)
  source.addEventListener('ticket', (e) => dispatch('ticket', e as MessageEvent<string>))
  source.addEventListener('device', (e) => dispatch('device', e as MessageEvent<string>))
  // Events may have been missed: every page re-reads what it shows.
  source.addEventListener('resync', (e) => dispatch('resync', e as MessageEvent<string>))
  source.onerror = () => {
    setConnected(false)
    // EventSource reconnects by itself unless the server answered with an error status.
    if (source?.readyState === EventSource.CLOSED) {
      source = null
      retry = setTimeout(startLive, 15_000)
    }
  }
}

export function stopLive(): void {
  clearTimeout(retry)
  source?.close()
  source = null
  setConnected(false)
}

/** Calls `onEvent` for live events (debounced: a burst of events is one reload). */
export function useLive(onEvent: (event: LiveEvent) => void, filter: (event: LiveEvent) => boolean = () => true): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let last: LiveEvent | undefined
    const listener = (event: LiveEvent) => {
      if (!filter(event)) return
      last = event
      clearTimeout(timer)
      timer = setTimeout(() => last && onEvent(last), 300)
    }
    listeners.add(listener)
    return () => {
      clearTimeout(timer)
      listeners.delete(listener)
    }
    // Subscribed once per mount; callers pass stable reload functions.
  }, [])
}

export function useLiveConnected(): boolean {
  const [value, setValue] = useState(connected)
  useEffect(() => {
    stateListeners.add(setValue)
    return () => void stateListeners.delete(setValue)
  }, [])
  return value
}

/** Re-runs `tick` every `ms` while the page is visible: the fallback when there is no live stream. */
export function useInterval(tick: () => void, ms: number): void {
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') tick()
    }, ms)
    return () => clearInterval(id)
  }, [ms])
}
