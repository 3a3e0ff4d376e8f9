/**
 * What the ingest path carries from the wire to the writer: a validated message with its address,
 * and the clock correction applied to it. Also the rules for the clock: an agent whose clock is
 * wrong by more than the tolerance has its readings shifted by the measured offset (it stamps
 * `sentAt` at the moment it publishes, so receivedAt − sentAt is its error plus the transit); a
 * reading still in the future, or older than the data is kept, is refused with the reason.
 */
import type { TopicAddress, UplinkMessage } from '@patrol/shared'

export interface AcceptedMessage {
  topic: string
  address: TopicAddress
  message: UplinkMessage
  receivedAt: number
  /** Added to every time in the message; 0 when the producer's clock was within tolerance. */
  clockOffsetMs: number
  /** The payload as it arrived, kept to store it if the database refuses the message. */
  raw: Uint8Array
}

export interface ClockPolicy {
  /** Offsets within this are network delay and ordinary drift: left alone. */
  toleranceMs: number
  /** Readings older than this are refused (they would fall outside retention anyway). */
  maxAgeMs: number
}

export type ClockCheck = { ok: true; offsetMs: number } | { ok: false; reason: string }

/** Every reading time a message carries, for the clock checks. */
export function messageTimes(message: UplinkMessage): number[] {
  switch (message.kind) {
    case 'metrics':
      return message.points.map((p) => p.ts)
    case 'inventory':
      return [message.collectedAt]
    case 'status':
      return [message.at]
    case 'event':
      return message.events.map((e) => e.ts)
    case 'snmp':
      return message.results.flatMap((r) => [r.ts, ...r.points.map((p) => p.ts)])
    case 'ping':
      return message.results.map((r) => r.ts)
  }
}

export function checkClock(message: UplinkMessage, receivedAt: number, policy: ClockPolicy): ClockCheck {
  let offsetMs = 0
  if (message.sentAt !== undefined && Math.abs(receivedAt - message.sentAt) > policy.toleranceMs) {
    offsetMs = receivedAt - message.sentAt
  }
  // A Last Will is written at connect time and arrives whenever the broker sends it.
  if (message.kind === 'status') return { ok: true, offsetMs }
  for (const t of messageTimes(message)) {
    const corrected = t + offsetMs
    if (corrected > receivedAt + policy.toleranceMs) {
      const why = offsetMs
        ? ` even after correcting the sender's clock by ${offsetMs} ms`
        : message.sentAt === undefined
          ? ' and the message has no sentAt to correct it by'
          : " although the sender's sentAt agrees with our clock"
      return { ok: false, reason: `reading at ${new Date(t).toISOString()} is ${Math.round((corrected - receivedAt) / 60_000)} min in the future${why}` }
    }
    if (corrected < receivedAt - policy.maxAgeMs) {
      return { ok: false, reason: `reading at ${new Date(corrected).toISOString()} is older than the ${Math.round(policy.maxAgeMs / 86_400_000)}-day retention` }
    }
  }
  return { ok: true, offsetMs }
}
