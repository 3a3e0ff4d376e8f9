/**
 * A reader of a server-sent-events stream over real HTTP (undici's fetch), for the tests: keeps
 * every event and comment line it has read, and lets a test wait for one.
 */
import { waitFor } from '../support/peers.js'

export interface SseEvent {
  event: string
  data: string
}

export interface SseStream {
  status: number
  contentType: string | null
  events: SseEvent[]
  comments: string[]
  /** Resolves when the server ended the stream (or the test closed it). */
  ended: Promise<void>
  json<T = Record<string, unknown>>(type: string): T[]
  waitFor<T = Record<string, unknown>>(type: string, match: (data: T) => boolean, what: string, timeoutMs?: number): Promise<T>
  close(): void
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController()
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal })
  const events: SseEvent[] = []
  const comments: string[] = []
  const parse = (block: string) => {
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim())
      else if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
    }
    if (data.length) events.push({ event, data: data.join('\n') })
  }
  const ended = (async () => {
    if (!response.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        let at: number
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          parse(buffer.slice(0, at))
          buffer = buffer.slice(at + 2)
        }
      }
    } catch {
      // aborted by close(), or the server cut the stream
    }
  })()
  const json = <T>(type: string) => events.filter((e) => e.event === type).map((e) => JSON.parse(e.data) as T)
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    comments,
    ended,
    json,
    waitFor: <T>(type: string, match: (data: T) => boolean, what: string, timeoutMs = 20_000) =>
      waitFor(() => json<T>(type).find(match), { what, timeoutMs, intervalMs: 50, onTimeout: () => `received: ${JSON.stringify(events).slice(0, 2000)}` }),
    close: () => abort.abort(),
  }
}
