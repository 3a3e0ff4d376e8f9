/**
 * History routing in a few lines: the collector answers every non-/api GET with index.html, so
 * deep links (a device page sent in a chat) open directly.
 */
import { useEffect, useState } from 'preact/hooks'

const listeners = new Set<() => void>()

export function navigate(to: string, { replace = false } = {}): void {
  if (to === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  window.scrollTo(0, 0)
  for (const l of listeners) l()
}

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0)
  useEffect(() => {
    const update = () => setTick((n) => n + 1)
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      window.removeEventListener('popstate', update)
    }
  }, [])
  return { path: location.pathname, search: new URLSearchParams(location.search) }
}

/** "/devices/:id" against "/devices/pc-1" → { id: "pc-1" }, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean)
  const s = path.split('/').filter(Boolean)
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]!)
    else if (part !== s[i]) return null
  }
  return params
}

export const enc = encodeURIComponent
