import { isUnder, type SnmpValue, type VarbindMap } from './values.js'

/** One conceptual row of an SNMP table: column number → value, and the row's index OID suffix. */
export interface TableRow {
  index: string
  /** The index split into numbers: `hrDeviceIndex.prtMarkerSuppliesIndex` → [1, 3]. */
  indexParts: number[]
  columns: Map<number, SnmpValue>
}

/**
 * Groups the walked varbinds under `entryOid` (e.g. ifEntry 1.3.6.1.2.1.2.2.1) into rows by
 * index, in the order the index first appears. Varbinds that are not `<entry>.<column>.<index>`
 * are ignored: a broken agent must not break the table.
 */
export function tableRows(walked: VarbindMap, entryOid: string): TableRow[] {
  const rows = new Map<string, TableRow>()
  for (const [oid, value] of walked) {
    if (!isUnder(oid, entryOid)) continue
    const rest = oid.slice(entryOid.length + 1)
    const dot = rest.indexOf('.')
    if (dot <= 0) continue
    const column = Number(rest.slice(0, dot))
    const index = rest.slice(dot + 1)
    if (!Number.isInteger(column) || index === '') continue
    let row = rows.get(index)
    if (!row) {
      row = { index, indexParts: index.split('.').map(Number), columns: new Map() }
      rows.set(index, row)
    }
    row.columns.set(column, value)
  }
  return [...rows.values()]
}

/** Value of a scalar (`<oid>.0`), or of the first instance under `oid` when the agent forgot the `.0`. */
export function scalar(walked: VarbindMap, oid: string): SnmpValue | undefined {
  return walked.get(`${oid}.0`) ?? walked.get(oid)
}

/** Looks up `enumTable[n]`, falling back to the raw number so an unknown code is still visible. */
export function enumName(table: Record<number, string>, n: number | undefined): string | undefined {
  if (n === undefined) return undefined
  return table[n] ?? `unknown(${n})`
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
