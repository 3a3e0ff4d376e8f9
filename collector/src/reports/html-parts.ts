import { esc } from './format.js'

/** A table from header labels and rows of already-escaped cells. */
export function table(headers: string[], rows: string[][], className = ''): string {
  if (!rows.length) return ''
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`
}

export function sub(title: string, body: string, emptyText: string): string {
  return `<h3>${esc(title)}</h3>${body || `<p class="muted">${esc(emptyText)}</p>`}`
}
