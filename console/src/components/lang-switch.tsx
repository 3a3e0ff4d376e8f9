import { DICTS, LANGS, useI18n, type Lang } from '../i18n/index.js'

/** Switches the language anywhere; the choice is remembered in this browser. */
export function LangSwitch() {
  const { lang, setLang, t } = useI18n()
  return (
    <label class="lang">
      <span class="sr-only">{t('nav.language')}</span>
      <select value={lang} aria-label={t('nav.language')} data-testid="lang" onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {DICTS[l]['lang.name']}
          </option>
        ))}
      </select>
    </label>
  )
}
