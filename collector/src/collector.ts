/**
 * Assembles a running collector from its parts, in data-path order:
 * storage (migrate, policies) → broker (embedded or external) → ingest (consumer → writer) →
 * maintenance → API. `close()` takes them down in the reverse order.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildApp } from './api/app.js'
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js'
import type { LoadedCollectorConfig } from './config.js'
import { IngestConsumer } from './ingest/consumer.js'
import { IngestStats } from './ingest/stats.js'
import { IngestWriter } from './ingest/writer.js'
import { openPglite, openPostgres, type Db } from './store/db.js'
import { applyTimescalePolicies, Maintenance } from './store/maintenance.js'
import { migrate } from './store/migrate.js'
import { COLLECTOR_VERSION } from './version.js'

export interface RunningCollector {
  /** http://host:port of the API and console */
  url: string
  mqttUrl: string
  db: Db
  stats: IngestStats
  app: FastifyInstance
  consumer: IngestConsumer
  maintenance: Maintenance
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
    const { applied, timescale } = await migrate(db)
    logger.info({ engine: db.engine, timescale, migrationsApplied: applied }, embeddedDb ? `embedded database in ${path.join(config.dataDir, 'pglite')}` : 'database ready')
    if (!timescale) logger.info('TimescaleDB not present: plain tables, time_bucket shim, hourly view; retention done by the collector')
    await applyTimescalePolicies(db, config)

    let broker: EmbeddedBroker | undefined
    if (!config.mqttUrl) {
      broker = await startEmbeddedBroker({ host: config.host, port: config.embeddedMqttPort, explicitPort: config.explicit.mqttPort, logger })
      const b = broker
      cleanups.push(() => b.close())
    }
    const mqttUrl = config.mqttUrl ?? broker!.url

    const stats = new IngestStats()
    const writer = new IngestWriter(db, { maxPointsPerFlush: config.maxPointsPerFlush, copyFromPoints: config.copyFromPoints, logger, stats })
    cleanups.push(() => writer.close())
    const consumer = new IngestConsumer(writer, {
      url: mqttUrl,
      username: config.mqttUsername,
      password: config.mqttPassword,
      ca: config.mqttCaFile ? await readFile(config.mqttCaFile) : undefined,
      topicPrefix: config.topicPrefix,
      clientId: config.ingestClientId ?? stableClientId(config),
      connections: config.ingestConnections,
      shareGroup: config.ingestShareGroup,
      protocolVersion: broker ? 4 : config.mqttProtocolVersion,
      maxPayloadBytes: config.maxPayloadBytes,
      clock: { toleranceMs: config.clockToleranceS * 1000, maxAgeMs: config.rawRetentionDays * 86_400_000 },
      sessionExpiryS: config.mqttSessionExpiryS,
      logger,
      stats,
    })
    consumer.start()
    cleanups.push(() => consumer.stop())

    const maintenance = new Maintenance(db, config, logger)
    maintenance.start()
    cleanups.push(() => maintenance.stop())

    const app = await buildApp(
      {
        db,
        stats,
        version: COLLECTOR_VERSION,
        mqtt: () => ({ connected: consumer.connected, url: mqttUrl.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@'), embedded: Boolean(broker) }),
        database: { engine: db.engine, timescale, embedded: embeddedDb },
      },
      logger,
    )
    cleanups.push(() => app.close())
    let port: number
    try {
      await app.listen({ host: config.host, port: config.port })
      port = (app.server.address() as { port: number }).port
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || config.explicit.port) throw error
      await app.listen({ host: config.host, port: 0 })
      port = (app.server.address() as { port: number }).port
      logger.warn({ wanted: config.port, port }, `HTTP port ${config.port} is taken; listening on ${port} instead`)
    }
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
    return { url, mqttUrl, db, stats, app, consumer, maintenance, close: closeAll }
  } catch (error) {
    await closeAll()
    throw error
  }
}
