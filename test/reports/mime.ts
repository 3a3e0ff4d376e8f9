/**
 * Just enough of MIME (RFC 2045–2047, 2231) to read back what nodemailer sent: headers with
 * encoded words, multipart bodies, base64 and quoted-printable parts, attachment names. Written
 * here rather than adding a mail-parser dependency for the tests; it throws on what it does not
 * understand, so a malformed mail fails the test instead of passing unread.
 */
export interface ParsedAttachment {
  filename: string
  contentType: string
  content: Buffer
}

export interface ParsedMail {
  headers: Map<string, string>
  subject: string
  to: string[]
  text: string
  attachments: ParsedAttachment[]
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n')
  if (at < 0) throw new Error('mail without a header/body separator')
  const headers = new Map<string, string>()
  for (const line of raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { headers, body: raw.slice(at + 4) }
}

/** Bytes held in a latin1 string (how the raw mail was read) back to a Buffer. */
const bytes = (latin1: string) => Buffer.from(latin1, 'latin1')

function decodeQp(text: string): Buffer {
  return bytes(text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))))
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64')
    case 'quoted-printable':
      return decodeQp(body)
    case '7bit':
    case '8bit':
    case 'binary':
      return bytes(body)
    default:
      throw new Error(`unknown transfer encoding ${encoding}`)
  }
}

/** =?UTF-8?B?…?= and =?UTF-8?Q?…?= words (adjacent words joined, as RFC 2047 says). */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_, charset: string, kind: string, text: string) => {
      if (!/^utf-8$/i.test(charset)) throw new Error(`charset ${charset}`)
      const raw = kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQp(text.replace(/_/g, ' '))
      return raw.toString('utf8')
    })
}

function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  // RFC 2231 continuations and charset: name*0*=utf-8''…; name*1*=…
  const parts: string[] = []
  const re = new RegExp(`${name}\\*(\\d+)?\\*?=("?)([^";]*)\\2`, 'gi')
  for (const m of header.matchAll(re)) parts[Number(m[1] ?? 0)] = m[3]!
  if (parts.length) {
    const joined = parts.join('')
    const encoded = /^utf-8''/i.test(joined)
    return encoded ? decodeURIComponent(joined.replace(/^utf-8''/i, '')) : decodeURIComponent(joined)
  }
  const plain = new RegExp(`${name}=("([^"]*)"|[^;\\s]+)`, 'i').exec(header)
  return plain ? decodeWords(plain[2] ?? plain[1]!) : undefined
}

function leaves(headers: Map<string, string>, body: string): { headers: Map<string, string>; body: string }[] {
  const type = headers.get('content-type') ?? 'text/plain'
  if (!/^multipart\//i.test(type)) return [{ headers, body }]
  const boundary = param(type, 'boundary')
  if (!boundary) throw new Error(`multipart without boundary: ${type}`)
  const sections = body.split(`--${boundary}`).slice(1)
  const out: { headers: Map<string, string>; body: string }[] = []
  for (const section of sections) {
    if (section.startsWith('--')) break
    const part = splitHead(section.replace(/^\r\n/, ''))
    out.push(...leaves(part.headers, part.body.replace(/\r\n$/, '')))
  }
  return out
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHead(raw)
  let text = ''
  const attachments: ParsedAttachment[] = []
  for (const leaf of leaves(headers, body)) {
    const type = leaf.headers.get('content-type') ?? 'text/plain'
    const disposition = leaf.headers.get('content-disposition')
    const content = decodeBody(leaf.body, leaf.headers.get('content-transfer-encoding'))
    if (disposition && /^attachment/i.test(disposition)) {
      attachments.push({ filename: param(disposition, 'filename') ?? param(type, 'name') ?? '', contentType: type, content })
    } else if (/^text\/plain/i.test(type)) text += content.toString('utf8')
  }
  const to = (headers.get('to') ?? '').split(',').map((s) => /<([^>]+)>/.exec(s)?.[1] ?? s.trim()).filter(Boolean)
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), to, text, attachments }
}
