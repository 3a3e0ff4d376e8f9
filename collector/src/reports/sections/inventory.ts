import { esc } from '../format.js'
import { section, sub, table } from '../html-parts.js'
import type { InventoryData, Section } from '../model.js'

export const WARRANTY_WARNING_MONTHS = 6

/** Warranty state on a day; "ending" = ends within six months of it. Dates are calendar days. */
export function warrantyStatus(end: string | null, on: Date): InventoryData['devices'][number]['warranty'] {
  if (!end) return 'unknown'
  const endMs = Date.parse(`${end}T23:59:59Z`)
  if (endMs < on.getTime()) return 'expired'
  const horizon = new Date(on)
  horizon.setUTCMonth(horizon.getUTCMonth() + WARRANTY_WARNING_MONTHS)
  return endMs <= horizon.getTime() ? 'ending' : 'valid'
}

export const inventorySection: Section<'inventory'> = {
  id: 'inventory',
  async collect(ctx) {
    // Judged at the end of the period: the report speaks for that day, whenever it is regenerated.
    const on = ctx.meta.generatedAt < ctx.meta.period.to ? ctx.meta.generatedAt : ctx.meta.period.to
    const devices = ctx.devices.map((d) => ({
      deviceId: d.id,
      name: d.name,
      category: d.category,
      model: d.model,
      serial: d.serial,
      assetTag: d.assetTag,
      warrantyEnd: d.warrantyEnd,
      warranty: warrantyStatus(d.warrantyEnd, on),
    }))
    return { devices, endingSoon: devices.filter((d) => d.warranty === 'ending').length }
  },
  render(data, fmt) {
    const { t } = fmt
    const row = (d: InventoryData['devices'][number]) => [esc(d.assetTag ?? ''), esc(d.name), esc(t.categories[d.category] ?? d.category), esc(d.model ?? ''), esc(d.serial ?? ''), esc(fmt.date(d.warrantyEnd)), `<span class="w-${d.warranty}">${esc(t.warrantyStatus[d.warranty])}</span>`]
    const headers = [t.assetTag, t.device, t.category, t.model, t.serial, t.warrantyEnd, t.warranty]
    const ending = table(headers, data.devices.filter((d) => d.warranty === 'ending').map(row))
    const all = table(headers, [...data.devices].sort((a, b) => a.category.localeCompare(b.category) || a.name.localeCompare(b.name)).map(row), 'small')
    return section('inventory', t.inventory, sub(t.warrantyEnding, ending, t.none) + `<h3>${esc(t.devices)} (${fmt.number(data.devices.length)})</h3>` + all)
  },
}
