/**
 * The three ways a ticket event leaves the collector: a signed JSON webhook, an e-mail over SMTP,
 * and an outbound hook into an external ticketing system. Each throws with the reason on failure;
 * the dispatcher retries.
 */
import { createHmac } from 'node:crypto'
import nodemailer from 'nodemailer'

export interface OutboxPayload {
  event: string
  eventKey: string
  ticket: Record<string, unknown> & { id: number; title: string; level: string; deviceId: string; customer: string }
  contacts: string[]
}

export interface WebhookConfig {
  url: string
  /** HMAC-SHA256 key: the receiver checks X-Patrol-Signature over the raw body. */
  secret: string
}
export interface EmailConfig {
  to: string[]
  from?: string
  /** smtp://user:pass@host:port (or smtps://). */
  smtpUrl: string
}
export interface ExternalConfig {
  url: string
  token?: string
}

const TIMEOUT_MS = 10_000

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS) })
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status} ${(await response.text().catch(() => '')).slice(0, 200)}`)
  return response
}

export async function sendWebhook(config: WebhookConfig, payload: OutboxPayload): Promise<void> {
  const body = JSON.stringify(payload)
  // The event key lets a receiver drop a redelivery (sent, but our "sent" mark was lost).
  await post(config.url, body, { 'x-patrol-event': payload.eventKey, 'x-patrol-signature': signature(config.secret, body) })
}

export async function sendEmail(config: EmailConfig, payload: OutboxPayload): Promise<void> {
  const transport = nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS } as Parameters<typeof nodemailer.createTransport>[0])
  try {
    const t = payload.ticket
    const to = [...new Set([...config.to, ...payload.contacts])]
    await transport.sendMail({
      from: config.from ?? 'patrol@localhost',
      to,
      subject: `[${t.level}] ${payload.event}: ${t.title} (${t.customer}/${t.deviceId}, ticket ${t.id})`,
      text: `${payload.event.toUpperCase()} — ticket ${t.id}\n\n${t.title}\nDevice: ${t.deviceId}\nCustomer: ${t.customer}\nLevel: ${t.level}\n\n${JSON.stringify(t, null, 2)}`,
      headers: { 'X-Patrol-Event': payload.eventKey },
      messageId: `<${payload.eventKey.replaceAll(':', '.')}@patrol>`,
    })
  } finally {
    transport.close()
  }
}

/** Pushes the ticket; the external system's id, when it answers one, is returned to be kept on the ticket. */
export async function sendExternal(config: ExternalConfig, payload: OutboxPayload): Promise<string | null> {
  const t = payload.ticket
  const body = JSON.stringify({ source: 'patrol', event: payload.event, idempotencyKey: payload.eventKey, externalRef: t.externalRef ?? null, ticket: t })
  const response = await post(config.url, body, { 'idempotency-key': payload.eventKey, ...(config.token ? { authorization: `Bearer ${config.token}` } : {}) })
  const answer = (await response.json().catch(() => null)) as { id?: unknown } | null
  return answer && (typeof answer.id === 'string' || typeof answer.id === 'number') ? String(answer.id) : null
}
