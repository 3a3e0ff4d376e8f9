/**
 * Collector settings. Precedence: defaults < config file (--config, or PATROL_CONFIG) <
 * environment (PATROL_<FIELD>, plus the conventional DATABASE_URL, MQTT_URL, PORT) < flags.
 * Without DATABASE_URL the collector runs an embedded PostgreSQL with TimescaleDB in the data
 * folder; without MQTT_URL it runs an embedded MQTT broker.
 */
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { ConfigError, loadConfigWithSources } from '@patrol/shared'

export const CollectorConfigSchema = Type.Object({
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL/TimescaleDB server; embedded when absent' })),
  databaseSchema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$', description: 'schema to work in (tests, several installations on one server)' })),
  mqttUrl: Type.Optional(Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://', description: 'broker URL; embedded broker when absent' })),
  mqttUsername: Type.Optional(Type.String()),
  mqttPassword: Type.Optional(Type.String()),
  mqttCaFile: Type.Optional(Type.String()),
  mqttProtocolVersion: Type.Union([Type.Literal('auto'), Type.Literal(4), Type.Literal(5)], { default: 'auto' }),
  topicPrefix: Type.String({ default: '', description: 'topic prefix (test isolation)' }),
  ingestClientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'MQTT client id of the ingest session; stable so the session survives restarts' })),
  ingestShareGroup: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'MQTT 5 shared-subscription group for several collectors' })),
  ingestConnections: Type.Integer({ minimum: 1, maximum: 32, default: 4, description: 'parallel subscriber connections (with ingestShareGroup)' }),
  mqttSessionExpiryS: Type.Integer({ minimum: 0, default: 7 * 86_400 }),
  embeddedMqttPort: Type.Integer({ minimum: 0, maximum: 65_535, default: 1883 }),
  embeddedMqttTlsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65_535, description: 'also serve MQTT over TLS on this port (embedded broker; needs tlsCertFile and tlsKeyFile), e.g. 8883' })),
  mqttAllowAnonymous: Type.Boolean({ default: false, description: 'embedded broker: let clients in without a username (full rights); by default only enrolled device credentials connect' }),
  tlsCertFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain) for HTTPS and the embedded broker\'s TLS listener' })),
  tlsKeyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of tlsCertFile' })),
  enrollRateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 100_000, default: 30, description: 'POST /api/enroll requests per minute and client address' }),
  host: Type.String({ default: '127.0.0.1', description: 'address the API (and the embedded broker) listen on' }),
  port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080, description: 'HTTP port of the API and console' }),
  dataDir: Type.String({ default: path.resolve('data'), description: 'embedded database and other state' }),
  maxPayloadBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024 }),
  maxPointsPerFlush: Type.Integer({ minimum: 100, maximum: 200_000, default: 20_000 }),
  copyFromPoints: Type.Integer({ minimum: 1, default: 2_000, description: 'use COPY for flushes at least this large (PostgreSQL server only)' }),
  clockToleranceS: Type.Integer({ minimum: 1, default: 120, description: 'agent clock error left uncorrected' }),
  rawRetentionDays: Type.Integer({ minimum: 1, default: 400, description: 'raw readings kept; reports compare a quarter with the one before and the year before' }),
  hourlyRetentionDays: Type.Integer({ minimum: 1, default: 1_100 }),
  compressAfterDays: Type.Integer({ minimum: 1, default: 7 }),
  replayWindowDays: Type.Integer({ minimum: 1, default: 14, description: 'how long batch ids are remembered to ignore replays' }),
  maintenanceIntervalS: Type.Integer({ minimum: 10, default: 600 }),
  reportSchedule: Type.Boolean({ default: true, description: 'generate, archive and e-mail every group customer\'s quarterly report after its local quarter end' }),
  reportGraceHours: Type.Number({ minimum: 0, maximum: 24 * 14, default: 6, description: 'hours after the local quarter end before the quarterly report is made (late readings, last tickets)' }),
  reportCheckIntervalS: Type.Integer({ minimum: 30, maximum: 86_400, default: 300, description: 'how often the report scheduler looks for a closed quarter and for report mails to retry' }),
  reportSmtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://', description: 'SMTP server for report e-mails (smtp://user:pass@host:587); reports are archived but not mailed without it' })),
  reportMailFrom: Type.String({ minLength: 3, default: 'patrol@localhost', description: 'sender address of report e-mails' }),
  adminPassword: Type.Optional(Type.String({ minLength: 10, maxLength: 512, description: 'password of the first user, admin, created when the database has no user; a generated one is written to <dataDir>/initial-admin-password otherwise' })),
  sessionIdleMinutes: Type.Integer({ minimum: 5, maximum: 7 * 24 * 60, default: 12 * 60, description: 'a browser session ends after this long without a request' }),
  sessionMaxHours: Type.Integer({ minimum: 1, maximum: 90 * 24, default: 7 * 24, description: 'a browser session ends this long after sign-in, however active' }),
  sessionCookieSecure: Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')], { default: 'auto', description: 'Secure flag of the session cookie: auto = when the request came over HTTPS; always behind a TLS-terminating proxy' }),
  loginMaxAttempts: Type.Integer({ minimum: 1, maximum: 10_000, default: 10, description: 'sign-in attempts per username within loginWindowMinutes (429 beyond)' }),
  loginMaxAttemptsPerIp: Type.Integer({ minimum: 1, maximum: 100_000, default: 30, description: 'sign-in attempts per client address within loginWindowMinutes (429 beyond)' }),
  loginWindowMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15, description: 'window of the sign-in limits' }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
})
export type CollectorConfig = Static<typeof CollectorConfigSchema>

export type LoadedCollectorConfig = CollectorConfig & { explicit: { port: boolean; mqttPort: boolean } }

export function loadCollectorConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: Partial<CollectorConfig> } = {}): LoadedCollectorConfig {
  const env = options.env ?? process.env
  const { config, setBy } = loadConfigWithSources(CollectorConfigSchema, {
    file: options.file ?? env.PATROL_CONFIG,
    env,
    envPrefix: 'PATROL',
    envAliases: { DATABASE_URL: 'databaseUrl', MQTT_URL: 'mqttUrl', PORT: 'port' },
    overrides: options.overrides,
  })
  const problems = [
    ...(Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile) ? [`tlsCertFile and tlsKeyFile go together (only ${config.tlsCertFile ? 'tlsCertFile' : 'tlsKeyFile'} is set)`] : []),
    ...(config.embeddedMqttTlsPort !== undefined && !config.tlsCertFile ? ['embeddedMqttTlsPort needs tlsCertFile and tlsKeyFile'] : []),
  ]
  if (problems.length) throw new ConfigError(problems, 'collector settings')
  // A port somebody asked for is honoured or fails; only a default may move to a free one.
  return { ...config, explicit: { port: Boolean(setBy.port), mqttPort: Boolean(setBy.embeddedMqttPort) } }
}
