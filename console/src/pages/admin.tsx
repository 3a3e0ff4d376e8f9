/**
 * Administration: one data-driven page per kind of record (customers, sites, contracts, users,
 * API tokens, enrollment tokens, rules and overrides, audit log). Each section names its list
 * endpoint, the columns worth showing, and a create form; the server validates every field and
 * its `{error:{message}}` is shown as is. Sections are shown only to the roles that may use them.
 */
import { useState } from 'preact/hooks'
import type { ApiFailure} from '../api.js';
import { api, type Page } from '../api.js'
import { useI18n, type Key } from '../i18n/index.js'
import { useData } from '../hooks.js'
import { enc } from '../router.js'
import { useCan } from '../session.js'
import type { Role } from '../types.js'
import { Empty, ErrorBox, JsonView, Loading, Section } from '../components/ui.js'
import { NotFoundPage } from './not-found.js'

type Row = Record<string, unknown>
/** GET /api/customers' health: shown as "sites · devices online/total · open tickets". */
interface CustomerHealth {
  sites: number
  devices: { total: number; online: number }
  openTickets: { total: number }
}

interface Field {
  name: string
  label: Key
  type?: 'text' | 'password' | 'number' | 'select' | 'json' | 'list' | 'checkbox' | 'date'
  options?: string[]
  required?: boolean
  initial?: string
  placeholder?: string
}

interface AdminSection {
  id: string
  title: Key
  min: Role
  load: () => Promise<Row[]>
  columns: string[]
  create?: { title: Key; fields: Field[]; submit: (v: Record<string, unknown>) => Promise<unknown> }
  remove?: (row: Row) => Promise<unknown>
}

const items = <T,>(path: string, query?: Record<string, string | number>) => api<Page<T>>(path, { query: { limit: 200, ...query } }).then((p) => p.items)
const LANG_OPTIONS = ['zh-CN', 'en']

