/**
 * The console's only way to the collector: same-origin fetch with the session cookie, the CSRF
 * token on every write (cookie-authenticated writes are refused without it), one error type that
 * carries the server's `{ error: { code, message } }`, and a single place that reacts to 401
 * (the session ended: back to the login page).
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path: string,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }
}

let csrfToken: string | null = null
let onUnauthorized: () => void = () => undefined

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler
}

export type Query = Record<string, string | number | boolean | undefined | null>

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  const s = params.toString()
  return s ? `${path}?${s}` : path
}

interface Options {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'
  query?: Query
  body?: unknown
  /** Login and "who am I" must not bounce to the login page on 401: they are how we get there. */
  allow401?: boolean
}

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json' }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  const url = withQuery(path, options.query)
  let response: Response
  try {
    response = await fetch(url, { method, headers, credentials: 'same-origin', body: options.body === undefined ? undefined : JSON.stringify(options.body) })
  } catch (error) {
    throw new ApiFailure(0, 'NETWORK', `${method} ${path}: ${(error as Error).message}`, path)
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let body: unknown = undefined
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  if (!response.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error
    if (response.status === 401 && !options.allow401) onUnauthorized()
    throw new ApiFailure(response.status, err?.code ?? `HTTP_${response.status}`, err?.message ?? (text.slice(0, 200) || response.statusText), path)
  }
  return body as T
}

export interface Page<T> {
  total?: number
  limit?: number
  offset?: number
  items: T[]
}
