/**
 * A site before and during a visit: its devices, its open tickets, and the pre-inspection review
 * (problems, what has gone quiet, what to replace, what to bring) with the checklist the engineer
 * ticks on site and saves back as the inspection record.
 */
import { useEffect, useState } from 'preact/hooks'
import type { ApiFailure } from '../api.js';
import { api } from '../api.js'
import { useI18n } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { useInterval, useLive } from '../live.js'
import { loadDevices, loadTickets } from '../data.js'
import { enc } from '../router.js'
import { useCan } from '../session.js'
import type { SiteReview } from '../types.js'
import { HealthBar } from '../components/health.js'
import { DeviceTable, TicketTable } from '../components/tables.js'
import { Empty, ErrorBox, Level, Link, Loading, Section, TicketState } from '../components/ui.js'
import { health } from '../data.js'

export function SitePage({ customer, site }: { customer: string; site: string }) {
  const { t, lang, fmt } = useI18n()
  const canReview = useCan('engineer')
  const data = useData(async () => {
    const [devices, open, recent] = await Promise.all([
      loadDevices({ customer, site }),
      loadTickets({ customer, site, status: 'unresolved' }),
      loadTickets({ customer, site, limit: 20 }),
    ])
    return { devices, open: open.items, recent: recent.items.filter((tk) => tk.status === 'resolved' || tk.status === 'closed') }
  }, [customer, site])
  const review = useData(
    () => (canReview ? api<SiteReview>(`/api/sites/${enc(site)}/review`, { query: { customer, lang, format: 'json' } }) : Promise.resolve(null)),
    [customer, site, lang, canReview],
  )
  useLive(data.reload, (e) => e.data.customer === customer && e.data.site === site)
  useInterval(data.reload, 30_000)
  const d = data.data
  const r = review.data
  return (
    <div>
      <p class="crumbs">
        <Link href="/">{t('nav.overview')}</Link> › <Link href={`/customers/${enc(customer)}`}>{customer}</Link> ›
      </p>
      <h1>
        {r?.site.name ?? site} {d && <HealthBar h={health(d.devices)} />}
      </h1>
      <ErrorBox error={data.error} />
      <Loading when={data.loading && !d} />
      {d && (
        <div class="cols">
          <Section title={t('site.devices', { n: d.devices.length })}>
            <DeviceTable devices={d.devices} showPlace={false} />
          </Section>
          <Section title={t('overview.openTickets')}>
            <TicketTable tickets={d.open} showPlace={false} />
            <h3>{t('site.recentTickets')}</h3>
            <TicketTable tickets={d.recent} showPlace={false} />
          </Section>
        </div>
      )}
      {canReview && (
        <Section
          title={t('review.title')}
          id="review"
          actions={
            <a class="button" href={`/api/sites/${enc(site)}/review?customer=${enc(customer)}&lang=${lang}&format=html`} target="_blank" rel="noopener">
              {t('review.print')}
            </a>
          }
        >
          <ErrorBox error={review.error} />
          <Loading when={review.loading && !r} />
          {r && (
            <div class="cols">
              <div>
                <h3>{t('review.problems')}</h3>
                <table>
                  <tbody>
                    {r.problems.length === 0 && <Empty cols={2} />}
                    {r.problems.map((p, i) => (
                      <tr key={i}>
                        <td>
                          <Link href={`/devices/${enc(p.deviceId)}`}>{p.name}</Link>
                        </td>
                        <td>{p.problem}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>{t('review.tickets')}</h3>
                <table>
                  <tbody>
                    {r.tickets.length === 0 && <Empty cols={3} />}
                    {r.tickets.map((tk) => (
                      <tr key={tk.id}>
                        <td>
                          <Level level={tk.level} />
                        </td>
                        <td>
                          <Link href={`/tickets/${tk.id}`}>{tk.title}</Link> <span class="sub">{tk.name}</span>
                        </td>
                        <td>
                          <TicketState status={tk.status} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>{t('review.notSeen')}</h3>
                <table>
                  <tbody>
                    {r.notSeen.length === 0 && <Empty cols={2} />}
                    {r.notSeen.map((n) => (
                      <tr key={n.deviceId}>
                        <td>
                          <Link href={`/devices/${enc(n.deviceId)}`}>{n.name}</Link>
                        </td>
                        <td>{fmt.dateTime(n.lastSeen)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <h3>{t('review.toReplace')}</h3>
                <table>
                  <tbody>
                    {r.toReplace.length === 0 && <Empty cols={3} />}
                    {r.toReplace.map((x, i) => (
                      <tr key={i}>
                        <td>{x.name}</td>
                        <td>{x.part}</td>
                        <td>{x.why}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div>
                <h3>{t('review.bring')}</h3>
                <table data-testid="bring-list">
                  <tbody>
                    {r.bringList.length === 0 && <Empty cols={3} />}
                    {r.bringList.map((b, i) => (
                      <tr key={i}>
                        <td>{b.quantity} ×</td>
                        <td>{b.item}</td>
                        <td class="sub">{b.for.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <Checklist customer={customer} site={site} items={r.checklist} />
              </div>
            </div>
          )}
        </Section>
      )}
    </div>
  )
}

/**
 * The checklist, ticked on a tablet. Ticks survive a reload (kept in this browser per site until
 * saved) because a visit is long and a tablet's tab gets discarded.
 */
function Checklist({ customer, site, items }: { customer: string; site: string; items: string[] }) {
  const { t } = useI18n()
  const key = `patrol.checklist.${customer}.${site}`
  const [done, setDone] = useState<Record<string, boolean>>(() => {
    try {
      return JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, boolean>
    } catch {
      return {}
    }
  })
  const [notes, setNotes] = useState('')
  const [state, setState] = useState<{ saving?: boolean; saved?: string; error?: ApiFailure }>({})
  useEffect(() => {
    try {
      localStorage.setItem(key, JSON.stringify(done))
    } catch {
      // Not kept across reloads then; the save still works.
    }
  }, [done])
  const save = async () => {
    setState({ saving: true })
    try {
      await api(`/api/customers/${enc(customer)}/sites/${enc(site)}/inspections`, {
        method: 'POST',
        body: { visitedAt: new Date().toISOString(), items: items.map((item) => ({ item, done: Boolean(done[item]) })), ...(notes ? { notes } : {}) },
      })
      localStorage.removeItem(key)
      setDone({})
      setNotes('')
      setState({ saved: new Date().toISOString() })
    } catch (error) {
      setState({ error: error as ApiFailure })
    }
  }
  return (
    <div class="checklist" data-testid="checklist">
      <h3>{t('review.checklist')}</h3>
      {items.map((item) => (
        <label key={item} class="check">
          <input type="checkbox" checked={Boolean(done[item])} onChange={(e) => setDone({ ...done, [item]: e.currentTarget.checked })} />
          <span>{item}</span>
        </label>
      ))}
      <label>
        {t('review.notes')}
        <textarea rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <ErrorBox error={state.error} />
      {state.saved && <p class="ok">{t('review.saved')}</p>}
      <button type="button" class="primary" disabled={state.saving} onClick={save}>
        {t('review.save')}
      </button>
    </div>
  )
}
