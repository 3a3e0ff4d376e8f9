/**
 * The report archive: per customer, every generated report with its versions, generate a new one
 * for a quarter, download HTML or PDF.
 */
import { useState } from 'preact/hooks'
import type { ApiFailure} from '../api.js';
import { api, type Page } from '../api.js'
import { useI18n } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { loadCustomers, loadDevices } from '../data.js'
import { enc, navigate, useLocation } from '../router.js'
import { useCan } from '../session.js'
import type { Report } from '../types.js'
import { CustomerSelect, DataTable, ErrorBox, Loading, Section } from '../components/ui.js'

/** The quarter that ended last: what a report is usually wanted for. */
export function lastQuarter(now = new Date()): string {
  const q = Math.floor(now.getUTCMonth() / 3)
  return q === 0 ? `${now.getUTCFullYear() - 1}Q4` : `${now.getUTCFullYear()}Q${q}`
}

export function ReportsPage() {
  const { t, fmt, lang } = useI18n()
  const canGenerate = useCan('engineer')
  const { search } = useLocation()
  const customers = useData(async () => loadCustomers(await loadDevices()), [])
  const customer = search.get('customer') ?? customers.data?.[0]?.id ?? ''
  const reports = useData(() => (customer ? api<Page<Report>>('/api/reports', { query: { customer, limit: 200 } }) : Promise.resolve({ items: [] as Report[] })), [customer])
  const [quarter, setQuarter] = useState(lastQuarter())
  const [reportLang, setReportLang] = useState<string>(lang)
  const [state, setState] = useState<{ busy?: boolean; error?: ApiFailure }>({})
  const generate = async (e: Event) => {
    e.preventDefault()
    setState({ busy: true })
    try {
      await api('/api/reports', { method: 'POST', body: { customer, quarter, lang: reportLang } })
      setState({})
      reports.reload()
    } catch (error) {
      setState({ error: error as ApiFailure })
    }
  }
  const items = [...(reports.data?.items ?? [])].sort((a, b) => b.periodLabel.localeCompare(a.periodLabel) || b.version - a.version)
  return (
    <div>
      <h1>{t('reports.title')}</h1>
      <ErrorBox error={customers.error} />
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <CustomerSelect customers={customers.data} value={customer} onChange={(id) => navigate(`/reports?customer=${enc(id)}`, { replace: true })} />
      </form>
      {canGenerate && customer && (
        <Section title={t('reports.generate')}>
          <form class="filters" onSubmit={generate}>
            <label>
              {t('reports.quarter')}
              <input name="quarter" value={quarter} pattern="\d{4}Q[1-4]" required onInput={(e) => setQuarter(e.currentTarget.value)} />
            </label>
            <label>
              {t('reports.lang')}
              <select name="lang" value={reportLang} onChange={(e) => setReportLang(e.currentTarget.value)}>
                <option value="zh-CN">中文</option>
                <option value="en">English</option>
              </select>
            </label>
            <button type="submit" class="primary" disabled={state.busy}>
              {state.busy ? t('reports.generating') : t('reports.generate')}
            </button>
          </form>
          <ErrorBox error={state.error} />
        </Section>
      )}
      <Section title={t('reports.archive')}>
        <ErrorBox error={reports.error} />
        <Loading when={reports.loading && !reports.data} />
        <DataTable testid="reports" empty={items.length === 0} head={[t('reports.period'), t('reports.site'), t('reports.lang'), t('reports.version'), t('reports.generatedAt'), t('reports.state'), t('reports.download')]}>
              {items.map((r) => (
                <tr key={r.id} data-report={r.id}>
                  <td>{r.periodLabel}</td>
                  <td>{r.site ?? t('reports.wholeCustomer')}</td>
                  <td>{r.lang}</td>
                  <td>v{r.version}</td>
                  <td>
                    {fmt.dateTime(r.generatedAt)} <span class="sub">{r.generatedBy}</span>
                  </td>
                  <td>
                    {r.status === 'issued' ? t('reports.issued') : t('reports.draft')}
                    {r.emailedAt && <div class="sub">{t('reports.emailed', { at: fmt.dateTime(r.emailedAt) })}</div>}
                  </td>
                  <td class="downloads">
                    {(r.pdfMissing ? ['html'] : ['html', 'pdf']).map((f) => (
                      <a key={f} class="button small" href={`/api/reports/${enc(r.id)}/${f}`} download data-format={f}>
                        {f.toUpperCase()}
                      </a>
                    ))}
                    {r.pdfMissing && <div class="sub">{t('reports.noPdf')}</div>}
                  </td>
                </tr>
              ))}
        </DataTable>
      </Section>
    </div>
  )
}
