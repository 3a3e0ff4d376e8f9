/**
 * One device: identity and inventory, current readings, history charts, supplies (printers),
 * interfaces (switches and agents), disks with SMART, and its tickets. Current values refresh on
 * live device events and every 15 s; charts reload with them.
 */
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { useI18n, type Key } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { useInterval, useLive } from '../live.js'
import { loadTickets } from '../data.js'
import { enc } from '../router.js'
import type { DeviceDetail } from '../types.js'
import { Chart, type SeriesResponse } from '../components/chart.js'
import { TicketTable } from '../components/tables.js'
import { DataTable, ErrorBox, JsonView, KV, Link, Loading, Section, Status } from '../components/ui.js'
import { NotFoundPage } from './not-found.js'

const RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '90d': 90 * 86_400_000 } as const
type Range = keyof typeof RANGES
const CHARTS: { metric: string; unit: string; label?: Key }[] = [
  { metric: 'cpu.load_percent', unit: '%', label: 'device.cpu' },
  { metric: 'mem.used_percent', unit: '%', label: 'device.memory' },
  { metric: 'fs.used_percent', unit: '%', label: 'device.filesystems' },
]

/** disk.smart_ok: 1 healthy, 0.5 warning, 0 failing, -1 unknown (shared/src/metrics-catalogue.ts). */
function SmartVerdict({ value }: { value: number | undefined }) {
  const { t } = useI18n()
  if (value === undefined || value < 0) return <span class="muted">{t('device.smartUnknown')}</span>
  if (value >= 1) return <span class="ok">{t('device.smartOk')}</span>
  if (value > 0) return <strong class="warn">{t('device.smartWarning')}</strong>
  return <strong class="bad">{t('device.smartFailing')}</strong>
}

const labelOf = (metric: string) => CHARTS.find((c) => c.metric === metric)?.label

