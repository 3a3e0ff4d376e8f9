/**
 * Enrollment: a new agent holds only its site's enrollment token; it exchanges it once with the
 * collector for its own MQTT credentials, keeps them in dataDir/credentials.json (mode 0600),
 * and from then on never needs the token again.
 *
 *   POST {collectorUrl}/api/enroll  {"token", "deviceId", "hostname", "customer", "site"}
 *   200 → {"deviceId", "mqttUsername", "mqttPassword", "customer", "site"}
 *
 * The token decides the customer and site: the collector binds the credentials to the token's,
 * whatever this agent's configuration says, and answers with them; the agent then reports under
 * those (its broker account may publish nowhere else). A collector without the endpoint, or one
 * that refuses, is logged and the agent carries on with the configured (or no) credentials.
 * Neither the token nor the password is ever logged.
 */
import { readFileSync } from 'node:fs'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import path from 'node:path'
import type { Logger } from 'pino'
import { isValidId } from '@patrol/shared'
import type { AgentConfig } from './config.js'

export interface Credentials {
  deviceId?: string
  mqttUsername?: string
  mqttPassword?: string
  /** The customer and site the collector bound the credentials to (enrolled credentials only). */
  customer?: string
  site?: string
  source: 'config' | 'enrolled' | 'none'
}

export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, 'credentials.json')
}

export class EnrollmentError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EnrollmentError'
  }
}

async function readStored(dataDir: string): Promise<Credentials | undefined> {
  try {
    const stored = JSON.parse(await readFile(credentialsFile(dataDir), 'utf8')) as Record<string, unknown>
    if (typeof stored.mqttUsername === 'string' && typeof stored.mqttPassword === 'string') {
      return {
        mqttUsername: stored.mqttUsername,
        mqttPassword: stored.mqttPassword,
        ...(typeof stored.deviceId === 'string' && isValidId(stored.deviceId) ? { deviceId: stored.deviceId } : {}),
        ...boundTo(stored),
        source: 'enrolled',
      }
    }
  } catch {
    // not enrolled yet
  }
  return undefined
}

/**
 * The MQTT credentials to use: explicitly configured ones win; else those from an earlier
 * enrollment; else enroll now if a token and the collector URL are configured.
 */
export async function resolveCredentials(config: AgentConfig, deviceId: string, logger: Logger): Promise<Credentials> {
  if (config.mqttUsername) return { mqttUsername: config.mqttUsername, mqttPassword: config.mqttPassword, source: 'config' }
  const stored = await readStored(config.dataDir)
  if (stored) return stored
  if (config.enrollToken && config.collectorUrl) {
    try {
      const enrolled = await enroll(config, deviceId)
      logger.info({ deviceId: enrolled.deviceId, username: enrolled.mqttUsername }, 'enrolled with the collector')
      return enrolled
    } catch (error) {
      logger.error({ err: (error as Error).message, collectorUrl: config.collectorUrl }, 'enrollment failed; continuing without device credentials, will retry at the next start')
    }
  }
  return { source: 'none' }
}

/** Exchanges the enrollment token for credentials and stores them (0600). */
export async function enroll(config: Pick<AgentConfig, 'collectorUrl' | 'enrollToken' | 'dataDir' | 'caFile' | 'customer' | 'site'>, deviceId: string, timeoutMs = 15_000): Promise<Credentials> {
  if (!config.collectorUrl || !config.enrollToken) throw new EnrollmentError('enrollment needs collectorUrl and enrollToken')
  const url = new URL('api/enroll', config.collectorUrl.endsWith('/') ? config.collectorUrl : `${config.collectorUrl}/`)
  const body = JSON.stringify({ token: config.enrollToken, deviceId, hostname: os.hostname(), customer: config.customer, site: config.site })
  const response = await postJson(url, body, { timeoutMs, ca: config.caFile ? readFileSync(config.caFile) : undefined })
  if (response.status !== 200) {
    // The answer may quote the token back; it ends up in a log line, so never with the token in it.
    const text = response.text.slice(0, 200).split(config.enrollToken).join('***')
    throw new EnrollmentError(`collector refused enrollment at ${url.origin}${url.pathname}: HTTP ${response.status} ${text}`)
  }
  let answer: Record<string, unknown>
  try {
    answer = JSON.parse(response.text) as Record<string, unknown>
  } catch {
    throw new EnrollmentError(`collector answered enrollment with something that is not JSON (${response.text.slice(0, 80)})`)
  }
  const { mqttUsername, mqttPassword } = answer
  const assigned = typeof answer.deviceId === 'string' ? answer.deviceId : deviceId
  if (typeof mqttUsername !== 'string' || typeof mqttPassword !== 'string' || !isValidId(assigned)) {
    throw new EnrollmentError('collector answered enrollment without deviceId, mqttUsername and mqttPassword')
  }
  const credentials: Credentials = { deviceId: assigned, mqttUsername, mqttPassword, ...boundTo(answer), source: 'enrolled' }
  await storeCredentials(config.dataDir, credentials)
  return credentials
}

/** customer and site, when both are valid ids (older collectors answer without them). */
function boundTo(record: Record<string, unknown>): { customer?: string; site?: string } {
  const { customer, site } = record
  return typeof customer === 'string' && typeof site === 'string' && isValidId(customer) && isValidId(site) ? { customer, site } : {}
}

async function storeCredentials(dataDir: string, credentials: Credentials): Promise<void> {
  await mkdir(dataDir, { recursive: true })
  const file = credentialsFile(dataDir)
  const temporary = `${file}.tmp`
  const { source: _source, ...stored } = credentials
  // Created 0600 from the start: the password is never readable by others, not even briefly.
  await writeFile(temporary, JSON.stringify({ ...stored, enrolledAt: new Date().toISOString() }, null, 2), { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, file)
}

function postJson(url: URL, body: string, options: { timeoutMs: number; ca?: Buffer | undefined }): Promise<{ status: number; text: string }> {
  const transport = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: options.timeoutMs, ...(options.ca ? { ca: options.ca } : {}) },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
        response.on('error', reject)
      },
    )
    request.on('timeout', () => request.destroy(new EnrollmentError(`collector did not answer enrollment within ${options.timeoutMs} ms`)))
    request.on('error', (error) => reject(new EnrollmentError(`cannot reach the collector for enrollment at ${url.origin}: ${error.message}`)))
    request.end(body)
  })
}
