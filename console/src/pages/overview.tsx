/** The fleet at a glance: customers and sites with their health, open tickets by level and SLA state, devices offline. */
import { useI18n } from '../i18n/index.js'
import { useData, useNow } from '../hooks.js'
import { useInterval, useLive } from '../live.js'
import { health, loadCustomers, loadDevices, loadTickets } from '../data.js'
import { enc } from '../router.js'
import { HealthBar } from '../components/health.js'
import { DeviceTable } from '../components/tables.js'
import { ErrorBox, Level, Link, Loading, Section, slaState } from '../components/ui.js'

const LEVELS = ['L1', 'L2', 'L3', 'L4'] as const

export function OverviewPage() {
  const { t } = useI18n()
  const now = useNow()
  const data = useData(async () => {
    const [devices, tickets] = await Promise.all([loadDevices(), loadTickets({ status: 'unresolved' })])
    return { devices, tickets: tickets.items, customers: await loadCustomers(devices) }
  }, [])
  useLive(data.reload)
  useInterval(data.reload, 30_000)
  const d = data.data
  const offline = d?.devices.filter((x) => x.status === 'offline') ?? []
  const states = ['overdue', 'soon', 'ok', 'none'] as const
  const count = (level: string, state: (typeof states)[number]) =>
    d?.tickets.filter((tk) => tk.level === level && (tk.status === 'open' ? slaState(tk.sla?.response, now) : slaState(tk.sla?.resolve, now)) === state).length ?? 0
  return (
    <div>
      <h1>{t('overview.title')}</h1>
      <ErrorBox error={data.error} />
      <Loading when={data.loading && !d} />
      {d && (
        <div class="cols">
          <Section title={t('overview.customers')}>
            <ul class="customers" data-testid="customers">
              {d.customers.length === 0 && <li class="muted">{t('common.none')}</li>}
              {d.customers.map((c) => (
                <li key={c.id}>
                  <div class="row">
                    <Link href={`/customers/${enc(c.id)}`} class="strong">
                      {c.name}
                    </Link>
                    <HealthBar h={health(d.devices.filter((x) => x.customer === c.id))} />
                  </div>
                  <ul class="sites">
                    {(c.sites ?? []).map((s) => (
                      <li key={s.id} class="row">
                        <Link href={`/customers/${enc(c.id)}/sites/${enc(s.id)}`}>{s.name}</Link>
                        <HealthBar h={health(d.devices.filter((x) => x.customer === c.id && x.site === s.id))} />
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t('overview.openTickets')} actions={<Link href="/tickets">{t('overview.queue')}</Link>}>
            <table class="matrix" data-testid="ticket-matrix">
              <thead>
                <tr>
                  <th>{t('ticket.level')}</th>
                  <th>{t('sla.overdue')}</th>
                  <th>{t('sla.soon')}</th>
                  <th>{t('sla.onTime')}</th>
                  <th>{t('sla.none')}</th>
                </tr>
              </thead>
              <tbody>
                {LEVELS.map((level) => (
                  <tr key={level}>
                    <td>
                      <Link href={`/tickets?level=${level}`}>
                        <Level level={level} />
                      </Link>
                    </td>
                    {states.map((s) => (
                      <td key={s} class={count(level, s) && (s === 'overdue' || s === 'soon') ? `sla-${s}` : ''}>
                        {count(level, s)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">{t('overview.ticketTotal', { n: d.tickets.length })}</p>
          </Section>
          <Section title={t('overview.offline', { n: offline.length })}>
            <DeviceTable devices={offline} />
          </Section>
          <Section title={t('overview.devices', { n: d.devices.length })}>
            <DeviceTable devices={d.devices.slice(0, 50)} />
          </Section>
        </div>
      )}
    </div>
  )
}
