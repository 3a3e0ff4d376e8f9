import { useI18n } from '../i18n/index.js'
import type { Health } from '../data.js'

export function HealthBar({ h }: { h: Health }) {
  const { t } = useI18n()
  const total = h.online + h.offline + h.unknown
  return (
    <span class="health" title={`${t('status.online')} ${h.online} · ${t('status.offline')} ${h.offline}`}>
      <span class="pill ok">
        {t('status.online')} {h.online}
      </span>
      {h.offline > 0 && (
        <span class="pill bad">
          {t('status.offline')} {h.offline}
        </span>
      )}
      {h.unknown > 0 && (
        <span class="pill muted">
          {t('status.unknown')} {h.unknown}
        </span>
      )}
      {total === 0 && <span class="muted">{t('overview.noDevices')}</span>}
    </span>
  )
}
