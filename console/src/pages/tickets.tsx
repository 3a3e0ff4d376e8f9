/** The ticket queue: filters in the URL (so a filtered queue can be bookmarked), SLA clocks counting down. */
import { useI18n, type Key } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { useInterval, useLive } from '../live.js'
import { loadCustomers, loadDevices, loadTickets } from '../data.js'
import { navigate, useLocation } from '../router.js'
import { TicketTable } from '../components/tables.js'
import { CustomerSelect, ErrorBox, Loading, Section } from '../components/ui.js'

const STATES = ['unresolved', 'open', 'acknowledged', 'in_progress', 'resolved', 'closed', ''] as const
const LEVELS = ['', 'L1', 'L2', 'L3', 'L4'] as const

export function TicketsPage() {
  const { t } = useI18n()
  const { search } = useLocation()
  const status = search.get('status') ?? 'unresolved'
  const level = search.get('level') ?? ''
  const customer = search.get('customer') ?? ''
  const overdue = search.get('overdue') === 'true'
  const data = useData(
    () => loadTickets({ status: status || undefined, level: level || undefined, customer: customer || undefined, overdue: overdue ? 'true' : undefined, limit: 200 }),
    [status, level, customer, overdue],
  )
  const customers = useData(async () => loadCustomers(await loadDevices()), [])
  useLive(data.reload, (e) => e.type !== 'device')
  useInterval(data.reload, 30_000)
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(search)
    if (value) next.set(name, value)
    else next.delete(name)
    if (name === 'status' && !value) next.set('status', '')
    navigate(`/tickets?${next.toString()}`, { replace: true })
  }
  return (
    <div>
      <h1>{t('tickets.title')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('ticket.state')}
          <select name="status" value={status} onChange={(e) => set('status', e.currentTarget.value)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s ? t(`ticket.status.${s}` as Key) : t('common.all')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ticket.level')}
          <select name="level" value={level} onChange={(e) => set('level', e.currentTarget.value)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l || t('common.all')}
              </option>
            ))}
          </select>
        </label>
        <CustomerSelect customers={customers.data} value={customer} all onChange={(id) => set('customer', id)} />
        <label class="check">
          <input type="checkbox" name="overdue" checked={overdue} onChange={(e) => set('overdue', e.currentTarget.checked ? 'true' : '')} />
          <span>{t('tickets.overdueOnly')}</span>
        </label>
      </form>
      <ErrorBox error={data.error} />
      <Loading when={data.loading && !data.data} />
      <Section title={t('tickets.count', { n: data.data?.total ?? 0 })}>
        <TicketTable tickets={data.data?.items ?? []} />
      </Section>
    </div>
  )
}
