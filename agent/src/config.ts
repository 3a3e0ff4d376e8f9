/**
 * Agent settings. Precedence: defaults < config file (--config, or PATROL_AGENT_CONFIG) <
 * environment (PATROL_AGENT_<FIELD>, e.g. PATROL_AGENT_MQTT_URL) < command-line flags.
 */
import os from 'node:os'
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { AgentConfigMessage, ID_PATTERN, loadConfig } from '@patrol/shared'

function defaultDataDir(): string {
  if (process.platform === 'win32') return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'patrol-agent')
  if (process.getuid?.() === 0) return '/var/lib/patrol-agent'
  return path.join(os.homedir(), '.patrol-agent')
}

const IdSetting = (description: string) => Type.String({ pattern: ID_PATTERN, description })

export const AgentConfigSchema = Type.Object({
  mqttUrl: Type.String({ pattern: '^(mqtts?|wss?|tcp|ssl)://', default: 'mqtt://127.0.0.1:1883', description: 'broker URL; mqtts:// for TLS' }),
  mqttUsername: Type.Optional(Type.String()),
  mqttPassword: Type.Optional(Type.String()),
  caFile: Type.Optional(Type.String({ description: 'CA certificate (PEM) that signed the broker certificate' })),
  protocolVersion: Type.Union([Type.Literal('auto'), Type.Literal(4), Type.Literal(5)], { default: 'auto' }),
  topicPrefix: Type.String({ default: '', description: 'put in front of every topic; for test isolation' }),
  customer: Type.String({ pattern: ID_PATTERN, default: 'default', description: 'customer id this machine belongs to' }),
  site: Type.String({ pattern: ID_PATTERN, default: 'default', description: 'site id at the customer' }),
  deviceId: Type.Optional(IdSetting('fixed device id; by default derived from the hardware and kept in dataDir')),
  intervalS: Type.Integer({ minimum: 5, maximum: 86_400, default: 60, description: 'seconds between metric cycles' }),
  inventoryMaxAgeS: Type.Integer({ minimum: 60, maximum: 7 * 86_400, default: 86_400, description: 'send the inventory at least this often even when unchanged' }),
  inventoryIntervalS: Type.Integer({ minimum: 60, maximum: 7 * 86_400, default: 3600, description: 'seconds between inventory readings (sent only when changed)' }),
  smartIntervalS: Type.Integer({ minimum: 60, maximum: 7 * 86_400, default: 3600, description: 'seconds between disk health (SMART) readings' }),
  dataDir: Type.String({ default: defaultDataDir(), description: 'identity, credentials and the offline queue' }),
  spoolMaxBytes: Type.Integer({ minimum: 64 * 1024, maximum: 10 * 1024 ** 3, default: 64 * 1024 ** 2, description: 'bound of the offline queue on disk; when full the oldest messages are dropped (and reported)' }),
  collectorUrl: Type.Optional(Type.String({ pattern: '^https?://', description: 'collector HTTP(S) base URL, for enrollment' })),
  enrollToken: Type.Optional(Type.String({ minLength: 8, maxLength: 512, description: 'site enrollment token, exchanged once for this device\'s own MQTT credentials' })),
  watchedServices: Type.Array(Type.String({ maxLength: 256 }), { default: [] }),
  /** The poller role: SNMP/ping targets at this site (the collector can push them too). */
  poller: Type.Optional(AgentConfigMessage.properties.poller),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
})
export type AgentConfig = Static<typeof AgentConfigSchema>

export function loadAgentConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: Partial<AgentConfig> } = {}): AgentConfig {
  const env = options.env ?? process.env
  return loadConfig(AgentConfigSchema, {
    file: options.file ?? env.PATROL_AGENT_CONFIG,
    env,
    envPrefix: 'PATROL_AGENT',
    overrides: options.overrides,
  })
}
