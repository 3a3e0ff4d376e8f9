/**
 * What the browser tests share: a real collector (embedded or on the real servers, see
 * test/support/targets.ts) serving the built console, an agent for this machine in the same
 * process (as `pnpm start` runs it), Debian's chromium through playwright-core, and full-page
 * screenshots under test/e2e/screenshots/ for a person to look at.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { chromium, type Browser, type Page } from 'playwright-core'
import { loadAgentConfig, startAgent, type RunningAgent } from '@patrol/agent'
import { buildTopic } from '@patrol/shared'
import type { RunningCollector } from '@patrol/collector'
import { CONSOLE_DIST } from '../../../collector/src/api/routes/console.js'
import { REPO_ROOT, requirePeer } from '../../support/peers.js'
import { makeTarget, startTestCollector, type TargetName } from '../../support/targets.js'

export const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = path.join(REPO_ROOT, 'test/e2e/screenshots')

export function browserPeers() {
  const consoleBuilt = requirePeer('the built console (console/dist)', existsSync(path.join(CONSOLE_DIST, 'index.html')), 'run pnpm console:build (pnpm test:e2e does)')
  const browser = requirePeer(`chromium at ${CHROMIUM}`, existsSync(CHROMIUM), 'apt-get install -y chromium fonts-noto-cjk')
  return { available: consoleBuilt.available && browser.available }
}

export interface Stack {
  collector: RunningCollector
  agent: RunningAgent | undefined
  /** The device id the local agent reports as. */
  localDevice: string
  url: string
  stop(): Promise<void>
}

interface BrokerAccessLike {
  issueInternal(name: string, grant: { role: 'agent'; customer: string; site: string; device: string }): { username: string; password: string }
}

/**
 * A collector on `target` with customers acme ("ACME 精密制造", under contract) and beta, and (optionally) an agent
 * for this machine reporting every 5 s as a device of acme/hq, exactly as `pnpm start --with-agent`
 * runs it (an in-memory broker login bound to its device when the embedded broker wants one).
 */
export async function startStack(targetName: TargetName, { withAgent = true } = {}): Promise<Stack> {
  const target = makeTarget(targetName)
  const config = await target.config()
  const collector = await startTestCollector(config)
  const db = collector.db
  await db.query(`insert into customer (id, name, language) values ('acme', 'ACME 精密制造', 'zh-CN'), ('beta', 'Beta Logistics', 'en') on conflict (id) do nothing`)
  await db.query(`insert into site (customer_id, id, name) values ('acme', 'hq', '总部'), ('beta', 'main', 'Main warehouse') on conflict do nothing`)
  // acme has a 24x7 contract, so its tickets carry SLA deadlines (an L2 response within 30 minutes).
  const targets = { L1: [15, 120, 240], L2: [30, 240, 480], L3: [120, 480, 1440], L4: [480, 1440, 4320] }
  await db.query(
    `insert into contract (id, customer_id, name, valid_from, valid_to, calendar, targets) values ('acme-care', 'acme', 'ACME 全保服务', current_date - 30, current_date + 365, $1::jsonb, $2::jsonb)`,
    [JSON.stringify({ kind: '24x7' }), JSON.stringify(Object.fromEntries(Object.entries(targets).map(([level, [responseMin, onsiteMin, resolveMin]]) => [level, { responseMin, onsiteMin, resolveMin }])))],
  )
  const localDevice = `local-${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}`
  let agent: RunningAgent | undefined
  if (withAgent) {
    const agentConfig = loadAgentConfig({
      env: {},
      overrides: {
        mqttUrl: collector.mqttUrl,
        protocolVersion: config.mqttUrl ? undefined : 4,
        dataDir: await mkdtemp(path.join(os.tmpdir(), 'patrol-browser-agent-')),
        intervalS: 5,
        topicPrefix: config.topicPrefix,
        customer: 'acme',
        site: 'hq',
        deviceId: localDevice,
        logLevel: 'silent',
      },
    })
    const access = (collector as { brokerAccess?: BrokerAccessLike }).brokerAccess
    if (access) {
      const login = access.issueInternal('browser-test-agent', { role: 'agent', customer: 'acme', site: 'hq', device: localDevice })
      Object.assign(agentConfig, { mqttUsername: login.username, mqttPassword: login.password })
    }
    agent = await startAgent(agentConfig, { firstCycleDelayMs: 0 })
  }
  return {
    collector,
    agent,
    localDevice,
    url: collector.url,
    async stop() {
      await agent?.stop().catch(() => undefined)
      await collector.close()
      await target.cleanup()
    },
  }
}

/** One batch through the collector's real ingest path (decode, validate, store, rules, tickets), as the MQTT subscriber hands it over. */
export async function ingest(collector: RunningCollector, where: { customer: string; site: string; device: string }, kind: 'metrics' | 'inventory' | 'event', body: Record<string, unknown>) {
  const topic = buildTopic({ ...where, kind }, collector.ingest.options.topicPrefix)
  await collector.ingest.handle(topic, Buffer.from(JSON.stringify({ v: 1, batchId: randomUUID(), deviceId: where.device, kind, ...body })))
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'] })
}

/** A full-page screenshot as test/e2e/screenshots/<scenario>-<page>.png (embedded target only: one set of pictures). */
export async function shot(page: Page, target: TargetName, scenario: string, name: string): Promise<void> {
  if (target !== 'embedded') return
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOTS, `${scenario}-${name}.png`), fullPage: true })
}

/** Signs in through the console's login form. */
export async function login(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url)
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('form button[type=submit]').click()
  try {
    await page.locator('[data-testid=who]').waitFor({ timeout: 30_000 })
  } catch (error) {
    const shown = await page.locator('.error').allTextContents()
    throw new Error(`sign-in as ${username} did not reach the console${shown.length ? `; the page says: ${shown.join(' / ')}` : ''}`, { cause: error })
  }
}
