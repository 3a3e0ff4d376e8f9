/**
 * The report archive (维护档案) over HTTP:
 * - GET  /api/reports                 the archive, scoped to the caller's customers, newest first, no file bodies
 * - GET  /api/reports/:id             one entry with its findings (404 for another tenant's)
 * - GET  /api/reports/:id/html|pdf    the file, as a download (?disposition=inline to view)
 * - POST /api/reports                 engineer+: generate, archive, return the entry (201)
 * - POST /api/reports/:id/issue       manager+: mark issued
 * - POST /api/reports/:id/send        manager+: e-mail it to the customer now (and mark it issued)
 *
 * Generation is synchronous: the request returns when the report is archived. It is bounded by
 * what it reads (hourly aggregates, one quarter: bench:report measures 500 devices) and by
 * MAX_PERIOD_DAYS; one generation runs at a time per collector (a queue, so two requests never
 * start two Chromiums on a small server), and the client waits its turn. A 202-and-poll design
 * would add a "generating" state, its failure handling and a poller in every client for a wait
 * that is seconds for a normal customer; if reports ever take minutes, that is the change to make.
 *
 * Ids are UUIDs checked by the route schema, so no path, dot or slash ever reaches a query or a
 * file name; the files come from the database, never from a disk path.
 */
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { archivedFile, archiveFileNames, archiveReport, contentDisposition, getArchived, issueArchived, listArchive, type ArchiveEntry } from '../../reports/archive.js'
import type { ReportEdits } from '../../reports/edits.js'
import { sendReportMail } from '../../reports/mail.js'
import { produceReport } from '../../reports/produce.js'
import { assertCustomer, customerScope, principalOf } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { ApiError, badRequest, notFound } from '../errors.js'

const Id = Type.String({ pattern: ID_PATTERN })
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
const ReportId = Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }, { additionalProperties: false })
const Lang = Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])
const Quarter = Type.String({ pattern: '^\\d{4}-?[Qq][1-4]$' })
/** The longest custom period one request may ask for: a year and a bit (yearly reports). */
export const MAX_PERIOD_DAYS = 400

const FindingEdit = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 300 }),
    text: Type.Optional(Type.String({ maxLength: 2000 })),
    recommendation: Type.Optional(Type.String({ maxLength: 2000 })),
    severity: Type.Optional(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')])),
    remove: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
const AddedFinding = Type.Object(
  {
    severity: Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]),
    deviceId: Type.Union([Id, Type.Null()]),
    text: Type.String({ minLength: 1, maxLength: 2000 }),
    recommendation: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
)
const Edits = Type.Object({ findings: Type.Optional(Type.Array(FindingEdit, { maxItems: 500 })), add: Type.Optional(Type.Array(AddedFinding, { maxItems: 100 })) }, { additionalProperties: false })

