import { useI18n } from '../i18n/index.js'
import { Link } from '../components/ui.js'

export function NotFoundPage({ what }: { what?: string }) {
  const { t } = useI18n()
  return (
    <div class="notfound" data-testid="not-found">
      <h1>{t('error.notFound')}</h1>
      <p>{what ?? t('error.notFoundText')}</p>
      <Link href="/">{t('nav.overview')}</Link>
    </div>
  )
}
