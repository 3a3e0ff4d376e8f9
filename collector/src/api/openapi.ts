/**
 * The API's documentation, generated from the route schemas: OpenAPI 3.1 at `/docs/json` (and
 * `/docs/yaml`), browsable at `/docs` with Swagger UI.
 *
 * Decisions:
 * - OpenAPI 3.1, not 3.0: TypeBox writes JSON Schema (`{ type: 'null' }` in unions), which 3.1
 *   takes as it is and 3.0 would reject.
 * - Tags come from the URL (`/api/<group>/…` → `<group>`) in an onRoute hook, so a route file only
 *   names its tag when the URL does not say it (sites live under /api/customers/…). The same hook
 *   marks public routes `security: []`, writes the minimum role into the description, and hides
 *   everything outside /api (console files, the plain home page, the docs themselves).
 * - Swagger UI's assets are served by the plugin from node_modules (customers' networks may be
 *   closed: no CDN) under a strict Content-Security-Policy of our own: the page has no inline
 *   script, so `script-src 'self'` holds; the online validator badge is switched off rather than
 *   allowed (it would send the spec to validator.swagger.io).
 * - Error responses are added to the document only (`transformObject`), not to the route schemas:
 *   a response schema would change how every error body is serialised at run time. The same pass
 *   marks fields with a default as optional (TypeBox lists them as required; the server fills
 *   them in).
 */
import type { FastifyInstance, RouteOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export const DOCS_PREFIX = '/docs'

/** The CSP of the /docs pages: everything from this origin, nothing inline, no other host. */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
].join('; ')

const ERROR_BODY = {
  type: 'object' as const,
  required: ['error'],
  properties: {
    error: {
      type: 'object' as const,
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' as const, description: 'Stable machine-readable code, e.g. BAD_REQUEST, NOT_FOUND, FORBIDDEN' },
        message: { type: 'string' as const },
        details: { description: 'Per-field validation problems, when there are any' },
      },
    },
  },
}

/**
 * Summaries for routes written before the documentation existed whose files do not give one yet.
 * A summary in the route's own schema wins; new routes must bring their own (test/e2e/openapi.test.ts).
 */
const SUMMARIES: Record<string, string> = {
  'GET /api/rules': 'The rules, their default parameters and what each parameter means',
  'GET /api/rule-overrides': 'Rule overrides (per customer, site or device)',
  'GET /api/notification-targets': 'Notification targets (webhook, e-mail, external hook); secrets masked',
  'DELETE /api/notification-targets/:id': 'Disable a notification target',
}

/** The groups in the order /docs shows them; groups not named here follow. */
const TAGS = [
  { name: 'health', description: 'Is the collector up: database, broker, ingest' },
  { name: 'auth', description: 'Sign in and out, the session, your password' },
  { name: 'customers', description: 'Customers (tenants) with their health and the contract in force' },
  { name: 'sites', description: "A customer's sites and their health" },
  { name: 'contracts', description: 'Service contracts: validity, service calendar, SLA targets per fault level' },
  { name: 'devices', description: 'Devices: status, latest readings, inventory, asset records' },
  { name: 'tickets', description: 'Tickets: the queue, SLA clocks, the lifecycle and the problem report' },
  { name: 'users', description: 'User accounts and roles (administrators)' },
  { name: 'tokens', description: 'API tokens for scripts' },
  { name: 'audit', description: 'Who changed what (administrators)' },
]

type AuthConfig = { public?: boolean; minRole?: string } | undefined
type Schema = Record<string, unknown> & { tags?: string[]; description?: string; hide?: boolean; security?: unknown }

interface JsonSchema {
  default?: unknown
  required?: string[]
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  anyOf?: JsonSchema[]
}
interface Operation {
  responses?: Record<string, unknown>
  parameters?: { in: string; required?: boolean; schema?: JsonSchema }[]
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> }
}

/**
 * A field with a default may be left out (the server fills it in), but TypeBox lists it as
 * required: in the document, take it off `required`, at every depth.
 */
