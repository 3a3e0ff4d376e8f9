/**
 * Serves a fastify app over HTTPS when the collector has a certificate (tlsCertFile/tlsKeyFile).
 * The app is built the same way in both cases (tests `inject` into it without any server); here
 * an https.Server hands each request to the app's router, so app.ts does not have to know about
 * TLS. TLS 1.2 is the floor: every browser and agent of the last decade speaks it.
 */
import https from 'node:https'
import type { FastifyInstance } from 'fastify'
import { listenWithFallback } from './listen.js'

export async function listenHttps(
  app: FastifyInstance,
  options: { host: string; port: number; explicitPort: boolean; cert: Buffer; key: Buffer },
): Promise<{ port: number; fellBack: boolean; close(): Promise<void> }> {
  await app.ready()
  const server = https.createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2' }, (request, response) => app.routing(request, response))
  const listened = await listenWithFallback(server, options.host, options.port, options.explicitPort)
  return {
    ...listened,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
