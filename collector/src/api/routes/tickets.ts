/**
 * Tickets: list with filters, one with its history, and the lifecycle actions (acknowledge,
 * start, assign, comment, wait on the customer, resume, resolve with the problem report, close).
 * Reads are scoped to the principal's customers; actions need an engineer or above, and the
 * history records the signed-in user as the actor. The body's `actor` is still accepted so older
 * scripts keep working, but it is ignored: a name typed by the caller is not evidence of who acted.
 */
import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ID_PATTERN } from '@patrol/shared'
import { assertCustomer, customerScope, principalOf } from '../auth/principal.js'
import type { ApiContext } from '../context.js'
import { notFound } from '../errors.js'
import { applyAction, type Action } from '../../tickets/lifecycle.js'
import { ticketJson, type TicketRow } from '../../tickets/ticket-row.js'

const Id = Type.String({ pattern: ID_PATTERN })
const Status = Type.Union(['open', 'acknowledged', 'in_progress', 'resolved', 'closed'].map((s) => Type.Literal(s)))
const Level = Type.Union(['L1', 'L2', 'L3', 'L4'].map((s) => Type.Literal(s)))
const Actor = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'ignored: the signed-in user is recorded' }))
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const TicketParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

export const ticketRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get(
    '/api/tickets',
    {
      schema: {
        summary: 'Tickets, newest first, with filters',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Union([Status, Type.Literal('unresolved')])),
            customer: Type.Optional(Id),
            site: Type.Optional(Id),
            device: Type.Optional(Id),
            rule: Type.Optional(Type.String({ maxLength: 100 })),
            level: Type.Optional(Level),
            assignee: Type.Optional(Type.String({ maxLength: 200 })),
            overdue: Type.Optional(Type.Boolean()),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
            offset: Type.Integer({ minimum: 0, default: 0 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const q = request.query
      const now = Date.now()
      const filters = [
        q.status === 'unresolved' ? null : (q.status ?? null),
        q.status === 'unresolved',
        q.customer ?? null,
        q.site ?? null,
        q.device ?? null,
        q.rule ?? null,
        q.level ?? null,
        q.assignee ?? null,
        q.overdue ?? false,
        new Date(now),
        customerScope(request),
      ]
      const where = `where ($1::text is null or status = $1) and (not $2::boolean or status in ('open', 'acknowledged', 'in_progress'))
        and ($3::text is null or customer = $3) and ($4::text is null or site = $4) and ($5::text is null or device_id = $5)
        and ($6::text is null or rule_id = $6) and ($7::text is null or level = $7) and ($8::text is null or assignee = $8)
        and (not $9::boolean or (status in ('open', 'acknowledged', 'in_progress') and waiting_since is null
             and ((acknowledged_at is null and response_due < $10) or resolve_due < $10)))
        and ($11::text[] is null or customer = any($11))`
      const [{ rows }, total] = await Promise.all([
        ctx.db.query<TicketRow>(`select * from ticket ${where} order by opened_at desc, id desc limit $12 offset $13`, [...filters, q.limit, q.offset]),
        ctx.db.query<{ n: number }>(`select count(*)::int as n from ticket ${where}`, filters),
      ])
      return { total: total.rows[0]?.n ?? 0, limit: q.limit, offset: q.offset, items: rows.map((t) => ticketJson(t, now, { withDiagnostics: false })) }
    },
  )

  app.get('/api/tickets/:id', { schema: { summary: 'One ticket with diagnostics and history', params: TicketParams } }, async (request) => {
    const { rows } = await ctx.db.query<TicketRow>('select * from ticket where id = $1', [request.params.id])
    if (!rows[0]) throw notFound(`ticket ${request.params.id}`)
    assertCustomer(request, rows[0].customer, `ticket ${request.params.id}`)
    const history = await ctx.db.query<{ time: Date; kind: string; actor: string | null; text: string | null; data: unknown }>(
      'select time, kind, actor, text, data from ticket_event where ticket_id = $1 order by id',
      [request.params.id],
    )
    return { ...ticketJson(rows[0], Date.now()), history: history.rows.map((e) => ({ time: e.time.toISOString(), kind: e.kind, actor: e.actor, text: e.text, data: e.data })) }
  })

  // Bodies are validated by their schema before the handler; typed loosely here to keep the compiler's inference shallow.
  const action = (path: string, summary: string, body: TObject, toAction: (body: Record<string, unknown> & { actor: string }) => Action) =>
    app.post(path, { config: { auth: { minRole: 'engineer' } }, schema: { summary, params: TicketParams, body: body as TObject } }, async (request) => {
      const id = (request.params as { id: number }).id
      const { rows } = await ctx.db.query<{ customer: string }>('select customer from ticket where id = $1', [id])
      if (!rows[0]) throw notFound(`ticket ${id}`)
      assertCustomer(request, rows[0].customer, `ticket ${id}`)
      const actor = principalOf(request).username
      const updated = await applyAction(ctx.db, id, toAction({ ...(request.body as Record<string, unknown>), actor }), Date.now())
      return ticketJson(updated, Date.now())
    })
  const strict = { additionalProperties: false }
  action('/api/tickets/:id/acknowledge', 'Acknowledge: the response deadline is met', Type.Object({ actor: Actor }, strict), (b) => ({ kind: 'acknowledge', actor: b.actor }))
  action('/api/tickets/:id/start', 'Work started', Type.Object({ actor: Actor }, strict), (b) => ({ kind: 'start', actor: b.actor }))
  action('/api/tickets/:id/assign', 'Assign to an engineer', Type.Object({ actor: Actor, assignee: Text(200) }, strict), (b) => ({ kind: 'assign', actor: b.actor, assignee: b.assignee as string }))
  action('/api/tickets/:id/comment', 'Add a comment', Type.Object({ actor: Actor, text: Text(10_000) }, strict), (b) => ({ kind: 'comment', actor: b.actor, text: b.text as string }))
  action('/api/tickets/:id/wait', 'Waiting on the customer: SLA clocks pause', Type.Object({ actor: Actor, text: Type.Optional(Text(2000)) }, strict), (b) => ({
    kind: 'wait',
    actor: b.actor,
    ...(b.text ? { text: b.text as string } : {}),
  }))
  action('/api/tickets/:id/resume', 'The customer answered: SLA clocks run again, deadlines moved by the pause', Type.Object({ actor: Actor }, strict), (b) => ({ kind: 'resume', actor: b.actor }))
  action(
    '/api/tickets/:id/resolve',
    'Resolve with the problem report (problem type, cause, method, loss)',
    Type.Object({ actor: Actor, problemType: Text(200), cause: Text(4000), method: Text(4000), loss: Text(2000) }, strict),
    (b) => ({ kind: 'resolve', actor: b.actor, problemType: b.problemType as string, cause: b.cause as string, method: b.method as string, loss: b.loss as string }),
  )
  action(
    '/api/tickets/:id/escalate',
    'Escalate by hand: technical (another skill), device (send-in repair), capability (another engineer); optionally one level up',
    Type.Object(
      { actor: Actor, escalation: Type.Union([Type.Literal('technical'), Type.Literal('device'), Type.Literal('capability')]), text: Text(4000), raiseLevel: Type.Boolean({ default: false }) },
      strict,
    ),
    (b) => ({ kind: 'escalate', actor: b.actor, escalation: b.escalation as 'technical' | 'device' | 'capability', text: b.text as string, raiseLevel: b.raiseLevel === true }),
  )
  action('/api/tickets/:id/close', 'Close a resolved ticket', Type.Object({ actor: Actor }, strict), (b) => ({ kind: 'close', actor: b.actor }))
}