export function DevicePage({ id }: { id: string }) {
  const { t, fmt } = useI18n()
  const [range, setRange] = useState<Range>('1h')
  const [extra, setExtra] = useState('')
  const device = useData(() => api<DeviceDetail>(`/api/devices/${enc(id)}`), [id])
  const metrics = useData(() => api<{ metrics: Record<string, string[]> }>(`/api/devices/${enc(id)}/metrics`), [id])
  const tickets = useData(() => loadTickets({ device: id, limit: 50 }), [id])
  const chartMetrics = [...CHARTS.filter((c) => metrics.data?.metrics[c.metric]), ...(extra ? [{ metric: extra, unit: '' }] : [])]
  const charts = useData(
    () =>
      Promise.all(
        chartMetrics.map((c) => api<SeriesResponse>(`/api/devices/${enc(id)}/series`, { query: { metric: c.metric, from: new Date(Date.now() - RANGES[range]).toISOString() } })),
      ),
    // Re-read when a new reading arrived (lastSeen) or a metric appeared: a device's first
    // metrics may land after the page opened.
    [id, range, extra, Object.keys(metrics.data?.metrics ?? {}).join(), device.data?.lastSeen],
  )
  const refresh = () => {
    device.reload()
    metrics.reload()
    tickets.reload()
  }
  useLive(refresh, (e) => e.data.deviceId === id || e.data.id === id)
  useInterval(refresh, 15_000)

  if (device.error?.status === 404) return <NotFoundPage what={t('device.notFound', { id })} />
  const d = device.data
  const s = d?.summary
  const latest = d?.latest ?? {}
  const one = (metric: string) => latest[metric]
  const supplies = one('printer.supply_percent')
  const ifUp = one('if.oper_up')
  const smartInstances = [...new Set(Object.keys(latest).filter((m) => m.startsWith('smart.') || m === 'disk.smart_ok').flatMap((m) => Object.keys(latest[m]!)))].sort()
  return (
    <div data-testid="device-page">
      <p class="crumbs">
        <Link href="/">{t('nav.overview')}</Link>
        {d && (
          <>
            {' › '}
            <Link href={`/customers/${enc(d.customer)}`}>{d.customer}</Link> › <Link href={`/customers/${enc(d.customer)}/sites/${enc(d.site)}`}>{d.site}</Link>
          </>
        )}
      </p>
      <h1>
        {d?.hostname ?? id} {d && <Status status={d.status} />}
      </h1>
      <ErrorBox error={device.error} />
      <Loading when={device.loading && !d} />
      {d && s && (
        <>
          <div class="tiles" data-testid="live-values">
            <div class="tile" data-metric="cpu">
              <span>{t('device.cpu')}</span>
              <strong>{fmt.percent(s.cpu.loadPercent)}</strong>
            </div>
            <div class="tile" data-metric="memory">
              <span>{t('device.memory')}</span>
              <strong>{fmt.percent(s.memory.usedPercent)}</strong>
              <small>
                {fmt.bytes(s.memory.availableBytes)} / {fmt.bytes(s.memory.totalBytes)} {t('device.free')}
              </small>
            </div>
            <div class="tile">
              <span>{t('device.uptime')}</span>
              <strong>{s.uptimeSeconds === undefined ? '–' : fmt.duration(s.uptimeSeconds * 1000)}</strong>
            </div>
            <div class="tile">
              <span>{t('device.lastSeen')}</span>
              <strong class="small" data-testid="last-seen">
                {d.lastSeen ? fmt.time(d.lastSeen) : '–'}
              </strong>
              <small>{fmt.dateTime(d.lastSeen)}</small>
            </div>
          </div>
          <div class="cols">
            <Section title={t('device.filesystems')}>
              <DataTable testid="filesystems" empty={s.filesystems.length === 0} head={[t('device.mount'), t('device.used'), t('device.size')]}>
                    {s.filesystems.map((f) => (
                      <tr key={f.mount}>
                        <td>{f.mount}</td>
                        <td>
                          <meter min={0} max={100} high={85} optimum={0} value={f.usedPercent ?? 0} /> {fmt.percent(f.usedPercent)}
                        </td>
                        <td>
                          {fmt.bytes(f.usedBytes)} / {fmt.bytes(f.sizeBytes)}
                        </td>
                      </tr>
                    ))}
              </DataTable>
            </Section>
            <Section title={t('device.identity')}>
              <KV
                rows={[
                  [t('device.id'), d.id],
                  [t('device.kind'), d.kind],
                  [t('device.model'), [s.identity?.manufacturer, s.identity?.model].filter(Boolean).join(' ')],
                  [t('device.serial'), s.identity?.serial],
                  [t('device.os'), [s.identity?.os?.name, s.identity?.os?.version, s.identity?.os?.build].filter(Boolean).join(' ')],
                  [t('device.cpuModel'), s.identity?.cpu],
                  ['BIOS', [s.identity?.bios?.vendor, s.identity?.bios?.version].filter(Boolean).join(' ')],
                  [t('device.statusReason'), d.statusReason],
                ]}
              />
            </Section>
          </div>
          <Section
            title={t('device.history')}
            actions={
              <div class="toolbar">
                {(Object.keys(RANGES) as Range[]).map((r) => (
                  <button key={r} type="button" class={r === range ? 'primary small' : 'small'} onClick={() => setRange(r)}>
                    {r}
                  </button>
                ))}
                <select aria-label={t('device.moreMetrics')} value={extra} onChange={(e) => setExtra(e.currentTarget.value)}>
                  <option value="">{t('device.moreMetrics')}</option>
                  {Object.keys(metrics.data?.metrics ?? {})
                    .filter((m) => !CHARTS.some((c) => c.metric === m))
                    .map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                </select>
              </div>
            }
          >
            <ErrorBox error={charts.error} />
            <div class="charts" data-testid="history-charts">
              {(charts.data ?? []).map((c) => (
                <figure key={c.metric} data-testid={`chart-${c.metric}`}>
                  <figcaption>
                    {labelOf(c.metric) ? `${t(labelOf(c.metric)!)} · ` : ''}
                    <code>{c.metric}</code>
                  </figcaption>
                  <Chart data={c} unit={CHARTS.find((x) => x.metric === c.metric)?.unit} />
                </figure>
              ))}
            </div>
          </Section>
          <div class="cols">
            {supplies && (
              <Section title={t('device.supplies')}>
                <table data-testid="supplies">
                  <tbody>
                    {Object.entries(supplies).map(([name, v]) => (
                      <tr key={name}>
                        <td>{name}</td>
                        <td>
                          <meter min={0} max={100} low={20} optimum={100} value={v.value} /> {fmt.percent(v.value)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
            )}
            <Section title={t('device.interfaces')}>
              <DataTable testid="interfaces" empty={!ifUp && s.network.length === 0} head={[t('device.iface'), t('device.link'), t('device.rx'), t('device.tx'), t('device.errors')]}>
                    {ifUp
                      ? Object.entries(ifUp).map(([name, v]) => (
                          <tr key={name}>
                            <td>{name}</td>
                            <td>{v.value === 1 ? t('device.up') : t('device.down')}</td>
                            <td>{fmt.bytes(one('if.in_bytes_per_second')?.[name]?.value)}/s</td>
                            <td>{fmt.bytes(one('if.out_bytes_per_second')?.[name]?.value)}/s</td>
                            <td>{fmt.number((one('if.in_errors')?.[name]?.value ?? 0) + (one('if.out_errors')?.[name]?.value ?? 0))}</td>
                          </tr>
                        ))
                      : s.network.map((n) => (
                          <tr key={n.iface}>
                            <td>
                              {n.iface} <span class="sub">{n.mac}</span>
                            </td>
                            <td>{n.up ? t('device.up') : t('device.down')}</td>
                            <td>{fmt.bytes(n.rxBytesPerSecond)}/s</td>
                            <td>{fmt.bytes(n.txBytesPerSecond)}/s</td>
                            <td>{fmt.number((one('net.rx_errors')?.[n.iface]?.value ?? 0) + (one('net.tx_errors')?.[n.iface]?.value ?? 0))}</td>
                          </tr>
                        ))}
              </DataTable>
            </Section>
            <Section title={t('device.disks')}>
              <DataTable testid="disks" empty={s.disks.length === 0 && smartInstances.length === 0} head={[t('device.disk'), t('device.smart'), t('device.temperature'), t('device.powerOnHours'), t('device.reallocated')]}>
                {[
                  // Disks from the inventory, then any disk only SMART readings know of.
                  ...s.disks.map((disk, i) => ({ inst: disk.device ?? disk.name ?? String(i), disk })),
                  ...smartInstances.filter((inst) => !s.disks.some((disk) => (disk.device ?? disk.name) === inst)).map((inst) => ({ inst, disk: undefined })),
                ].map(({ inst, disk }) => (
                  <tr key={inst}>
                    <td>
                      {inst}
                      {disk && <> <span class="sub">{[disk.type, disk.model, fmt.bytes(disk.sizeBytes)].filter(Boolean).join(' · ')}</span></>}
                    </td>
                    <td>
                      <SmartVerdict value={disk?.smartOk ?? one('disk.smart_ok')?.[inst]?.value ?? one('smart.passed')?.[inst]?.value} />
                    </td>
                    <td>{fmt.number(one('smart.temperature_celsius')?.[inst]?.value)} °C</td>
                    <td>{fmt.number(one('smart.power_on_hours')?.[inst]?.value)}</td>
                    <td>{fmt.number(one('smart.reallocated_sectors')?.[inst]?.value)}</td>
                  </tr>
                ))}
              </DataTable>
            </Section>
          </div>
          <Section title={t('device.tickets')}>
            <ErrorBox error={tickets.error} />
            <TicketTable tickets={tickets.data?.items ?? []} showPlace={false} />
          </Section>
          <div class="cols">
            <Section title={t('device.readings')}>
              <div class="scroll">
                <table data-testid="readings">
                  <tbody>
                    {Object.entries(latest)
                      .sort(([a], [b]) => a.localeCompare(b))
                      .flatMap(([metric, instances]) =>
                        Object.entries(instances).map(([inst, v]) => (
                          <tr key={`${metric}|${inst}`}>
                            <td>
                              {metric}
                              {inst && <span class="sub"> {inst}</span>}
                            </td>
                            <td class="num">{fmt.number(v.value)}</td>
                            <td class="sub">{fmt.time(v.at)}</td>
                          </tr>
                        )),
                      )}
                  </tbody>
                </table>
              </div>
            </Section>
            <Section title={t('device.inventory')}>
              <p class="sub">{fmt.dateTime(d.inventoryAt)}</p>
              <JsonView value={d.inventory} />
            </Section>
          </div>
        </>
      )}
    </div>
  )
}
