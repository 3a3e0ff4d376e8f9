/**
 * What an SNMP value is once it left net-snmp: a small closed set of shapes the profiles read
 * through tolerant accessors. A device can answer any type for any OID (firmware bugs, garbage),
 * so every accessor returns `undefined` for a shape it cannot use instead of throwing.
 */
export type SnmpValue =
  | { kind: 'int'; value: number }
  | { kind: 'unsigned'; value: number } // Counter32, Gauge32, TimeTicks
  | { kind: 'counter64'; value: bigint }
  | { kind: 'octets'; value: Buffer }
  | { kind: 'oid'; value: string }
  | { kind: 'ip'; value: string }
  | { kind: 'null' }

/** OID → value, as walked. Keys are dotted numeric OIDs without a leading dot. */
export type VarbindMap = Map<string, SnmpValue>

export function asNumber(value: SnmpValue | undefined): number | undefined {
  if (!value) return undefined
  if (value.kind === 'int' || value.kind === 'unsigned') return Number.isFinite(value.value) ? value.value : undefined
  if (value.kind === 'counter64') return Number(value.value)
  // Some printers answer numbers as strings ("85"); take them, refuse anything else.
  if (value.kind === 'octets') {
    const text = value.value.toString('latin1').trim()
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined
  }
  return undefined
}

export function asBigInt(value: SnmpValue | undefined): bigint | undefined {
  if (!value) return undefined
  if (value.kind === 'counter64') return value.value
  if ((value.kind === 'unsigned' || value.kind === 'int') && Number.isInteger(value.value) && value.value >= 0) return BigInt(value.value)
  return undefined
}

/** Text as an engineer should read it: printable UTF-8, control bytes and trailing NULs dropped. */
export function asText(value: SnmpValue | undefined, maxLength = 256): string | undefined {
  if (!value) return undefined
  let text: string
  if (value.kind === 'octets') text = value.value.toString('utf8')
  else if (value.kind === 'oid' || value.kind === 'ip') text = value.value
  else if (value.kind === 'int' || value.kind === 'unsigned') text = String(value.value)
  else if (value.kind === 'counter64') text = value.value.toString()
  else return undefined
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, '').trim()
  return text.slice(0, maxLength)
}

export function asOid(value: SnmpValue | undefined): string | undefined {
  return value?.kind === 'oid' ? value.value : undefined
}

export function asBytes(value: SnmpValue | undefined): Buffer | undefined {
  return value?.kind === 'octets' ? value.value : undefined
}

/** Numeric OID comparison: "1.3.6.1.2.1.2.2.1.10.2" < "1.3.6.1.2.1.2.2.1.10.10". */
export function compareOids(a: string, b: string): number {
  const pa = a.split('.')
  const pb = b.split('.')
  const n = Math.min(pa.length, pb.length)
  for (let i = 0; i < n; i++) {
    const d = Number(pa[i]) - Number(pb[i])
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1
}

export function isUnder(oid: string, root: string): boolean {
  return oid.length > root.length && oid.startsWith(root) && oid.charCodeAt(root.length) === 46 /* . */
}

export function normaliseOid(oid: string): string {
  return oid.startsWith('.') ? oid.slice(1) : oid
}