function optionalDefaults(schema: JsonSchema): void {
  if (schema.required && schema.properties) {
    const props = schema.properties
    schema.required = schema.required.filter((name) => props[name]?.default === undefined)
    if (!schema.required.length) delete schema.required
  }
  for (const child of [...Object.values(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...(schema.anyOf ?? [])]) optionalDefaults(child)
}

/** The tag of an /api URL: its first segment after /api (`/api/customers/:id/sites` → `customers`). */
export function tagOf(url: string): string | null {
  const m = /^\/api\/([^/:?*]+)/.exec(url)
  return m ? m[1]! : null
}

/** Fills in what the route files leave to the URL and the route's auth config. */
export function describeRoute(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>): void {
  const schema: Schema = { ...((route.schema as Schema | undefined) ?? {}) }
  const url = route.url ?? ''
  const config = (route.config ?? {}) as { auth?: AuthConfig }
  if (url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`)) {
    // The documentation is readable without signing in (the API it describes is not).
    route.config = { ...config, auth: { ...config.auth, public: true } } as RouteOptions['config']
  }
  const tag = tagOf(url)
  if (!tag) {
    schema.hide = true
  } else {
    if (!schema.tags?.length) schema.tags = [tag]
    const summary = typeof route.method === 'string' ? SUMMARIES[`${route.method} ${url}`] : undefined
    if (!schema.summary && summary) schema.summary = summary
    const auth = config.auth
    if (auth?.public) schema.security = []
    else if (auth?.minRole && !schema.description?.includes('Needs the')) schema.description = [schema.description, `Needs the ${auth.minRole} role or above.`].filter(Boolean).join('\n\n')
  }
  route.schema = schema as RouteOptions['schema']
}

/**
 * Registers the generator and the UI. Call before any route is registered: routes added earlier
 * are not seen by either hook.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  app.addHook('onRoute', (route) => describeRoute(route))
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'patrol collector API',
        version,
        description:
          'Monitoring and preventive maintenance for IT service companies. Every route needs a signed-in user (session cookie from POST /api/auth/login, or an API token from POST /api/tokens as `Authorization: Bearer …`) unless marked otherwise; reads are limited to the customers the user may see. Errors: `{ error: { code, message, details? } }`. Lists: `{ total, limit, offset, items }`.',
      },
      components: {
        securitySchemes: {
          apiToken: { type: 'http', scheme: 'bearer', description: 'An API token (POST /api/tokens), sent as `Authorization: Bearer <token>`.' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'patrol_session',
            description: 'The browser session from POST /api/auth/login. Writes must also send the `x-csrf-token` header with the csrfToken from the login answer.',
          },
        },
        schemas: { Error: ERROR_BODY },
      },
      security: [{ apiToken: [] }, { session: [] }],
      tags: TAGS,
    },
    transformObject: (documents) => {
      if (!('openapiObject' in documents)) return documents.swaggerObject
      // A copy: what is edited below must never reach the route schemas the validators use.
      const openapiObject = structuredClone(documents.openapiObject)
      for (const path of Object.values(openapiObject.paths ?? {})) {
        for (const op of Object.values(path as Record<string, Operation>)) {
          if (typeof op !== 'object' || op === null || !('responses' in op)) continue
          op.responses = { ...op.responses, default: { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } }
          for (const parameter of op.parameters ?? []) if (parameter.in === 'query' && parameter.schema?.default !== undefined) parameter.required = false
          for (const media of Object.values(op.requestBody?.content ?? {})) if (media.schema) optionalDefaults(media.schema)
        }
      }
      return openapiObject
    },
  })
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    // BaseLayout: no top bar. Its logo is an SVG with an inline <style> the CSP refuses, and its
    // "explore" box would point the page at any URL; this page documents this API only.
    uiConfig: { validatorUrl: null, deepLinking: true, docExpansion: 'list', layout: 'BaseLayout' },
    theme: { title: 'patrol API' },
  })
}
