import type { ComponentChildren } from 'preact'
import type { ApiFailure } from '../api.js'
import { useI18n, type Key } from '../i18n/index.js'
import { useNow } from '../hooks.js'
import { navigate } from '../router.js'
import type { Clock } from '../types.js'

export function Link({ href, children, class: cls, title }: { href: string; children: ComponentChildren; class?: string; title?: string }) {
  return (
    <a
      href={href}
      class={cls}
      title={title}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        navigate(href)
      }}
    >
      {children}
    </a>
  )
}

export function ErrorBox({ error }: { error: ApiFailure | Error | string | undefined | null }) {
  const { t } = useI18n()
  if (!error) return null
  const message = typeof error === 'string' ? error : error.message
  const notFound = typeof error === 'object' && 'status' in error && error.status === 404
  return (
    <div class="error" role="alert">
      <strong>{notFound ? t('error.notFound') : t('error.title')}</strong> {message}
    </div>
  )
}

export function Loading({ when }: { when: boolean }) {
  const { t } = useI18n()
  return when ? <p class="muted">{t('common.loading')}</p> : null
}

export function Section({ title, children, actions, id }: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={id}>
      <header class="card-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  )
}

export function Status({ status }: { status: string }) {
  const { t } = useI18n()
  const key = `status.${status}` as Key
  return <span class={`badge status-${status}`}>{t(key) === key ? status : t(key)}</span>
}

export function Level({ level }: { level: string }) {
  return <span class={`badge level-${level}`}>{level}</span>
}

export function TicketState({ status }: { status: string }) {
  const { t } = useI18n()
  const key = `ticket.status.${status}` as Key
  return <span class={`badge tstate-${status}`}>{t(key) === key ? status : t(key)}</span>
}

/** An SLA deadline: met / missed, paused, or counting down every second. */
export function SlaClock({ clock, label }: { clock: Clock | undefined; label?: string }) {
  const { t, fmt } = useI18n()
  const now = useNow()
  const prefix = label ? <span class="clock-label">{label}</span> : null
  if (!clock) return <span class="clock muted">{prefix}–</span>
  if ('metAt' in clock)
    return (
      <span class={`clock ${clock.met ? 'ok' : 'missed'}`}>
        {prefix}
        {clock.met ? t('sla.met') : t('sla.missed')} · {fmt.dateTime(clock.metAt)}
      </span>
    )
  if (clock.paused)
    return (
      <span class="clock paused">
        {prefix}
        {t('sla.paused')}
      </span>
    )
  const left = new Date(clock.dueAt).getTime() - now
  const cls = left < 0 ? 'overdue' : left < 3_600_000 ? 'soon' : 'ok'
  return (
    <span class={`clock ${cls}`} title={fmt.dateTime(clock.dueAt)} data-due={clock.dueAt}>
      {prefix}
      {left < 0 ? t('sla.overdueBy', { d: fmt.duration(-left) }) : t('sla.left', { d: fmt.duration(left) })}
    </span>
  )
}

export function slaState(clock: Clock | undefined, now: number): 'overdue' | 'soon' | 'ok' | 'none' {
  if (!clock || 'metAt' in clock || clock.paused) return 'none'
  const left = new Date(clock.dueAt).getTime() - now
  return left < 0 ? 'overdue' : left < 3_600_000 ? 'soon' : 'ok'
}

export function KV({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="kv">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === undefined || v === null || v === '' ? '–' : v}</dd>
        </div>
      ))}
    </dl>
  )
}

export function Empty({ cols, text }: { cols: number; text?: string }) {
  const { t } = useI18n()
  return (
    <tr>
      <td colSpan={cols} class="muted">
        {text ?? t('common.none')}
      </td>
    </tr>
  )
}

/**
 * A scrollable table with one header row. The "none" row spans exactly the columns shown, so a
 * header cell hidden by a condition (`showPlace && …`) cannot leave the empty row a column short.
 */
export function DataTable({ head, empty, testid, children }: { head: (ComponentChildren | false)[]; empty: boolean; testid?: string; children: ComponentChildren }) {
  const columns = head.filter((h) => h !== false)
  return (
    <div class="scroll">
      <table data-testid={testid}>
        <thead>
          <tr>
            {columns.map((h, i) => (
              <th key={i}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty && <Empty cols={columns.length} />}
          {children}
        </tbody>
      </table>
    </div>
  )
}

/** Any JSON value as a readable nested list (diagnostics, audit details, generic admin rows). */
export function JsonView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="muted">–</span>
  if (Array.isArray(value)) {
    if (!value.length) return <span class="muted">[]</span>
    if (value.every((v) => typeof v !== 'object' || v === null)) return <span>{value.join(', ')}</span>
    return (
      <ol class="json">
        {value.map((v, i) => (
          <li key={i}>
            <JsonView value={v} />
          </li>
        ))}
      </ol>
    )
  }
  if (typeof value === 'object') {
    return (
      <dl class="json">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <JsonView value={v} />
            </dd>
          </div>
        ))}
      </dl>
    )
  }
  return <span>{String(value)}</span>
}

/** The customer filter of the list pages: `all` adds an empty choice labelled common.all. */
export function CustomerSelect({ customers, value, all, onChange }: { customers: { id: string; name: string }[] | undefined; value: string; all?: boolean; onChange: (id: string) => void }) {
  const { t } = useI18n()
  return (
    <label>
      {t('ticket.customer')}
      <select name="customer" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {all && <option value="">{t('common.all')}</option>}
        {(customers ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  )
}
