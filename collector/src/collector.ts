/**
 * Assembles a running collector from its parts, in data-path order:
 * storage (migrate, policies) → ingest (writer, and the broker or subscription that feeds it) →
 * maintenance → API. `close()` takes them down in the reverse order.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './api/app.js'
import { ensureAdmin } from './auth/bootstrap.js'
import { BrokerAccess } from './broker/access.js'
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js'
import type { LoadedCollectorConfig } from './config.js'
import { Ingest } from './ingest/ingest.js'
import { MqttSource, type IngestSource } from './ingest/mqtt-source.js'
import { liveHubFor, type LiveHub } from './live/hub.js'
import { IngestStats } from './ingest/stats.js'
import { IngestWriter } from './ingest/writer.js'
import { ReportScheduler } from './reports/scheduler.js'
import { openPglite, openPostgres, type Db } from './store/db.js'
import { applyTimescalePolicies, Maintenance, maintenanceMode } from './store/maintenance.js'
import { migrate } from './store/migrate.js'
import { listenHttps } from './net/https-listen.js'
import { Ticketing } from './tickets/service.js'
import { COLLECTOR_VERSION } from './version.js'

export interface RunningCollector {
  /** http://host:port of the API and console */
  url: string
  mqttUrl: string
  db: Db
  stats: IngestStats
  app: FastifyInstance
  ingest: Ingest
  source: IngestSource
  maintenance: Maintenance
  /** Rules, tickets, escalation and notifications. */
  tickets: Ticketing
  /** Embedded broker only: its logins and topic rules (issue in-memory accounts with `issueInternal`). */
  brokerAccess?: BrokerAccess
  /** mqtts:// of the embedded broker's TLS listener, when configured. */
  mqttTlsUrl?: string
  /** Live ticket and device events (GET /api/events). */
  live: LiveHub
  close(): Promise<void>
}

/** A client id that stays the same across restarts of the same installation, so its MQTT session resumes. */
function stableClientId(config: LoadedCollectorConfig): string {
  const seed = [os.hostname(), config.databaseUrl ?? config.dataDir, config.databaseSchema ?? '', config.topicPrefix].join('|')
  return `patrol-collector-${createHash('sha256').update(seed).digest('hex').slice(0, 12)}`
}

