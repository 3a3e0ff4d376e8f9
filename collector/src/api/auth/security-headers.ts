/**
 * Security headers on every answer (@fastify/helmet): a strict Content-Security-Policy for the
 * console (everything from this origin, no inline script; inline styles allowed because the
 * console's charts and the server-rendered review pages set style attributes; images also from
 * data: and blob: for charts and downloads), no framing, nosniff, no referrer to other sites.
 * HSTS only on answers that went out over TLS: over plain HTTP it means nothing, and on a
 * 127.0.0.1 test server it would pin the browser to HTTPS for that host.
 * /docs sets its own CSP (api/openapi.ts), which replaces this one on its pages.
 */
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

export const CONSOLE_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
}

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    hsts: false,
    crossOriginEmbedderPolicy: false,
  })
  app.addHook('onSend', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
  })
}
