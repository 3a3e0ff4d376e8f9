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
import { DataTable, ErrorBox, JsonView, Loading, Section } from '../components/ui.js'
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
  /** Editing: an emptied field is sent as null (the API's "no value") instead of "". */
  nullable?: boolean
}

/** Editing a listed record: the fields start from the row; only what changed is sent. */
interface EditSpec {
  fields: Field[]
  submit: (row: Row, changed: Record<string, unknown>) => Promise<unknown>
  /** Users: reset the password (sent, or generated and shown once). */
  resetPassword?: (row: Row, password: string | undefined) => Promise<{ password?: string } | undefined>
}

interface AdminSection {
  id: string
  title: Key
  min: Role
  load: () => Promise<Row[]>
  columns: string[]
  create?: { title: Key; fields: Field[]; submit: (v: Record<string, unknown>) => Promise<unknown> }
  remove?: (row: Row) => Promise<unknown>
  edit?: EditSpec
}

const items = <T,>(path: string, query?: Record<string, string | number>) => api<Page<T>>(path, { query: { limit: 200, ...query } }).then((p) => p.items)
const ROLE_OPTIONS = ['viewer', 'engineer', 'manager', 'admin']
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
    edit: {
      fields: [
        { name: 'name', label: 'admin.field.name', required: true },
        { name: 'class', label: 'admin.field.class', type: 'select', options: ['member', 'group', 'free'] },
        { name: 'language', label: 'admin.field.language', type: 'select', options: LANG_OPTIONS },
        { name: 'timeZone', label: 'admin.field.timeZone', required: true },
        { name: 'contactEmail', label: 'admin.field.email', nullable: true },
        { name: 'engineer', label: 'admin.field.engineer', nullable: true },
        { name: 'reportRecipients', label: 'admin.field.reportRecipients', type: 'list' },
      ],
      submit: (row, v) => api(`/api/customers/${enc(String(row.id))}`, { method: 'PATCH', body: v }),
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
        { name: 'role', label: 'admin.field.role', type: 'select', options: ROLE_OPTIONS },
        { name: 'customers', label: 'admin.field.customers', type: 'list' },
        { name: 'language', label: 'admin.field.language', type: 'select', options: LANG_OPTIONS },
      ],
      submit: (v) => api('/api/users', { method: 'POST', body: v }),
    },
    edit: {
      fields: [
        { name: 'displayName', label: 'admin.field.displayName' },
        { name: 'role', label: 'admin.field.role', type: 'select', options: ROLE_OPTIONS },
        { name: 'customers', label: 'admin.field.customers', type: 'list' },
        { name: 'language', label: 'admin.field.language', type: 'select', options: LANG_OPTIONS },
        { name: 'disabled', label: 'admin.field.disabled', type: 'checkbox' },
      ],
      submit: (row, v) => api(`/api/users/${enc(String(row.id))}`, { method: 'PATCH', body: v }),
      resetPassword: (row, password) => api(`/api/users/${enc(String(row.id))}/password`, { method: 'POST', body: password ? { password } : {} }),
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
  const [editing, setEditing] = useState<Row | null>(null)
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
  const rowActions = Boolean(s.remove ?? s.edit)
  return (
    <div>
      <h1>{t(s.title)}</h1>
      {s.create && <CreateForm create={s.create} onDone={list.reload} />}
      {s.edit && editing && <EditForm key={String(editing.id)} edit={s.edit} row={editing} onDone={list.reload} onClose={() => setEditing(null)} />}
      <Section title={t('admin.list', { n: rows.length })}>
        <ErrorBox error={list.error ?? error} />
        <Loading when={list.loading && !list.data} />
        <DataTable testid={`admin-${s.id}`} empty={rows.length === 0} head={[...columns.map((c) => columnLabel(c)), rowActions && '']}>
              {rows.map((r, i) => (
                <tr key={String(r.id ?? i)} data-row={r.id === undefined ? undefined : String(r.id)}>
                  {columns.map((c) => (
                    <td key={c}>
                      <Cell value={r[c]} />
                    </td>
                  ))}
                  {rowActions && (
                    <td>
                      {s.edit && (
                        <button type="button" class="small" data-edit={String(r.id)} onClick={() => setEditing(r)}>
                          {t('admin.edit')}
                        </button>
                      )}
                      {s.remove && (
                        <button type="button" class="small danger" onClick={() => void remove(r)}>
                          {t('admin.remove')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
        </DataTable>
      </Section>
    </div>
  )
}

/** A form's text for a field's value: lists comma-separated, booleans "true"/"false", nothing "". */
function asText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(String).join(', ')
  return String(value)
}

/** The body for the fields' values; `initial` given (editing), only the changed fields, emptied ones as null or []. */
function bodyOf(fields: Field[], values: Record<string, string>, initial?: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of fields) {
    const raw = values[f.name] ?? ''
    if (initial && raw === initial[f.name]) continue
    if (raw === '' && f.type !== 'checkbox' && f.type !== 'list' && !(initial && f.nullable)) {
      if (initial) body[f.name] = ''
      continue
    }
    if (raw === '' && initial && f.nullable) body[f.name] = null
    else if (f.type === 'number') body[f.name] = Number(raw)
    else if (f.type === 'json') body[f.name] = JSON.parse(raw) as unknown
    else if (f.type === 'list') {
      const list = raw
        .split(/[,\s]+/)
        .map((x) => x.trim())
        .filter(Boolean)
      if (list.length || initial) body[f.name] = list
    } else if (f.type === 'checkbox') body[f.name] = raw === 'true'
    else body[f.name] = raw
  }
  return body
}

function FieldInputs({ fields, values, setValues }: { fields: Field[]; values: Record<string, string>; setValues: (v: Record<string, string>) => void }) {
  const { t } = useI18n()
  return (
    <>
      {fields.map((f) => (
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
    </>
  )
}

type FormState = { busy?: boolean; error?: ApiFailure | Error; secret?: string; ok?: boolean }

function FormOutcome({ state }: { state: FormState }) {
  const { t } = useI18n()
  return (
    <>
      <ErrorBox error={state.error} />
      {state.ok && !state.secret && <p class="ok">{t('admin.saved')}</p>}
      {state.secret && (
        <div class="secret" role="status">
          <strong>{t('admin.secretOnce')}</strong>
          <code>{state.secret}</code>
        </div>
      )}
    </>
  )
}

function CreateForm({ create, onDone }: { create: NonNullable<AdminSection['create']>; onDone: () => void }) {
  const { t } = useI18n()
  const initial = () => Object.fromEntries(create.fields.map((f) => [f.name, f.initial ?? (f.options?.[0] ?? '')]))
  const [values, setValues] = useState<Record<string, string>>(initial)
  const [state, setState] = useState<FormState>({})
  const submit = async (e: Event) => {
    e.preventDefault()
    let body: Record<string, unknown>
    try {
      body = bodyOf(create.fields, values)
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
        <FieldInputs fields={create.fields} values={values} setValues={setValues} />
        <button type="submit" class="primary" disabled={state.busy}>
          {t('admin.create')}
        </button>
      </form>
      <FormOutcome state={state} />
    </Section>
  )
}

function EditForm({ edit, row, onDone, onClose }: { edit: EditSpec; row: Row; onDone: () => void; onClose: () => void }) {
  const { t } = useI18n()
  const [initial, setInitial] = useState<Record<string, string>>(() => Object.fromEntries(edit.fields.map((f) => [f.name, f.type === 'checkbox' ? String(row[f.name] === true) : asText(row[f.name])])))
  const [values, setValues] = useState<Record<string, string>>(initial)
  const [state, setState] = useState<FormState>({})
  const [password, setPassword] = useState('')
  const name = String(row.username ?? row.name ?? row.id)
  const submit = async (e: Event) => {
    e.preventDefault()
    const body = bodyOf(edit.fields, values, initial)
    if (Object.keys(body).length === 0) {
      setState({ error: new Error(t('admin.unchanged')) })
      return
    }
    setState({ busy: true })
    try {
      await edit.submit(row, body)
      setInitial(values)
      setState({ ok: true })
      onDone()
    } catch (error) {
      setState({ error: error as ApiFailure })
    }
  }
  const reset = async () => {
    if (!edit.resetPassword || !confirm(t('admin.confirmResetPassword', { name }))) return
    setState({ busy: true })
    try {
      const result = await edit.resetPassword(row, password || undefined)
      setPassword('')
      setState({ ok: true, secret: result?.password })
    } catch (error) {
      setState({ error: error as ApiFailure })
    }
  }
  return (
    <Section title={t('admin.editing', { name })}>
      <div data-testid="admin-edit">
        <form class="grid-form" onSubmit={submit}>
          <FieldInputs fields={edit.fields} values={values} setValues={setValues} />
          <button type="submit" class="primary" disabled={state.busy}>
            {t('admin.create')}
          </button>
          <button type="button" onClick={onClose}>
            {t('admin.closeEdit')}
          </button>
        </form>
        {edit.resetPassword && (
          <form
            class="grid-form resolve"
            data-testid="admin-reset-password"
            onSubmit={(e) => {
              e.preventDefault()
              void reset()
            }}
          >
            <label>
              {t('admin.field.password')}
              <input name="newPassword" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            </label>
            <button type="submit" disabled={state.busy}>
              {t('admin.resetPassword')}
            </button>
          </form>
        )}
        <FormOutcome state={state} />
      </div>
    </Section>
  )
}
