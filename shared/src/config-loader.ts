/**
 * Configuration loading for every runnable package: one TypeBox schema gives the defaults, the
 * types and the validation. Precedence: defaults < config file < environment < command-line flags.
 * Every wrong field is reported at once, by name, with what was given, and loading stops: a
 * program never runs on a half-read config.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Kind, type Static, type TObject, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import YAML from 'yaml'

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export interface LoadConfigOptions<T extends TObject> {
  /** A JSON or YAML file; a missing file named explicitly is an error. */
  file?: string | undefined
  env?: NodeJS.ProcessEnv
  /** Environment variables are PREFIX_FIELD_NAME, e.g. PATROL_AGENT_MQTT_URL for mqttUrl. */
  envPrefix: string
  /** Conventional names that map to a field too (DATABASE_URL → databaseUrl). */
  envAliases?: Record<string, keyof Static<T> & string>
  overrides?: Partial<Static<T>>
}

export function envName(prefix: string, field: string): string {
  return `${prefix}_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`
}

function readFile(file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError([`cannot read config file ${file}: ${(error as Error).message}`], file)
  }
  let value: unknown
  try {
    value = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`config file ${file} is not valid ${path.extname(file).slice(1) || 'JSON'}: ${(error as Error).message}`], file)
  }
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`config file ${file} must hold an object of settings`], file)
  return value as Record<string, unknown>
}

/** Environment strings into the field's type: numbers, booleans, comma-separated lists. */
function fromEnv(schema: TSchema, raw: string): unknown {
  if (schema[Kind] === 'Array') return raw.split(',').map((s) => s.trim()).filter(Boolean)
  if (schema[Kind] === 'Union' || schema[Kind] === 'Number' || schema[Kind] === 'Integer' || schema[Kind] === 'Boolean') {
    return Value.Convert(schema, raw)
  }
  return raw
}

export function loadConfig<T extends TObject>(schema: T, options: LoadConfigOptions<T>): Static<T> {
  return loadConfigWithSources(schema, options).config
}

export type SettingSource = 'file' | 'env' | 'command line'

/** Like loadConfig, and says which fields somebody set (the rest are defaults). */
export function loadConfigWithSources<T extends TObject>(schema: T, options: LoadConfigOptions<T>): { config: Static<T>; setBy: Partial<Record<keyof Static<T> & string, SettingSource>> } {
  const env = options.env ?? process.env
  const problems: string[] = []
  const sources: string[] = ['defaults']
  const fileValues = options.file ? readFile(options.file) : {}
  if (options.file) sources.push(options.file)
  const known = Object.keys(schema.properties)
  for (const key of Object.keys(fileValues)) {
    if (!known.includes(key)) problems.push(`${key}: unknown setting in ${options.file} (known: ${known.join(', ')})`)
  }
  const envValues: Record<string, unknown> = {}
  for (const [alias, field] of Object.entries(options.envAliases ?? {})) {
    const raw = env[alias]
    if (raw !== undefined && raw !== '') envValues[field] = fromEnv(schema.properties[field] as TSchema, raw)
  }
  for (const field of known) {
    const raw = env[envName(options.envPrefix, field)]
    if (raw !== undefined && raw !== '') envValues[field] = fromEnv(schema.properties[field] as TSchema, raw)
  }
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined))
  const merged = Value.Default(schema, Value.Clone({ ...fileValues, ...envValues, ...overrides })) as Record<string, unknown>
  for (const error of Value.Errors(schema, merged)) {
    const field = error.path.replace(/^\//, '').replace(/\//g, '.') || '(root)'
    if (field.split('.')[0] && !known.includes(field.split('.')[0]!)) continue
    const top = field.split('.')[0]!
    const where = top in overrides ? 'command line' : top in envValues ? `env ${envName(options.envPrefix, top)}` : top in fileValues ? String(options.file) : 'default'
    problems.push(`${field}: ${error.message} (got ${JSON.stringify(error.value)} from ${where})`)
  }
  if (problems.length) throw new ConfigError([...new Set(problems)], sources.join(' + '))
  const setBy: Record<string, SettingSource> = {}
  for (const key of Object.keys(fileValues)) setBy[key] = 'file'
  for (const key of Object.keys(envValues)) setBy[key] = 'env'
  for (const key of Object.keys(overrides)) setBy[key] = 'command line'
  return { config: merged as Static<T>, setBy: setBy as Partial<Record<keyof Static<T> & string, SettingSource>> }
}

/** A copy with secrets replaced, for logging the effective configuration once at start-up. */
export function redact<T extends object>(config: T, secretKeys: RegExp = /password|secret|token|key|credential/i): T {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => {
      if (secretKeys.test(k) && v) return [k, '***']
      if (typeof v === 'string' && /^[a-z]+:\/\/[^/]*:[^@/]*@/i.test(v)) return [k, v.replace(/(\/\/[^/:]*:)[^@/]*@/, '$1***@')]
      return [k, v]
    }),
  ) as T
}