export async function startCollector(config: LoadedCollectorConfig, logger: Logger): Promise<RunningCollector> {
  const cleanups: (() => Promise<void>)[] = []
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: Error) => logger.warn({ err: error.message }, 'error while stopping'))
  }
  try {
    await mkdir(config.dataDir, { recursive: true })
    const embeddedDb = !config.databaseUrl
    const db = config.databaseUrl
      ? await openPostgres({ connectionString: config.databaseUrl, schema: config.databaseSchema })
      : await openPglite({ dataDir: path.join(config.dataDir, 'pglite') })
    cleanups.push(() => db.close())
    const { applied, timescale, features } = await migrate(db)
    logger.info({ engine: db.engine, features, maintenance: maintenanceMode(db), migrationsApplied: applied }, embeddedDb ? `embedded database in ${path.join(config.dataDir, 'pglite')}` : 'database ready')
    if (!timescale) logger.info('TimescaleDB not present: plain tables, time_bucket shim, hourly view; retention done by the collector')
    await applyTimescalePolicies(db, config)
    await ensureAdmin(db, { adminPassword: config.adminPassword, dataDir: config.dataDir }, logger)

    const stats = new IngestStats()
    const tickets = new Ticketing(db, { logger })
    cleanups.push(() => tickets.stop())
    const writer = new IngestWriter(db, { maxPointsPerFlush: config.maxPointsPerFlush, copyFromPoints: config.copyFromPoints, logger, stats, onFlushed: tickets.onFlushed })
    cleanups.push(() => writer.close())
    const ingest = new Ingest(writer, {
      topicPrefix: config.topicPrefix,
      maxPayloadBytes: config.maxPayloadBytes,
      clock: { toleranceMs: config.clockToleranceS * 1000, maxAgeMs: config.rawRetentionDays * 86_400_000 },
      logger,
      stats,
    })

    const tls = config.tlsCertFile && config.tlsKeyFile ? { cert: await readFile(config.tlsCertFile), key: await readFile(config.tlsKeyFile) } : undefined
    let broker: EmbeddedBroker | undefined
    let source: IngestSource
    let brokerAccess: BrokerAccess | undefined
    if (!config.mqttUrl) {
      brokerAccess = new BrokerAccess({ db, logger, allowAnonymous: config.mqttAllowAnonymous })
      broker = await startEmbeddedBroker({
        access: brokerAccess,
        ...(tls && config.embeddedMqttTlsPort !== undefined ? { tls: { ...tls, port: config.embeddedMqttTlsPort } } : {}),
        host: config.host,
        port: config.embeddedMqttPort,
        explicitPort: config.explicit.mqttPort,
        topicPrefix: config.topicPrefix,
        logger,
        onPublish: (topic, payload) => ingest.handle(topic, payload),
      })
      source = broker
      const b = broker
      cleanups.push(() => b.close())
    } else {
      const mqtt = new MqttSource(ingest, {
        url: config.mqttUrl,
        username: config.mqttUsername,
        password: config.mqttPassword,
        ca: config.mqttCaFile ? await readFile(config.mqttCaFile) : undefined,
        topicPrefix: config.topicPrefix,
        clientId: config.ingestClientId ?? stableClientId(config),
        connections: config.ingestConnections,
        shareGroup: config.ingestShareGroup,
        protocolVersion: config.mqttProtocolVersion,
        sessionExpiryS: config.mqttSessionExpiryS,
        logger,
      }).start()
      source = mqtt
      cleanups.push(() => mqtt.stop())
    }
    const mqttUrl = config.mqttUrl ?? broker!.url

    const maintenance = new Maintenance(db, config, logger)
    maintenance.start()
    cleanups.push(() => maintenance.stop())
    tickets.start()

    // Quarter-end reports for group customers: generated, archived and mailed (reports/scheduler.ts).
    const reportMail = config.reportSmtpUrl ? { smtpUrl: config.reportSmtpUrl, from: config.reportMailFrom } : null
    if (config.reportSchedule) {
      const reports = new ReportScheduler(db, { graceHours: config.reportGraceHours, checkIntervalS: config.reportCheckIntervalS, mail: reportMail }, logger)
      reports.start()
      cleanups.push(() => reports.stop())
    }

    const live = await liveHubFor(db, { logger, connectionString: config.databaseUrl, schema: config.databaseSchema }).start()
    cleanups.push(() => live.close())

    const app = await buildApp(
      {
        db,
        stats,
        version: COLLECTOR_VERSION,
        mqtt: () => ({ connected: source.connected, url: mqttUrl.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@'), embedded: Boolean(broker), ...(brokerAccess ? { refused: { ...brokerAccess.refused } } : {}) }),
        database: { engine: db.engine, timescale, embedded: embeddedDb },
        downlink: source,
        notificationsQueued: () => tickets.dispatchSoon(),
        reportMail,
        enrollment: { rateLimitPerMinute: config.enrollRateLimitPerMinute, revoked: (username: string) => brokerAccess?.revoked(username) ?? 0 },
        topicPrefix: config.topicPrefix,
        live,
        auth: {
          session: { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours },
          cookieSecure: config.sessionCookieSecure,
          loginMaxAttempts: config.loginMaxAttempts,
          loginMaxAttemptsPerIp: config.loginMaxAttemptsPerIp,
          loginWindowMinutes: config.loginWindowMinutes,
        },
      },
      logger,
    )
    cleanups.push(() => app.close())
    let port: number
    if (tls) {
      const listened = await listenHttps(app, { host: config.host, port: config.port, explicitPort: config.explicit.port, ...tls })
      cleanups.push(() => listened.close())
      port = listened.port
      if (listened.fellBack) logger.warn({ wanted: config.port, port }, `HTTPS port ${config.port} is taken; listening on ${port} instead`)
    } else try {
      await app.listen({ host: config.host, port: config.port })
      port = (app.server.address() as { port: number }).port
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || config.explicit.port) throw error
      await app.listen({ host: config.host, port: 0 })
      port = (app.server.address() as { port: number }).port
      logger.warn({ wanted: config.port, port }, `HTTP port ${config.port} is taken; listening on ${port} instead`)
    }
    const url = `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
    return { url, mqttUrl, db, stats, app, ingest, source, maintenance, tickets, ...(brokerAccess ? { brokerAccess } : {}), ...(broker?.tlsUrl ? { mqttTlsUrl: broker.tlsUrl } : {}), live, close: closeAll }
  } catch (error) {
    await closeAll()
    throw error
  }
}