export const ADMIN_SECTIONS: AdminSection[] = [
  {
    id: 'customers',
    title: 'admin.customers',
    min: 'manager',
    load: async () =>
      (await items<Row & { health?: CustomerHealth; contract?: { name: string; validTo: string } | null }>('/api/customers')).map((c) => ({
        ...c,
        health: c.health ? `${c.health.sites} · ${c.health.devices.online}/${c.health.devices.total} · ${c.health.openTickets.total}` : null,
        contract: c.contract ? `${c.contract.name} (→ ${c.contract.validTo})` : null,
      })),
    columns: ['id', 'name', 'class', 'language', 'timeZone', 'contactEmail', 'health', 'contract'],
    create: {
      title: 'admin.customers.create',
      fields: [
        { name: 'id', label: 'admin.field.id', required: true, placeholder: 'acme' },
        { name: 'name', label: 'admin.field.name', required: true },
        { name: 'class', label: 'admin.field.class', type: 'select', options: ['member', 'group', 'free'] },
        { name: 'language', label: 'admin.field.language', type: 'select', options: LANG_OPTIONS },
        { name: 'timeZone', label: 'admin.field.timeZone', initial: 'Asia/Shanghai' },
        { name: 'contactEmail', label: 'admin.field.email' },
      ],
      submit: (v) => api('/api/customers', { method: 'POST', body: v }),
    },
  },
  {
    id: 'sites',
    title: 'admin.sites',
    min: 'manager',
    load: async () => (await items<{ sites?: Row[] }>('/api/customers')).flatMap((c) => c.sites ?? []),
    columns: ['customerId', 'id', 'name', 'address', 'distanceKm'],
    create: {
      title: 'admin.sites.create',
      fields: [
        { name: 'customer', label: 'admin.field.customer', required: true },
        { name: 'id', label: 'admin.field.id', required: true, placeholder: 'hq' },
        { name: 'name', label: 'admin.field.name', required: true },
        { name: 'address', label: 'admin.field.address' },
        { name: 'distanceKm', label: 'admin.field.distanceKm', type: 'number' },
      ],
      submit: ({ customer, ...v }) => api(`/api/customers/${enc(String(customer))}/sites`, { method: 'POST', body: v }),
    },
  },
  {
    id: 'contracts',
    title: 'admin.contracts',
    min: 'manager',
    load: () => items<Row>('/api/contracts'),
    columns: ['id', 'customerId', 'name', 'validFrom', 'validTo', 'validNow', 'calendar', 'targets'],
    create: {
      title: 'admin.contracts.create',
      fields: [
        { name: 'id', label: 'admin.field.id', required: true },
        { name: 'customerId', label: 'admin.field.customer', required: true },
        { name: 'name', label: 'admin.field.name', required: true },
        { name: 'validFrom', label: 'admin.field.validFrom', type: 'date', required: true },
        { name: 'validTo', label: 'admin.field.validTo', type: 'date', required: true },
        { name: 'calendar', label: 'admin.field.calendar', type: 'json', initial: '{"kind":"24x7"}' },
        { name: 'targets', label: 'admin.field.targets', type: 'json', initial: '{"L1":{"responseMin":30,"onsiteMin":240,"resolveMin":480}}' },
        { name: 'escalationContacts', label: 'admin.field.contacts', type: 'list' },
      ],
      submit: ({ id, ...v }) => api(`/api/contracts/${enc(String(id))}`, { method: 'PUT', body: v }),
    },
  },
  {
    id: 'users',
    title: 'admin.users',
    min: 'admin',
    load: () => items<Row>('/api/users'),
    columns: ['username', 'displayName', 'role', 'customers', 'language', 'disabled', 'lastLoginAt'],
    create: {
      title: 'admin.users.create',
      fields: [
        { name: 'username', label: 'admin.field.username', required: true },
        { name: 'displayName', label: 'admin.field.displayName' },
        { name: 'password', label: 'admin.field.password', type: 'password', placeholder: '' },
        { name: 'role', label: 'admin.field.role', type: 'select', options: ['viewer', 'engineer', 'manager', 'admin'] },
        { name: 'customers', label: 'admin.field.customers', type: 'list' },
        { name: 'language', label: 'admin.field.language', type: 'select', options: LANG_OPTIONS },
      ],
      submit: (v) => api('/api/users', { method: 'POST', body: v }),
    },
  },
  {
    id: 'tokens',
    title: 'admin.tokens',
    min: 'admin',
    load: () => items<Row>('/api/tokens'),
    columns: ['name', 'prefix', 'username', 'createdAt', 'lastUsedAt', 'expiresAt', 'active'],
    create: {
      title: 'admin.tokens.create',
      fields: [
        { name: 'name', label: 'admin.field.name', required: true },
        { name: 'expiresInDays', label: 'admin.field.expiresInDays', type: 'number' },
      ],
      submit: (v) => api('/api/tokens', { method: 'POST', body: v }),
    },
    remove: (row) => api(`/api/tokens/${enc(String(row.id))}`, { method: 'DELETE' }),
  },
  {
    id: 'enrollment',
    title: 'admin.enrollment',
    min: 'admin',
    load: () => items<Row>('/api/enrollment-tokens'),
    columns: ['customer', 'site', 'prefix', 'role', 'uses', 'maxUses', 'expiresAt', 'state', 'note'],
    create: {
      title: 'admin.enrollment.create',
      fields: [
        { name: 'customer', label: 'admin.field.customer', required: true },
        { name: 'site', label: 'admin.field.site', required: true },
        { name: 'expiresInHours', label: 'admin.field.expiresInHours', type: 'number', initial: '168' },
        { name: 'maxUses', label: 'admin.field.maxUses', type: 'number', initial: '1' },
        { name: 'note', label: 'admin.field.note' },
      ],
      submit: (v) => api('/api/enrollment-tokens', { method: 'POST', body: v }),
    },
    remove: (row) => api(`/api/enrollment-tokens/${enc(String(row.id))}`, { method: 'DELETE' }),
  },
  {
    id: 'rules',
    title: 'admin.rules',
    min: 'manager',
    load: () => api<{ items: Row[] }>('/api/rules').then((r) => r.items),
    columns: ['id', 'title', 'level', 'defaults'],
  },
  {
    id: 'overrides',
    title: 'admin.overrides',
    min: 'manager',
    load: () => api<{ items: Row[] }>('/api/rule-overrides').then((r) => r.items),
    columns: ['rule', 'scope', 'scopeId', 'enabled', 'params'],
    create: {
      title: 'admin.overrides.create',
      fields: [
        { name: 'rule', label: 'admin.field.rule', required: true },
        { name: 'scope', label: 'admin.field.scope', type: 'select', options: ['customer', 'site', 'device'] },
        { name: 'scopeId', label: 'admin.field.scopeId', required: true, placeholder: 'acme / acme/hq / device id' },
        { name: 'enabled', label: 'admin.field.enabled', type: 'checkbox', initial: 'true' },
        { name: 'params', label: 'admin.field.params', type: 'json', initial: '{}' },
      ],
      submit: ({ rule, scope, scopeId, ...v }) => api(`/api/rule-overrides/${enc(String(scope))}/${enc(String(scopeId))}/${enc(String(rule))}`, { method: 'PUT', body: v }),
    },
    remove: (row) => api(`/api/rule-overrides/${enc(String(row.scope))}/${enc(String(row.scopeId))}/${enc(String(row.rule))}`, { method: 'DELETE' }),
  },
  {
    id: 'audit',
    title: 'admin.audit',
    min: 'admin',
    load: () => items<Row>('/api/audit', { limit: 100 }),
    columns: ['time', 'username', 'via', 'action', 'method', 'path', 'status', 'customer', 'target', 'details'],
  },
]

export function AdminPage({ section }: { section: string }) {
  const s = ADMIN_SECTIONS.find((x) => x.id === section)
  const allowed = useCan(s?.min ?? 'admin')
  if (!s || !allowed) return <NotFoundPage />
  return <AdminSectionView key={s.id} s={s} />
}

function Cell({ value }: { value: unknown }) {
  const { fmt } = useI18n()
  if (value === null || value === undefined || value === '') return <span class="muted">–</span>
  if (typeof value === 'boolean') return <span>{value ? '✓' : '✗'}</span>
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return <span>{fmt.dateTime(value)}</span>
  if (typeof value === 'object') return <JsonView value={value} />
  return <span>{String(value)}</span>
}

