/**
 * `agent doctor`: what an engineer runs on a customer's machine when the agent does not report:
 * is the config valid, can it reach the broker, can it write its data folder, can it read the
 * disks' SMART data (root), and what each collector can and cannot read here.
 * Exit status: 0 all good or only warnings, 1 broker unreachable, 78 config invalid.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { connectMqtt, waitForConnect } from '@patrol/shared'
import type { AgentConfig } from './config.js'
import type { Collector } from './collectors/collector.js'
import { CycleRunner } from './runtime.js'
import { checkSmartAccess } from './smart/smartctl.js'
import { credentialsFile } from './enroll.js'
import { redactUrl } from './transport/publisher.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'n/a'

export interface Check {
  name: string
  status: CheckStatus
  detail: string
}

export interface DoctorReport {
  checks: Check[]
  exitCode: number
}

export async function checkBroker(config: AgentConfig, timeoutMs: number): Promise<Check> {
  const started = Date.now()
  let password = config.mqttPassword
  let username = config.mqttUsername
  if (!username) {
    try {
      const stored = JSON.parse(readFileSync(credentialsFile(config.dataDir), 'utf8')) as { mqttUsername?: string; mqttPassword?: string }
      username = stored.mqttUsername
      password = stored.mqttPassword
    } catch {
      // not enrolled: anonymous
    }
  }
  let lastError: string | undefined
  const client = connectMqtt(config.mqttUrl, {
    protocolVersion: config.protocolVersion,
    clientId: `patrol-doctor-${randomUUID().slice(0, 8)}`,
    username,
    password,
    ca: config.caFile ? readFileSync(config.caFile) : undefined,
    connectTimeout: timeoutMs,
  })
  client.on('error', (error) => (lastError = error.message))
  try {
    await waitForConnect(client, timeoutMs)
    return { name: 'broker', status: 'ok', detail: `connected to ${redactUrl(config.mqttUrl)} in ${Date.now() - started} ms (MQTT ${client.options.protocolVersion === 5 ? '5' : '3.1.1'}${username ? `, user ${username}` : ', anonymous'})` }
  } catch (error) {
    return { name: 'broker', status: 'fail', detail: `cannot connect to ${redactUrl(config.mqttUrl)} within ${timeoutMs} ms: ${lastError ?? (error as Error).message}` }
  } finally {
    await client.endAsync(true).catch(() => undefined)
  }
}

export async function checkDataDir(dataDir: string): Promise<Check> {
  const probe = path.join(dataDir, `.doctor-${process.pid}`)
  try {
    await mkdir(path.join(dataDir, 'spool'), { recursive: true })
    await writeFile(probe, 'ok')
    await rm(probe)
    return { name: 'data folder', status: 'ok', detail: `${dataDir} is writable` }
  } catch (error) {
    return { name: 'data folder', status: 'fail', detail: `${dataDir} is not writable: ${(error as Error).message} (identity and the offline queue live there)` }
  }
}

export async function checkSmart(): Promise<Check> {
  const access = await checkSmartAccess()
  const root = process.platform === 'win32' ? '' : process.getuid?.() === 0 ? ', running as root' : ', NOT running as root'
  if (access.ok && !access.problem) return { name: 'smart', status: 'ok', detail: `${access.disks} disk(s) readable via ${access.smartctl ?? access.source}${root}` }
  if (access.disks === 0 && !access.problem) return { name: 'smart', status: 'n/a', detail: `no physical disks found${root}` }
  return { name: 'smart', status: 'warn', detail: `${access.problem ?? 'no disk readable'}${root}` }
}

/** Runs each collector once, alone, and says what it can read here. */
export async function checkCollectors(collectors: readonly Collector[], config: AgentConfig): Promise<Check[]> {
  const runner = new CycleRunner('dev-doctor', collectors, { watchedServices: config.watchedServices })
  const { batch } = await runner.run(Date.now(), { all: true })
  return (batch.collectors ?? []).map((outcome) => {
    const notApplicable = outcome.error?.startsWith('not applicable: ')
    return {
      name: `collector ${outcome.name}`,
      status: !outcome.ok ? 'fail' : notApplicable ? 'n/a' : 'ok',
      detail: `${outcome.error ? outcome.error.replace(/^not applicable: /, '') : 'reads here'} (${Math.round(outcome.durationMs)} ms)`,
    } satisfies Check
  })
}

export async function runDoctor(config: AgentConfig, options: { collectors: readonly Collector[]; brokerTimeoutMs?: number }): Promise<DoctorReport> {
  const checks: Check[] = [{ name: 'config', status: 'ok', detail: `valid; device ${config.deviceId ?? '(derived from the hardware)'}, customer ${config.customer}, site ${config.site}, every ${config.intervalS} s` }]
  const [broker, dataDir, smart, collectorChecks] = await Promise.all([
    checkBroker(config, options.brokerTimeoutMs ?? 5000),
    checkDataDir(config.dataDir),
    checkSmart(),
    checkCollectors(options.collectors, config),
  ])
  checks.push(broker, dataDir, smart, ...collectorChecks)
  const exitCode = broker.status === 'fail' ? 1 : 0
  return { checks, exitCode }
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', 'n/a': 'n/a ' }

export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length))
  return `${report.checks.map((c) => `${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`).join('\n')}\n`
}
