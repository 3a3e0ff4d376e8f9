/**
 * A small typed client for the parts of Grafana's HTTP API that provisioning needs: folders, data
 * sources and dashboards. Every call is idempotent in effect (look up by uid, then create or
 * update), so `dashboards:push` can run on every deployment.
 */
import type { DataSourceSettings } from './datasource.js'

export class GrafanaError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`Grafana ${method} ${path} answered ${status}: ${body.slice(0, 300)}`)
    this.name = 'GrafanaError'
  }
}

export interface Folder {
  uid: string
  title: string
  id?: number
  version?: number
}

export interface DataSource extends DataSourceSettings {
  id: number
  version?: number
}

export interface DashboardSaveResult {
  uid: string
  url: string
  status: string
  version: number
}

export interface GrafanaClientOptions {
  /** Base URL, e.g. https://grafana.example.com (a sub-path is kept). */
  url: string
  /** Service-account token (or API key). */
  token?: string
  /** Basic auth instead of a token (first setup, tests). */
  basic?: { user: string; password: string }
  fetch?: typeof fetch
  timeoutMs?: number
}

export class GrafanaClient {
  private readonly base: string
  private readonly fetchImpl: typeof fetch

  constructor(private readonly options: GrafanaClientOptions) {
    this.base = options.url.replace(/\/+$/, '')
    this.fetchImpl = options.fetch ?? fetch
  }

  private async request<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | undefined> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`
    else if (this.options.basic) headers.authorization = `Basic ${Buffer.from(`${this.options.basic.user}:${this.options.basic.password}`).toString('base64')}`
    let response: Response
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      })
    } catch (error) {
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, a certificate error) is its cause.
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause
      const reason = cause ? `${(error as Error).message} (${cause.code ?? cause.message})` : (error as Error).message
      throw new Error(`Grafana ${method} ${this.base}${path} failed: ${reason}`, { cause: error })
    }
    const text = await response.text()
    if (response.status === 404 && allow404) return undefined
    if (!response.ok) throw new GrafanaError(method, path, response.status, text)
    try {
      return (text ? JSON.parse(text) : {}) as T
    } catch {
      throw new GrafanaError(method, path, response.status, `not JSON: ${text}`)
    }
  }

  async health(): Promise<{ database: string; version?: string }> {
    return (await this.request<{ database: string; version?: string }>('GET', '/api/health'))!
  }

  getFolder(uid: string): Promise<Folder | undefined> {
    return this.request<Folder>('GET', `/api/folders/${encodeURIComponent(uid)}`, undefined, true)
  }

  /** Creates the folder, or renames it when its title changed; returns it. */
  async ensureFolder(folder: { uid: string; title: string }): Promise<{ folder: Folder; action: 'created' | 'updated' | 'unchanged' }> {
    const existing = await this.getFolder(folder.uid)
    if (!existing) return { folder: (await this.request<Folder>('POST', '/api/folders', folder))!, action: 'created' }
    if (existing.title === folder.title) return { folder: existing, action: 'unchanged' }
    const updated = await this.request<Folder>('PUT', `/api/folders/${encodeURIComponent(folder.uid)}`, { title: folder.title, version: existing.version, overwrite: true })
    return { folder: updated!, action: 'updated' }
  }

  getDataSource(uid: string): Promise<DataSource | undefined> {
    return this.request<DataSource>('GET', `/api/datasources/uid/${encodeURIComponent(uid)}`, undefined, true)
  }

  /** Creates the data source or overwrites its settings (the password too, when given). */
  async ensureDataSource(settings: DataSourceSettings): Promise<{ action: 'created' | 'updated' }> {
    const existing = await this.getDataSource(settings.uid)
    if (!existing) {
      await this.request('POST', '/api/datasources', settings)
      return { action: 'created' }
    }
    await this.request('PUT', `/api/datasources/uid/${encodeURIComponent(settings.uid)}`, { ...settings, id: existing.id, version: existing.version })
    return { action: 'updated' }
  }

  /** Saves a dashboard by uid into the folder, replacing what is there (overwrite). */
  async saveDashboard(dashboard: Record<string, unknown> & { uid?: string }, folderUid: string, message: string): Promise<DashboardSaveResult> {
    if (!dashboard.uid) throw new Error('a dashboard needs a uid to be saved idempotently')
    // id null: Grafana matches by uid; a stale numeric id from another instance would be refused.
    return (await this.request<DashboardSaveResult>('POST', '/api/dashboards/db', { dashboard: { ...dashboard, id: null }, folderUid, overwrite: true, message }))!
  }
}
