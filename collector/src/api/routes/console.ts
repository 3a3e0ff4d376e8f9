/**
 * The web console (console/, a Vite build) served by the collector itself, so a customer's closed
 * network needs nothing else:
 * - files under console/dist are served as they are; Vite's hashed assets (/assets/…) are cached
 *   for a year (their names change with their content), everything else is revalidated;
 * - any other GET outside /api answers index.html (no-cache), so the console's history routing
 *   works on reload and for deep links (/devices/pc-1);
 * - when console/dist is missing (a source checkout that never ran the build) the same paths answer
 *   a page saying how to build it, instead of a bare 404.
 * Files are looked up per request rather than registered at start, so a rebuild while the
 * collector runs is picked up. Everything here is public: the console's own API calls are what
 * need a session.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../context.js'

/** console/dist of this checkout (collector/src/api/routes → repository root). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist/', import.meta.url))

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'
const PUBLIC = { auth: { public: true } }

const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')

/** The file under `root` a URL path names, or null (directories, missing files, anything escaping root). */
export function fileFor(root: string, urlPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const relative = path.normalize(decoded).replace(/^([/\\])+/, '')
  if (!relative || relative.startsWith('..')) return null
  const full = path.join(root, relative)
  if (!full.startsWith(root)) return null
  try {
    return statSync(full).isFile() ? relative : null
  } catch {
    return null
  }
}

const missingPage = (dist: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>patrol: console not built</title><style>body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:40rem;padding:0 1rem;line-height:1.5}code{background:#f2f4f7;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>The web console is not built</h1><p>This collector has no console files at <code>${dist.replace(/[&<>]/g, '')}</code>.</p>
<p>Run <code>pnpm console:build</code> in the repository (or start with <code>pnpm start</code>, which builds it when it is missing or out of date), then reload this page.</p>
<p>控制台尚未构建：请在代码目录中运行 <code>pnpm console:build</code>，然后刷新此页面。</p>
<p>The API works without it: <a href="/api/health">/api/health</a>.</p></body></html>`

export function consoleRoutesFor(dist: string): FastifyPluginAsyncTypebox<{ ctx: ApiContext }> {
  return async (app) => {
    const root = path.resolve(dist)
    await app.register(fastifyStatic, { root, serve: false, decorateReply: true, index: false, cacheControl: false, etag: true, lastModified: true })

    app.get('/*', { config: PUBLIC, schema: { hide: true } as Record<string, unknown> }, async (request, reply) => {
      const urlPath = request.url.split('?')[0]!
      if (isApiPath(urlPath)) return reply.callNotFound()
      const index = path.join(root, 'index.html')
      if (!existsSync(index)) {
        return reply.code(503).header('cache-control', REVALIDATE).type('text/html; charset=utf-8').send(missingPage(root))
      }
      const file = urlPath === '/' ? null : fileFor(root, urlPath)
      if (file) {
        reply.header('cache-control', file.startsWith('assets/') ? IMMUTABLE : REVALIDATE)
        return reply.sendFile(file)
      }
      // A file-like path that is not there (a stale hashed asset after a rebuild) is a real 404:
      // answering index.html would hand a browser HTML where it expects a script.
      if (/\.[a-z0-9]{1,8}$/i.test(urlPath) && urlPath.startsWith('/assets/')) return reply.callNotFound()
      reply.header('cache-control', REVALIDATE)
      return reply.sendFile('index.html')
    })
  }
}

export const consoleRoutes = consoleRoutesFor(CONSOLE_DIST)
