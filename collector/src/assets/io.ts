/**
 * Asset lists in and out: YAML for everything (customers, sites, contracts, devices), CSV for the
 * device list (what a company keeps in a spreadsheet). Every row is checked against the same
 * schema as the API, and a bad row is refused with its line and field; nothing is written then.
 */
import { Value } from '@sinclair/typebox/value'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { ApiError } from '../api/errors.js'
import { AssetFile, DeviceAssetInput } from './schemas.js'

export const CSV_COLUMNS = ['id', 'customer', 'site', 'category', 'assetTag', 'criticality', 'warrantyEnd', 'model', 'serial', 'maintainedBy', 'parentDeviceId', 'importantPorts'] as const

function refuse(where: string, schema: Parameters<typeof Value.Errors>[0], value: unknown): never {
  const first = [...Value.Errors(schema, value)][0]
  throw new ApiError(400, 'BAD_REQUEST', `${where}: ${first ? `${first.path || '/'} ${first.message}` : 'invalid'}`)
}

export function parseAssetYaml(text: string): AssetFile {
  let data: unknown
  try {
    data = parseYaml(text) ?? {}
  } catch (error) {
    throw new ApiError(400, 'BAD_REQUEST', `not valid YAML: ${(error as Error).message}`)
  }
  const value = Value.Default(AssetFile, Value.Clone(data))
  if (!Value.Check(AssetFile, value)) refuse('asset file', AssetFile, value)
  return value
}

export function assetYaml(file: AssetFile): string {
  return stringifyYaml(file)
}

/** RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field === '') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  if (quoted) throw new ApiError(400, 'BAD_REQUEST', 'CSV: a quoted field is not closed')
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''))
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)

export function parseDeviceCsv(text: string): AssetFile['devices'] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''))
  if (!header) return []
  const names = header.map((h) => h.trim())
  const unknown = names.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n))
  if (unknown.length) throw new ApiError(400, 'BAD_REQUEST', `CSV: unknown column(s) ${unknown.join(', ')}; known: ${CSV_COLUMNS.join(', ')}`)
  if (!names.includes('id')) throw new ApiError(400, 'BAD_REQUEST', 'CSV: an "id" column is needed')
  return rows.map((cells, i) => {
    const record: Record<string, unknown> = {}
    names.forEach((name, c) => {
      const cell = (cells[c] ?? '').trim()
      if (cell === '') return
      record[name] = name === 'importantPorts' ? cell.split(';').map((p) => p.trim()).filter(Boolean) : cell
    })
    if (!Value.Check(DeviceAssetInput, record)) refuse(`CSV line ${i + 2}`, DeviceAssetInput, record)
    return record as AssetFile['devices'][number]
  })
}

export function deviceCsv(devices: AssetFile['devices']): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const d of devices) {
    lines.push(
      CSV_COLUMNS.map((c) => {
        const v = d[c]
        return csvField(v === undefined || v === null ? '' : Array.isArray(v) ? v.join(';') : String(v))
      }).join(','),
    )
  }
  return `${lines.join('\r\n')}\r\n`
}
