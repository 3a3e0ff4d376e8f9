import { useI18n } from '../i18n/index.js'
import type { Device, Ticket } from '../types.js'
import { DataTable, Level, Link, SlaClock, Status, TicketState } from './ui.js'
import { enc } from '../router.js'

export function DeviceTable({ devices, showPlace = true }: { devices: Device[]; showPlace?: boolean }) {
  const { t, fmt } = useI18n()
  return (
    <DataTable testid="devices" empty={devices.length === 0} head={[t('device.name'), showPlace && t('device.place'), t('device.status'), t('device.cpu'), t('device.memory'), t('device.lastSeen')]}>
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
    </DataTable>
  )
}

export function TicketTable({ tickets, showPlace = true }: { tickets: Ticket[]; showPlace?: boolean }) {
  const { t, fmt } = useI18n()
  return (
    <DataTable testid="tickets" empty={tickets.length === 0} head={['#', t('ticket.level'), t('ticket.title'), showPlace && t('device.place'), t('ticket.state'), t('ticket.response'), t('ticket.resolve'), t('ticket.opened')]}>
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
    </DataTable>
  )
}
