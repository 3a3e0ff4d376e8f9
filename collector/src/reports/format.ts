import type { Lang, Strings } from './i18n.js'
import { stringsFor } from './i18n.js'

/** Numbers, dates and durations in the customer's locale and time zone, through Intl only. */
export interface Formatter {
  lang: Lang
  tz: string
  t: Strings
  number(value: number, digits?: number): string
  percent(value: number, digits?: number): string
  date(value: Date | string | null | undefined): string
  dateTime(value: Date | string | null | undefined): string
  duration(ms: number): string
}

export function makeFormatter(lang: Lang, tz: string): Formatter {
  const t = stringsFor(lang)
  const dateFmt = new Intl.DateTimeFormat(lang, { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
  const dateTimeFmt = new Intl.DateTimeFormat(lang, { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value))
  return {
    lang,
    tz,
    t,
    number: (value, digits = 0) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value),
    // Values are 0–100 percentages, as the metrics store them.
    percent: (value, digits = 1) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value / 100),
    date: (value) => (value == null ? '—' : dateFmt.format(asDate(value))),
    dateTime: (value) => (value == null ? '—' : dateTimeFmt.format(asDate(value))),
    duration(ms) {
      const minutes = Math.round(ms / 60_000)
      if (minutes < 60) return `${minutes} ${t.minutes}`
      const hours = minutes / 60
      if (hours < 48) return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(hours)} ${t.hours}`
      return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(hours / 24)} ${t.days}`
    },
  }
}

/** Everything printed into HTML goes through here: device names and supply descriptions come from devices. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