const GenerateBody = Type.Object(
  {
    customer: Id,
    quarter: Type.Optional(Quarter),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    site: Type.Optional(Id),
    lang: Type.Optional(Lang),
    /** The engineer's edits to the generated findings (reports/edits.ts). */
    edits: Type.Optional(Edits),
    /** false: archive the HTML only. */
    pdf: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

/** One generation at a time per collector; later requests wait their turn. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(job: () => Promise<T>): Promise<T> => {
    const run = tail.then(job, job)
    tail = run.catch(() => undefined)
    return run
  }
}

export const reportRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const queue = serialQueue()

  /** The entry, or 404 whether it does not exist or belongs to another tenant (no probing). */
  function visible<T extends ArchiveEntry>(request: Parameters<typeof customerScope>[0], found: T | null, id: string): T {
    if (!found) throw notFound(`report ${id}`)
    assertCustomer(request, found.customer, `report ${id}`)
    return found
  }

  app.get(
    '/api/reports',
    {
      schema: {
        summary: 'The report archive: newest first, without the files',
        querystring: Type.Object(
          {
            customer: Type.Optional(Id),
            site: Type.Optional(Id),
            period: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            lang: Type.Optional(Lang),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query
      const page = await listArchive(ctx.db, { scope: customerScope(request), customer: q.customer, site: q.site, period: q.period, lang: q.lang, limit: q.limit, offset: q.offset })
      return { total: page.total, limit: q.limit, offset: q.offset, items: page.items }
    },
  )

  app.get('/api/reports/:id', { schema: { summary: 'One archived report: versions, delivery, findings as printed', params: ReportId } }, async (request) => {
    return visible(request, await getArchived(ctx.db, request.params.id), request.params.id)
  })

  for (const kind of ['html', 'pdf'] as const) {
    app.get(
      `/api/reports/:id/${kind}`,
      {
        schema: {
          summary: `Download the archived ${kind.toUpperCase()}`,
          params: ReportId,
          querystring: Type.Object({ disposition: Type.Optional(Type.Union([Type.Literal('attachment'), Type.Literal('inline')])) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const { id } = request.params
        const file = await archivedFile(ctx.db, id, kind)
        const entry = visible(request, file?.entry ?? null, id)
        if (!file?.body) throw new ApiError(404, 'NO_PDF', `report ${id} (version ${entry.version}) has no PDF: ${entry.pdfMissing ?? 'not rendered'}; the HTML is at /api/reports/${id}/html`)
        const { rows } = await ctx.db.query<{ name: string }>('select name from customer where id = $1', [entry.customer])
        const names = archiveFileNames(entry, rows[0]?.name ?? entry.customer, kind)
        const disposition = contentDisposition(names)
        return reply
          .header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8')
          .header('content-disposition', request.query.disposition === 'inline' ? disposition.replace(/^attachment/, 'inline') : disposition)
          .header('x-content-type-options', 'nosniff')
          // The report HTML has no scripts and loads nothing; viewed inline it still may not.
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .header('etag', `"${kind === 'pdf' ? entry.pdfSha256 : entry.htmlSha256}"`)
          .send(file.body)
      },
    )
  }

  app.post(
    '/api/reports',
    { config: { auth: { minRole: 'engineer' } }, schema: { summary: 'Generate a report now and archive it as the next version', body: GenerateBody } },
    async (request, reply) => {
      const body = request.body
      assertCustomer(request, body.customer, `customer "${body.customer}"`)
      const { rows } = await ctx.db.query<{ language: 'zh-CN' | 'en'; time_zone: string }>('select language, time_zone from customer where id = $1', [body.customer])
      const customer = rows[0]
      if (!customer) throw notFound(`customer "${body.customer}"`)
      if (body.site) {
        const site = await ctx.db.query('select 1 from site where customer_id = $1 and id = $2', [body.customer, body.site])
        if (!site.rows.length) throw notFound(`site "${body.customer}/${body.site}"`)
      }
      let period: string | { from: Date; to: Date }
      if (body.quarter && (body.from || body.to)) throw badRequest('give either quarter or from and to, not both')
      if (body.quarter) period = body.quarter.toUpperCase()
      else if (body.from && body.to) {
        const from = new Date(body.from)
        const to = new Date(body.to)
        if (!(to > from)) throw badRequest(`"to" (${body.to}) must be after "from" (${body.from})`)
        if ((to.getTime() - from.getTime()) / 86_400_000 > MAX_PERIOD_DAYS) throw badRequest(`a report covers at most ${MAX_PERIOD_DAYS} days`)
        period = { from, to }
      } else throw badRequest('give quarter (e.g. "2026Q3"), or from and to')
      const principal = principalOf(request)
      const entry = await queue(async () => {
        const produced = await produceReport(ctx.db, {
          customerId: body.customer,
          period,
          lang: body.lang ?? customer.language,
          tz: customer.time_zone,
          site: body.site,
          edits: body.edits as ReportEdits | undefined,
          pdf: body.pdf,
        })
        return archiveReport(ctx.db, produced, { trigger: 'api', generatedBy: principal.username, edits: body.edits as ReportEdits | undefined })
      })
      return reply.code(201).send(entry)
    },
  )

  app.post('/api/reports/:id/issue', { config: { auth: { minRole: 'manager' } }, schema: { summary: 'Mark a report issued (final)', params: ReportId } }, async (request) => {
    const { id } = request.params
    visible(request, await getArchived(ctx.db, id), id)
    return (await issueArchived(ctx.db, id, principalOf(request).username))!
  })

  app.post('/api/reports/:id/send', { config: { auth: { minRole: 'manager' } }, schema: { summary: "E-mail the report to the customer's report recipients now", params: ReportId } }, async (request, reply) => {
    const { id } = request.params
    visible(request, await getArchived(ctx.db, id), id)
    if (!ctx.reportMail) throw new ApiError(409, 'MAIL_NOT_CONFIGURED', 'no SMTP server for report e-mails: set reportSmtpUrl (PATROL_REPORT_SMTP_URL)')
    const outcome = await sendReportMail(ctx.db, id, ctx.reportMail, new Date(), principalOf(request).username)
    if (!outcome.sent) {
      const retry = outcome.entry.emailNextAt ? `; retried automatically from ${outcome.entry.emailNextAt}` : ''
      return reply.code(502).send({ error: { code: 'MAIL_FAILED', message: `report ${id} not delivered: ${outcome.error ?? 'unknown error'}${retry}`, details: { report: outcome.entry } } })
    }
    return outcome.entry
  })
}
