/**
 * Every route the app has, as "METHOD /path", collected as routes are added. The tenancy and auth
 * tests enumerate this list, so a route added later without a test case makes them fail rather
 * than slip through unchecked.
 */
import type { FastifyInstance } from 'fastify'

export interface ListedRoute {
  method: string
  url: string
  auth: { public?: boolean; minRole?: string } | undefined
}

const lists = new WeakMap<FastifyInstance, ListedRoute[]>()

/** Call on the root app before any route is registered (onRoute hooks see routes of child plugins too). */
export function collectRoutes(app: FastifyInstance): void {
  const list: ListedRoute[] = []
  lists.set(app, list)
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      // fastify adds a HEAD for every GET on its own; it is the GET, not another route.
      if (method === 'HEAD' && route.exposeHeadRoute !== false && methods.length === 1 && list.some((r) => r.method === 'GET' && r.url === route.url)) continue
      list.push({ method, url: route.url, auth: (route.config as { auth?: ListedRoute['auth'] } | undefined)?.auth })
    }
  })
}

export function listRoutes(app: FastifyInstance): readonly ListedRoute[] {
  const list = lists.get(app)
  if (!list) throw new Error('listRoutes: this app was not built by buildApp')
  return list
}
