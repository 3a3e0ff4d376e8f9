/**
 * Two languages, one dictionary each (the English one defines the keys; the compiler and a test
 * make the Chinese one match). The choice is kept in localStorage; without one, the signed-in
 * user's language decides. Dates and numbers go through Intl in the chosen locale.
 */
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { en } from './en.js'
import { zhCN } from './zh-CN.js'

export type Lang = 'zh-CN' | 'en'
export type Key = keyof typeof en
export const LANGS: readonly Lang[] = ['zh-CN', 'en']
export const DICTS: Record<Lang, Record<Key, string>> = { en, 'zh-CN': zhCN }

const STORAGE_KEY = 'patrol.lang'

export function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return v === 'en' || v === 'zh-CN' ? v : null
  } catch {
    return null
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

export function translate(lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  const text = DICTS[lang][key] ?? en[key] ?? key
  return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text
}

export function formatters(lang: Lang) {
  const dateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 })
  const bytesUnits = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  return {
    dateTime: (v: string | number | Date | null | undefined) => (v === null || v === undefined ? '–' : dateTime.format(new Date(v))),
    time: (v: string | number | Date) => time.format(new Date(v)),
    number: (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : number.format(v)),
    percent: (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${number.format(v)} %`),
    bytes: (v: number | null | undefined) => {
      if (v === null || v === undefined) return '–'
      let i = 0
      let n = v
      while (Math.abs(n) >= 1000 && i < bytesUnits.length - 1) {
        n /= 1000
        i++
      }
      return `${number.format(n)} ${bytesUnits[i]}`
    },
    /** 3 h 12 min, 2 d 4 h: for SLA clocks. */
    duration: (ms: number) => {
      const abs = Math.abs(ms)
      const d = Math.floor(abs / 86_400_000)
      const h = Math.floor((abs % 86_400_000) / 3_600_000)
      const m = Math.floor((abs % 3_600_000) / 60_000)
      const s = Math.floor((abs % 60_000) / 1000)
      const u = lang === 'zh-CN' ? { d: '天', h: '小时', m: '分', s: '秒' } : { d: 'd', h: 'h', m: 'min', s: 's' }
      const sep = lang === 'zh-CN' ? '' : ' '
      if (d) return `${d}${sep}${u.d} ${h}${sep}${u.h}`
      if (h) return `${h}${sep}${u.h} ${m}${sep}${u.m}`
      return `${m}${sep}${u.m} ${s}${sep}${u.s}`
    },
  }
}

export interface I18n {
  lang: Lang
  setLang: (lang: Lang) => void
  t: (key: Key, vars?: Record<string, string | number>) => string
  fmt: ReturnType<typeof formatters>
}

export const I18nContext = createContext<I18n>({
  lang: 'zh-CN',
  setLang: () => undefined,
  t: (key, vars) => translate('zh-CN', key, vars),
  fmt: formatters('zh-CN'),
})

export const useI18n = (): I18n => useContext(I18nContext)
