import type { RejectCode } from '@patrol/shared'

/** Counters of the ingest path, shown by /api/health and logged; reset only by a restart. */
export class IngestStats {
  received = 0
  storedMessages = 0
  storedPoints = 0
  duplicates = 0
  rejectedStored = 0
  flushes = 0
  pending = 0
  lastFlushMs = 0
  lastFlushAt: number | null = null
  databaseOk = true
  databaseError: string | null = null
  readonly rejected: Partial<Record<RejectCode, number>> = {}

  count(code: RejectCode): void {
    this.rejected[code] = (this.rejected[code] ?? 0) + 1
  }

  get rejectedTotal(): number {
    return Object.values(this.rejected).reduce((a, b) => a + (b ?? 0), 0)
  }

  toJSON() {
    return {
      received: this.received,
      storedMessages: this.storedMessages,
      storedPoints: this.storedPoints,
      duplicates: this.duplicates,
      rejected: { total: this.rejectedTotal, ...this.rejected },
      flushes: this.flushes,
      pending: this.pending,
      lastFlushMs: Math.round(this.lastFlushMs * 10) / 10,
      lastFlushAt: this.lastFlushAt ? new Date(this.lastFlushAt).toISOString() : null,
    }
  }
}
