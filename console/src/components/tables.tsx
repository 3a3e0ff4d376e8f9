import { useI18n } from '../i18n/index.js'
import type { Device, Ticket } from '../types.js'
import { Empty, Level, Link, SlaClock, Status, TicketState } from './ui.js'
import { enc } from '../router.js'

export function DeviceTable({ devices, showPlace = true }: { devices: Device[]; showPlace?: boolean }) {
  const { t, fmt } = useI18n()
  return (
    <div class="scroll">
      <table data-testid="devices">
        <thead>
          <tr>
            <th>{t('device.name')}</th>
            {showPlace && <th>{t('device.place')}</th>}
            <th>{t('device.status')}</th>
            <th>{t('device.cpu')}</th>
            <th>{t('device.memory')}</th>
            <th>{t('device.lastSeen')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.length === 0 && <Empty cols={showPlace ? 6 : 5} />}
          {devices.map((d) => (
            <tr key={d.id}>
              <td>
                <Link href={`/devices/${enc(d.id)}`}>{d.hostname ?? d.id}</Link>
                <div class="sub">{d.id}</div>
              </td>
              {showPlace && (
                <td>
                  <Link href={`/customers/${enc(d.customer)}`}>{d.customer}</Link> / <Link href={`/customers/${enc(d.customer)}/sites/${enc(d.site)}`}>{d.site}</Link>
                </td>
              )}
              <td>
                <Status status={d.status} />
              </td>
              <td>{fmt.percent(d.summary?.cpu?.loadPercent)}</td>
              <td>{fmt.percent(d.summary?.memory?.usedPercent)}</td>
              <td>{fmt.dateTime(d.lastSeen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function TicketTable({ tickets, showPlace = true }: { tickets: Ticket[]; showPlace?: boolean }) {
  const { t, fmt } = useI18n()
  return (
    <div class="scroll">
      <table data-testid="tickets">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('ticket.level')}</th>
            <th>{t('ticket.title')}</th>
            {showPlace && <th>{t('device.place')}</th>}
            <th>{t('ticket.state')}</th>
            <th>{t('ticket.response')}</th>
            <th>{t('ticket.resolve')}</th>
            <th>{t('ticket.opened')}</th>
          </tr>
        </thead>
        <tbody>
          {tickets.length === 0 && <Empty cols={showPlace ? 8 : 7} />}
          {tickets.map((tk) => (
            <tr key={tk.id} data-ticket={tk.id}>
              <td>
                <Link href={`/tickets/${tk.id}`}>#{tk.id}</Link>
              </td>
              <td>
                <Level level={tk.level} />
              </td>
              <td>
                <Link href={`/tickets/${tk.id}`}>{tk.title}</Link>
                <div class="sub">
                  <Link href={`/devices/${enc(tk.deviceId)}`}>{tk.deviceId}</Link>
                </div>
              </td>
              {showPlace && (
                <td>
                  {tk.customer} / {tk.site}
                </td>
              )}
              <td>
                <TicketState status={tk.status} />
              </td>
              <td>
                <SlaClock clock={tk.sla?.response} />
              </td>
              <td>
                <SlaClock clock={tk.sla?.resolve} />
              </td>
              <td>{fmt.dateTime(tk.openedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
