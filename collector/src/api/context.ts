import type { Db } from '../store/db.js'
import type { IngestStats } from '../ingest/stats.js'
import type { Downlink } from '../ingest/downlink.js'
import type { ReportMailSettings } from '../reports/mail.js'
import type { AuthSettings } from './auth/settings.js'
import type { LiveHub } from '../live/hub.js'

/** What the routes need from the running collector. */
export interface ApiContext {
  db: Db
  stats: IngestStats
  version: string
  mqtt: () => { connected: boolean; url: string; embedded: boolean }
  database: { engine: Db['engine']; timescale: boolean; embedded: boolean }
  downlink: Downlink
  topicPrefix: string
  /** Something may have queued notifications (a ticket resolved or escalated by hand): send them now. */
  notificationsQueued?: () => void
  /** Agent enrollment: the limit on POST /api/enroll, and how a revoked credential is cut off at the embedded broker. */
  enrollment?: { rateLimitPerMinute: number; revoked(username: string): number }
  /** Sessions, cookies and login limits; defaults when absent (apps built in tests). */
  auth?: AuthSettings
  /** Live ticket and device events for GET /api/events; absent where the collector runs without them. */
  live?: LiveHub
  /** SMTP for report e-mails (POST /api/reports/:id/send); null or absent: not configured. */
  reportMail?: ReportMailSettings | null
}
