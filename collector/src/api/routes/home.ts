import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiContext } from '../context.js'
import { summarise, type Latest } from '../device-summary.js'
import type { Inventory } from '@patrol/shared'

const esc = (value: unknown) =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const pct = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(1)} %`)
const gb = (v: number | undefined) => (v === undefined ? '–' : `${(v / 1e9).toFixed(1)} GB`)

/**
 * GET /: a plain page listing the fleet, refreshed every 15 s, so the URL printed at start-up
 * shows something at once. The full console (issue 7) replaces it.
 */
export const homeRoutes: FastifyPluginAsyncTypebox<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.get('/', async (_request, reply) => {
    const { rows } = await ctx.db.query<{ id: string; customer: string; site: string; hostname: string | null; status: string; last_seen: Date | null; latest: Latest; inventory: Inventory | null }>(
      'select id, customer, site, hostname, status, last_seen, latest, inventory from device order by customer, site, id limit 500',
    )
    const body = rows
      .map((d) => {
        const s = summarise(d.latest, d.inventory, (d.last_seen?.getTime() ?? Date.now()) - 86_400_000)
        const fs = s.filesystems.map((f) => `${esc(f.mount)} ${pct(f.usedPercent)}`).join('<br>')
        const who = s.identity ? [s.identity.manufacturer, s.identity.model, s.identity.serial && `S/N ${s.identity.serial}`].filter(Boolean).join(' · ') : ''
        return `<tr><td><a href="/api/devices/${encodeURIComponent(d.id)}">${esc(d.hostname ?? d.id)}</a><br><small>${esc(d.customer)} / ${esc(d.site)}</small></td>
<td class="${esc(d.status)}">${esc(d.status)}<br><small>${esc(d.last_seen?.toISOString() ?? '')}</small></td>
<td>${pct(s.cpu.loadPercent)}</td><td>${pct(s.memory.usedPercent)} of ${gb(s.memory.totalBytes)}</td><td>${fs}</td>
<td><small>${esc(who)}<br>${esc(s.identity?.os?.name ?? '')} ${esc(s.identity?.os?.version ?? '')}</small></td></tr>`
      })
      .join('\n')
    reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>patrol collector</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.online{color:#070}.offline{color:#b00}small{color:#666}</style></head>
<body><h1>Fleet</h1><p>${rows.length} device(s). API: <a href="/api/devices">/api/devices</a> · <a href="/api/health">/api/health</a></p>
<table><tr><th>Device</th><th>Status</th><th>CPU</th><th>Memory</th><th>Filesystems</th><th>Machine</th></tr>${body}</table></body></html>`)
  })
}
