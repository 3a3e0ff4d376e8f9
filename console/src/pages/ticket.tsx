/**
 * One ticket: its SLA clocks, diagnostics, history, and the actions its state allows
 * (acknowledge, start, comment, wait on the customer / resume, resolve with the problem report,
 * close). Actions are recorded under the signed-in user.
 */
import { useState } from 'preact/hooks'
import type { ApiFailure } from '../api.js';
import { api } from '../api.js'
import { useI18n, type Key } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { useLive } from '../live.js'
import { enc } from '../router.js'
import { useCan, useSession } from '../session.js'
import type { Ticket } from '../types.js'
import { ErrorBox, JsonView, KV, Level, Link, Loading, Section, SlaClock, TicketState } from '../components/ui.js'
import { NotFoundPage } from './not-found.js'

type ActionName = 'acknowledge' | 'start' | 'assign' | 'comment' | 'wait' | 'resume' | 'resolve' | 'escalate' | 'close'
const ESCALATIONS = ['technical', 'device', 'capability'] as const

export function TicketPage({ id }: { id: string }) {
  const { t, fmt } = useI18n()
  const { user } = useSession()
  const canWork = useCan('engineer')
  const ticket = useData(() => api<Ticket>(`/api/tickets/${enc(id)}`), [id])
  useLive(ticket.reload, (e) => e.type === 'ticket' && String(e.data.id) === id)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiFailure | null>(null)
  const [comment, setComment] = useState('')
  const [report, setReport] = useState({ problemType: '', cause: '', method: '', loss: '' })
  const [assignee, setAssignee] = useState('')
  const [escalation, setEscalation] = useState<{ escalation: (typeof ESCALATIONS)[number]; text: string; raiseLevel: boolean }>({ escalation: 'technical', text: '', raiseLevel: false })

  if (ticket.error?.status === 404 || !/^\d+$/.test(id)) return <NotFoundPage what={t('ticket.notFound', { id })} />
  const tk = ticket.data
  const act = async (action: ActionName, body: Record<string, unknown> = {}) => {
    setBusy(true)
    setError(null)
    try {
      await api(`/api/tickets/${enc(id)}/${action}`, { method: 'POST', body: { actor: user.username, ...body } })
      if (action === 'comment') setComment('')
      if (action === 'assign') setAssignee('')
      if (action === 'escalate') setEscalation({ escalation: 'technical', text: '', raiseLevel: false })
      ticket.reload()
    } catch (e) {
      setError(e as ApiFailure)
    } finally {
      setBusy(false)
    }
  }
  const unresolved = tk && ['open', 'acknowledged', 'in_progress'].includes(tk.status)
  const waiting = Boolean(tk?.sla.waitingOnCustomerSince)
  return (
    <div data-testid="ticket-page">
      <p class="crumbs">
        <Link href="/tickets">{t('nav.tickets')}</Link> ›
      </p>
      <ErrorBox error={ticket.error} />
      <Loading when={ticket.loading && !tk} />
      {tk && (
        <>
          <h1>
            <Level level={tk.level} /> #{tk.id} {tk.title} <TicketState status={tk.status} />
          </h1>
          <div class="tiles">
            <div class="tile">
              <span>{t('ticket.response')}</span>
              <SlaClock clock={tk.sla.response} />
            </div>
            <div class="tile">
              <span>{t('ticket.onsite')}</span>
              <SlaClock clock={tk.sla.onsite} />
            </div>
            <div class="tile">
              <span>{t('ticket.resolve')}</span>
              <SlaClock clock={tk.sla.resolve} />
            </div>
          </div>
          <div class="cols">
            <Section title={t('ticket.details')}>
              <KV
                rows={[
                  [t('ticket.device'), <Link href={`/devices/${enc(tk.deviceId)}`}>{tk.deviceId}</Link>],
                  [t('device.place'), <Link href={`/customers/${enc(tk.customer)}/sites/${enc(tk.site)}`}>{`${tk.customer} / ${tk.site}`}</Link>],
                  [t('ticket.rule'), tk.ruleId],
                  [t('ticket.opened'), fmt.dateTime(tk.openedAt)],
                  [t('ticket.acknowledged'), tk.acknowledgedAt ? fmt.dateTime(tk.acknowledgedAt) : null],
                  [t('ticket.assignee'), tk.assignee],
                  [t('ticket.occurrences'), String(tk.occurrences)],
                  [t('ticket.waiting'), tk.sla.waitingOnCustomerSince ? fmt.dateTime(tk.sla.waitingOnCustomerSince) : null],
                  [t('ticket.contract'), tk.outsideContract ? t('ticket.outsideContract') : t('common.yes')],
                ]}
              />
              {tk.problemReport.problemType && (
                <>
                  <h3>{t('ticket.problemReport')}</h3>
                  <KV
                    rows={[
                      [t('ticket.problemType'), tk.problemReport.problemType],
                      [t('ticket.cause'), tk.problemReport.cause],
                      [t('ticket.method'), tk.problemReport.method],
                      [t('ticket.loss'), tk.problemReport.loss],
                    ]}
                  />
                </>
              )}
            </Section>
            {canWork && (
              <Section title={t('ticket.actions')}>
                <ErrorBox error={error} />
                <div class="actions">
                  {tk.status === 'open' && (
                    <button type="button" class="primary" disabled={busy} onClick={() => act('acknowledge')} data-action="acknowledge">
                      {t('ticket.do.acknowledge')}
                    </button>
                  )}
                  {(tk.status === 'open' || tk.status === 'acknowledged') && (
                    <button type="button" disabled={busy} onClick={() => act('start')} data-action="start">
                      {t('ticket.do.start')}
                    </button>
                  )}
                  {unresolved && !waiting && (
                    <button type="button" disabled={busy} onClick={() => act('wait')} data-action="wait">
                      {t('ticket.do.wait')}
                    </button>
                  )}
                  {unresolved && waiting && (
                    <button type="button" disabled={busy} onClick={() => act('resume')} data-action="resume">
                      {t('ticket.do.resume')}
                    </button>
                  )}
                  {tk.status === 'resolved' && (
                    <button type="button" disabled={busy} onClick={() => act('close')} data-action="close">
                      {t('ticket.do.close')}
                    </button>
                  )}
                </div>
                <form
                  onSubmit={(e) => {
                    e.preventDefault()
                    if (comment.trim()) void act('comment', { text: comment.trim() })
                  }}
                >
                  <label>
                    {t('ticket.comment')}
                    <textarea rows={3} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
                  </label>
                  <button type="submit" disabled={busy || !comment.trim()}>
                    {t('ticket.do.comment')}
                  </button>
                </form>
                {unresolved && (
                  <form
                    class="resolve"
                    data-testid="assign"
                    onSubmit={(e) => {
                      e.preventDefault()
                      if (assignee.trim()) void act('assign', { assignee: assignee.trim() })
                    }}
                  >
                    <h3>{t('ticket.do.assign')}</h3>
                    <label>
                      {t('ticket.assignTo')}
                      <input name="assignee" value={assignee} placeholder={tk.assignee ?? user.username} onInput={(e) => setAssignee(e.currentTarget.value)} />
                    </label>
                    <button type="submit" disabled={busy || !assignee.trim()} data-action="assign">
                      {t('ticket.do.assign')}
                    </button>
                  </form>
                )}
                {unresolved && (
                  <form
                    class="resolve"
                    data-testid="escalate"
                    onSubmit={(e) => {
                      e.preventDefault()
                      if (escalation.text.trim()) void act('escalate', { ...escalation, text: escalation.text.trim() })
                    }}
                  >
                    <h3>{t('ticket.do.escalate')}</h3>
                    <label>
                      {t('ticket.escalation')}
                      <select name="escalation" value={escalation.escalation} onChange={(e) => setEscalation({ ...escalation, escalation: e.currentTarget.value as (typeof ESCALATIONS)[number] })}>
                        {ESCALATIONS.map((x) => (
                          <option key={x} value={x}>
                            {t(`ticket.escalation.${x}`)}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      {t('ticket.escalationReason')}
                      <textarea name="escalationText" rows={2} required value={escalation.text} onInput={(e) => setEscalation({ ...escalation, text: e.currentTarget.value })} />
                    </label>
                    <label class="check">
                      <input type="checkbox" name="raiseLevel" checked={escalation.raiseLevel} onChange={(e) => setEscalation({ ...escalation, raiseLevel: e.currentTarget.checked })} />
                      <span>{t('ticket.raiseLevel')}</span>
                    </label>
                    <button type="submit" disabled={busy || !escalation.text.trim()} data-action="escalate">
                      {t('ticket.do.escalate')}
                    </button>
                  </form>
                )}
                {unresolved && (
                  <form
                    class="resolve"
                    onSubmit={(e) => {
                      e.preventDefault()
                      void act('resolve', report)
                    }}
                  >
                    <h3>{t('ticket.do.resolve')}</h3>
                    {(['problemType', 'cause', 'method', 'loss'] as const).map((f) => (
                      <label key={f}>
                        {t(`ticket.${f}` as Key)}
                        <textarea rows={f === 'problemType' ? 1 : 2} required value={report[f]} onInput={(e) => setReport({ ...report, [f]: e.currentTarget.value })} />
                      </label>
                    ))}
                    <button type="submit" class="primary" disabled={busy}>
                      {t('ticket.do.resolve')}
                    </button>
                  </form>
                )}
              </Section>
            )}
          </div>
          <div class="cols">
            <Section title={t('ticket.history')}>
              <ol class="history" data-testid="history">
                {(tk.history ?? []).map((h, i) => (
                  <li key={i}>
                    <span class="sub">{fmt.dateTime(h.time)}</span> <strong>{t(`ticket.event.${h.kind}` as Key) === `ticket.event.${h.kind}` ? h.kind : t(`ticket.event.${h.kind}` as Key)}</strong>
                    {h.actor && <span> · {h.actor}</span>}
                    {h.text && <p>{h.text}</p>}
                  </li>
                ))}
              </ol>
            </Section>
            <Section title={t('ticket.diagnostics')}>
              <JsonView value={tk.diagnostics} />
            </Section>
          </div>
        </>
      )}
    </div>
  )
}
