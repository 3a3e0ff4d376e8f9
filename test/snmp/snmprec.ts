/**
 * A deliberately simple reader of .snmprec files, independent of the agent's code, so the
 * recording tests compare what the poller parsed with what the file holds.
 */
import { readFileSync } from 'node:fs'

export interface RecordedValue {
  type: string
  raw: string
}

export function readSnmprec(file: string): Map<string, RecordedValue> {
  const values = new Map<string, RecordedValue>()
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const [oid, type, ...rest] = line.split('|')
    if (oid && type) values.set(oid, { type, raw: rest.join('|') })
  }
  return values
}

export function recordedNumber(values: Map<string, RecordedValue>, oid: string): number | undefined {
  const v = values.get(oid)
  return v && /^-?\d+$/.test(v.raw) ? Number(v.raw) : undefined
}

export function recordedText(values: Map<string, RecordedValue>, oid: string): string | undefined {
  const v = values.get(oid)
  if (!v) return undefined
  return v.type === '4x' ? Buffer.from(v.raw, 'hex').toString('utf8') : v.raw
}

/** Row indexes of one table column, e.g. column 9 of prtMarkerSuppliesEntry → ["1.1", "1.2"]. */
export function columnIndexes(values: Map<string, RecordedValue>, entry: string, column: number): string[] {
  const prefix = `${entry}.${column}.`
  return [...values.keys()].filter((oid) => oid.startsWith(prefix)).map((oid) => oid.slice(prefix.length))
}
