import { useState } from 'preact/hooks'
import type { ApiFailure } from '../api.js';
import { api } from '../api.js'
import { useI18n } from '../i18n/index.js'
import { LangSwitch } from '../components/lang-switch.js'
import type { User } from '../types.js'

export function LoginPage({ onSignedIn, bootError }: { onSignedIn: (me: { user: User; csrfToken: string }) => void; bootError: string | null }) {
  const { t } = useI18n()
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(bootError)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      onSignedIn(await api<{ user: User; csrfToken: string }>('/api/auth/login', { method: 'POST', body: { username, password }, allow401: true }))
    } catch (err) {
      const f = err as ApiFailure
      setError(f.status === 401 ? t('login.bad') : f.status === 429 ? t('login.tooMany') : f.message)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div class="login">
      <form class="card" onSubmit={submit}>
        <div class="login-head">
          <h1>{t('app.title')}</h1>
          <LangSwitch />
        </div>
        <p class="muted">{t('login.intro')}</p>
        <label>
          {t('login.username')}
          <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {error && (
          <div class="error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </div>
  )
}
