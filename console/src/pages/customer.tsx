import { useI18n } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { useInterval, useLive } from '../live.js'
import { health, loadCustomers, loadDevices, loadTickets } from '../data.js'
import { enc } from '../router.js'
import { HealthBar } from '../components/health.js'
import { TicketTable } from '../components/tables.js'
import { ErrorBox, Link, Loading, Section } from '../components/ui.js'
import { NotFoundPage } from './not-found.js'

export function CustomerPage({ customer }: { customer: string }) {
  const { t } = useI18n()
  const data = useData(async () => {
    const [devices, tickets] = await Promise.all([loadDevices({ customer }), loadTickets({ customer, status: 'unresolved' })])
    const customers = await loadCustomers(devices)
    return { devices, tickets: tickets.items, customer: customers.find((c) => c.id === customer) }
  }, [customer])
  useLive(data.reload, (e) => e.data.customer === customer)
  useInterval(data.reload, 30_000)
  const d = data.data
  if (d && !d.customer) return <NotFoundPage what={t('customer.notFound', { id: customer })} />
  return (
    <div>
      <p class="crumbs">
        <Link href="/">{t('nav.overview')}</Link> ›
      </p>
      <h1>{d?.customer?.name ?? customer}</h1>
      <ErrorBox error={data.error} />
      <Loading when={data.loading && !d} />
      {d && (
        <div class="cols">
          <Section title={t('customer.sites')}>
            <ul class="sites big">
              {(d.customer?.sites ?? []).map((s) => (
                <li key={s.id} class="row">
                  <Link href={`/customers/${enc(customer)}/sites/${enc(s.id)}`} class="strong">
                    {s.name}
                  </Link>
                  <HealthBar h={health(d.devices.filter((x) => x.site === s.id))} />
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t('overview.openTickets')}>
            <TicketTable tickets={d.tickets} showPlace={false} />
          </Section>
        </div>
      )}
    </div>
  )
}