function AdminSectionView({ s }: { s: AdminSection }) {
  const { t } = useI18n()
  const list = useData(s.load, [s.id])
  const [error, setError] = useState<ApiFailure | null>(null)
  const rows = list.data ?? []
  // A field the dictionaries do not name yet still gets a header: its API name.
  const columnLabel = (c: string) => {
    const key = `admin.col.${c}` as Key
    const label = t(key)
    return label === key ? c : label
  }
  const columns = s.columns.filter((c) => rows.length === 0 || rows.some((r) => c in r))
  const remove = async (row: Row) => {
    if (!s.remove || !confirm(t('admin.confirmRemove'))) return
    setError(null)
    try {
      await s.remove(row)
      list.reload()
    } catch (e) {
      setError(e as ApiFailure)
    }
  }
  return (
    <div>
      <h1>{t(s.title)}</h1>
      {s.create && <CreateForm create={s.create} onDone={list.reload} />}
      <Section title={t('admin.list', { n: rows.length })}>
        <ErrorBox error={list.error ?? error} />
        <Loading when={list.loading && !list.data} />
        <div class="scroll">
          <table data-testid={`admin-${s.id}`}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c}>{columnLabel(c)}</th>
                ))}
                {s.remove && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && <Empty cols={columns.length + 1} />}
              {rows.map((r, i) => (
                <tr key={String(r.id ?? i)}>
                  {columns.map((c) => (
                    <td key={c}>
                      <Cell value={r[c]} />
                    </td>
                  ))}
                  {s.remove && (
                    <td>
                      <button type="button" class="small danger" onClick={() => void remove(r)}>
                        {t('admin.remove')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </div>
  )
}

function CreateForm({ create, onDone }: { create: NonNullable<AdminSection['create']>; onDone: () => void }) {
  const { t } = useI18n()
  const initial = () => Object.fromEntries(create.fields.map((f) => [f.name, f.initial ?? (f.options?.[0] ?? '')]))
  const [values, setValues] = useState<Record<string, string>>(initial)
  const [state, setState] = useState<{ busy?: boolean; error?: ApiFailure | Error; secret?: string; ok?: boolean }>({})
  const submit = async (e: Event) => {
    e.preventDefault()
    const body: Record<string, unknown> = {}
    try {
      for (const f of create.fields) {
        const raw = values[f.name] ?? ''
        if (raw === '' && f.type !== 'checkbox') continue
        if (f.type === 'number') body[f.name] = Number(raw)
        else if (f.type === 'json') body[f.name] = JSON.parse(raw) as unknown
        else if (f.type === 'list')
          body[f.name] = raw
            .split(/[,\s]+/)
            .map((x) => x.trim())
            .filter(Boolean)
        else if (f.type === 'checkbox') body[f.name] = raw === 'true'
        else body[f.name] = raw
      }
    } catch (error) {
      setState({ error: new Error(`${t('admin.badJson')}: ${(error as Error).message}`) })
      return
    }
    setState({ busy: true })
    try {
      // A token, or a generated password: the one time the server shows it.
      const result = (await create.submit(body)) as { token?: string; password?: string } | undefined
      setState({ ok: true, secret: result?.token ?? result?.password })
      setValues(initial())
      onDone()
    } catch (error) {
      setState({ error: error as ApiFailure })
    }
  }
  return (
    <Section title={t(create.title)}>
      <form class="grid-form" onSubmit={submit}>
        {create.fields.map((f) => (
          <label key={f.name} class={f.type === 'json' ? 'wide' : f.type === 'checkbox' ? 'check' : ''}>
            {f.type === 'checkbox' ? (
              <>
                <input type="checkbox" name={f.name} checked={values[f.name] === 'true'} onChange={(e) => setValues({ ...values, [f.name]: String(e.currentTarget.checked) })} />
                <span>{t(f.label)}</span>
              </>
            ) : (
              <>
                {t(f.label)}
                {f.type === 'select' ? (
                  <select name={f.name} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}>
                    {f.options!.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : f.type === 'json' ? (
                  <textarea name={f.name} rows={3} value={values[f.name]} onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })} />
                ) : (
                  <input
                    name={f.name}
                    type={(f.type === 'password' || f.type === 'number' || f.type === 'date' ? f.type : 'text') as 'text'}
                    required={f.required}
                    placeholder={f.placeholder ?? (f.type === 'list' ? t('admin.listHint') : '')}
                    value={values[f.name]}
                    onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
                  />
                )}
              </>
            )}
          </label>
        ))}
        <button type="submit" class="primary" disabled={state.busy}>
          {t('admin.create')}
        </button>
      </form>
      <ErrorBox error={state.error} />
      {state.ok && !state.secret && <p class="ok">{t('admin.saved')}</p>}
      {state.secret && (
        <div class="secret" role="status">
          <strong>{t('admin.secretOnce')}</strong>
          <code>{state.secret}</code>
        </div>
      )}
    </Section>
  )
}
