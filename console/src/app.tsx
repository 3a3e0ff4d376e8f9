/**
 * The console's shell: who is signed in (GET /api/auth/me), the language, the navigation each
 * role may use, and which page the URL names.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, ApiFailure, setCsrfToken, setUnauthorizedHandler } from './api.js'
import { formatters, I18nContext, storedLang, storeLang, translate, useI18n, type I18n, type Key, type Lang } from './i18n/index.js'
import { startLive, stopLive, useLiveConnected } from './live.js'
import { match, navigate, useLocation } from './router.js'
import { SessionContext, useSession } from './session.js'
import { roleAtLeast, type Role, type User } from './types.js'
import { Link } from './components/ui.js'
import { LangSwitch } from './components/lang-switch.js'
import { LoginPage } from './pages/login.js'
import { OverviewPage } from './pages/overview.js'
import { CustomerPage } from './pages/customer.js'
import { SitePage } from './pages/site.js'
import { DevicePage } from './pages/device.js'
import { TicketsPage } from './pages/tickets.js'
import { TicketPage } from './pages/ticket.js'
import { ReportsPage } from './pages/reports.js'
import { AdminPage, ADMIN_SECTIONS } from './pages/admin.js'
import { NotFoundPage } from './pages/not-found.js'

interface Me {
  user: User
  csrfToken: string
}

interface Route {
  path: string
  render: (p: Record<string, string>) => preact.JSX.Element
  min?: Role
}

const ROUTES: Route[] = [
  { path: '/', render: () => <OverviewPage /> },
  { path: '/customers/:customer', render: (p) => <CustomerPage customer={p.customer!} /> },
  { path: '/customers/:customer/sites/:site', render: (p) => <SitePage customer={p.customer!} site={p.site!} /> },
  { path: '/devices/:id', render: (p) => <DevicePage id={p.id!} /> },
  { path: '/tickets', render: () => <TicketsPage /> },
  { path: '/tickets/:id', render: (p) => <TicketPage id={p.id!} /> },
  { path: '/reports', render: () => <ReportsPage /> },
  { path: '/admin', render: () => <AdminPage section="customers" />, min: 'manager' },
  { path: '/admin/:section', render: (p) => <AdminPage section={p.section!} />, min: 'manager' },
]

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang() ?? 'zh-CN')
  const [me, setMe] = useState<Me | null | undefined>(undefined)
  const [bootError, setBootError] = useState<string | null>(null)
  const i18n = useMemo<I18n>(
    () => ({
      lang,
      setLang: (l: Lang) => {
        storeLang(l)
        setLangState(l)
      },
      t: (key: Key, vars?: Record<string, string | number>) => translate(lang, key, vars),
      fmt: formatters(lang),
    }),
    [lang],
  )
  useEffect(() => {
    document.documentElement.lang = lang
    document.title = translate(lang, 'app.title')
  }, [lang])

  const signedIn = (m: Me) => {
    setCsrfToken(m.csrfToken)
    if (!storedLang() && (m.user.language === 'en' || m.user.language === 'zh-CN')) setLangState(m.user.language)
    setMe(m)
    startLive()
  }
  const signedOut = () => {
    setCsrfToken(null)
    stopLive()
    setMe(null)
  }

  useEffect(() => {
    setUnauthorizedHandler(signedOut)
    api<Me>('/api/auth/me', { allow401: true }).then(signedIn, (e: unknown) => {
      if (!(e instanceof ApiFailure && e.status === 401)) setBootError((e as Error).message)
      signedOut()
    })
  }, [])

  const logout = () => {
    api('/api/auth/logout', { method: 'POST', allow401: true })
      .catch(() => undefined)
      .finally(() => {
        signedOut()
        navigate('/')
      })
  }

  return (
    <I18nContext.Provider value={i18n}>
      {me === undefined ? (
        <p class="boot">{translate(lang, 'common.loading')}</p>
      ) : me === null ? (
        <LoginPage onSignedIn={signedIn} bootError={bootError} />
      ) : (
        <SessionContext.Provider value={{ user: me.user, logout }}>
          <Shell />
        </SessionContext.Provider>
      )}
    </I18nContext.Provider>
  )
}

function Shell() {
  const { t } = useI18n()
  const { user, logout } = useSession()
  const { path } = useLocation()
  const live = useLiveConnected()
  const can = (min: Role) => roleAtLeast(user.role, min)
  const nav: [string, Key, boolean][] = [
    ['/', 'nav.overview', true],
    ['/tickets', 'nav.tickets', true],
    ['/reports', 'nav.reports', true],
    ['/admin', 'nav.admin', can('manager')],
  ]
  let page: preact.JSX.Element = <NotFoundPage />
  for (const r of ROUTES) {
    const params = match(r.path, path)
    if (!params) continue
    page = r.min && !can(r.min) ? <NotFoundPage /> : r.render(params)
    break
  }
  const active = (href: string) => (href === '/' ? path === '/' || path.startsWith('/customers') || path.startsWith('/devices') : path.startsWith(href))
  return (
    <div class="shell">
      <aside class="side">
        <div class="brand">
          <Link href="/">{t('app.title')}</Link>
        </div>
        <nav>
          {nav
            .filter(([, , show]) => show)
            .map(([href, key]) => (
              <Link key={href} href={href} class={active(href) ? 'active' : ''}>
                {t(key)}
              </Link>
            ))}
        </nav>
        {path.startsWith('/admin') && (
          <nav class="subnav">
            {ADMIN_SECTIONS.filter((s) => can(s.min)).map((s) => (
              <Link key={s.id} href={`/admin/${s.id}`} class={path === `/admin/${s.id}` || (path === '/admin' && s.id === 'customers') ? 'active' : ''}>
                {t(s.title)}
              </Link>
            ))}
          </nav>
        )}
        <div class="me">
          <span class={`live ${live ? 'on' : 'off'}`} title={live ? t('live.on') : t('live.off')}>
            ● {live ? t('live.on') : t('live.off')}
          </span>
          <span class="who" data-testid="who">
            {user.displayName || user.username} · {t(`role.${user.role}` as Key)}
          </span>
          <LangSwitch />
          <button type="button" class="link" onClick={logout}>
            {t('nav.logout')}
          </button>
        </div>
      </aside>
      {/* Keyed by path: another device or ticket is a fresh page (its forms, its live filter), not the last one's state. */}
      <main class="content" key={path}>
        {page}
      </main>
    </div>
  )
}
