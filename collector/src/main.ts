#!/usr/bin/env node
/**
 * `patrol-collector`: starts the collector. `--with-agent` also runs an agent for this machine in
 * the same process, which is what `pnpm start` does so a newcomer sees their own machine at once.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { Command, Option } from 'commander'
import { ConfigError, redact } from '@patrol/shared'
import { loadAgentConfig, resolveIdentity, startAgent, type RunningAgent } from '@patrol/agent'
import { INITIAL_PASSWORD_FILE } from './auth/bootstrap.js'
import { loadCollectorConfig } from './config.js'
import { startCollector } from './collector.js'
import { runMosquittoAcl } from './enrollment/cli.js'
import { createLogger } from './logger.js'
import { COLLECTOR_VERSION } from './version.js'

const int = (v: string) => Number.parseInt(v, 10)

const program = new Command('patrol-collector')
  .description('Receives agent and poller reports over MQTT, stores them, and serves the API.')
  .version(COLLECTOR_VERSION)
  .option('-c, --config <file>', 'config file (JSON or YAML)')
  .option('--database-url <url>', 'PostgreSQL/TimescaleDB (default: embedded, in the data folder)')
  .option('--mqtt-url <url>', 'MQTT broker (default: embedded)')
  .addOption(new Option('--port <port>', 'HTTP port').argParser(int))
  .option('--host <address>', 'listen address')
  .option('--data-dir <dir>', 'data folder')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
  .option('--with-agent', 'also run an agent reporting this machine')
  .addOption(new Option('--agent-interval <seconds>', 'interval of the local agent').argParser(int).default(60))
  .action(async (o: { config?: string; databaseUrl?: string; mqttUrl?: string; port?: number; host?: string; dataDir?: string; logLevel?: string; withAgent?: boolean; agentInterval: number }) => {
    const config = loadCollectorConfig({
      file: o.config,
      overrides: { databaseUrl: o.databaseUrl, mqttUrl: o.mqttUrl, port: o.port, host: o.host, dataDir: o.dataDir ? path.resolve(o.dataDir) : undefined, logLevel: o.logLevel as never },
    })
    const logger = createLogger(config.logLevel, 'collector')
    logger.debug({ config: redact(config) }, 'effective configuration')
    const collector = await startCollector(config, logger)
    let agent: RunningAgent | undefined
    if (o.withAgent) {
      const agentConfig = loadAgentConfig({
        env: {},
        overrides: {
          mqttUrl: collector.mqttUrl,
          // The embedded broker speaks MQTT 3.1.1: say so, rather than let the agent try 5 and step down with a warning.
          protocolVersion: config.mqttUrl ? undefined : 4,
          dataDir: path.join(config.dataDir, 'agent'),
          intervalS: o.agentInterval,
          topicPrefix: config.topicPrefix,
          logLevel: config.logLevel,
        },
      })
      // The embedded broker admits only credentials: the local agent gets an in-memory one, bound
      // to its own device like an enrolled agent's, valid until this process stops.
      if (collector.brokerAccess) {
        const { deviceId } = await resolveIdentity(agentConfig.dataDir, agentConfig.deviceId)
        const login = collector.brokerAccess.issueInternal('local-agent', { role: 'agent', customer: agentConfig.customer, site: agentConfig.site, device: deviceId })
        Object.assign(agentConfig, { mqttUsername: login.username, mqttPassword: login.password })
      }
      agent = await startAgent(agentConfig, { logger: logger.child({ name: 'agent' }), firstCycleDelayMs: 0 })
    }
    // The one line a newcomer reads: where to go and how to get in.
    const passwordFile = path.join(config.dataDir, INITIAL_PASSWORD_FILE)
    const signIn = existsSync(passwordFile) ? `sign in as admin, password in ${passwordFile}` : 'sign in with your account'
    logger.info(`patrol collector ready: open ${collector.url} and ${signIn}  (API docs: ${collector.url}/docs, MQTT: ${collector.mqttUrl})`)
    if (!process.stdout.isTTY) console.log(`patrol collector ready: ${collector.url} (${signIn})`)
    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      logger.info({ signal }, 'stopping')
      await agent?.stop().catch(() => undefined)
      await collector.close()
      process.exit(0)
    }
    process.once('SIGINT', () => void shutdown('SIGINT'))
    process.once('SIGTERM', () => void shutdown('SIGTERM'))
  })

program
  .command('mosquitto-acl')
  .description('write Mosquitto\'s passwd and acl files from the enrolled device credentials (deploy/mosquitto/)')
  .requiredOption('--out <dir>', 'folder of passwd, acl (and acl.local, appended)')
  .option('--collector-user <name>', 'the collector\'s broker account', 'collector')
  .addOption(new Option('--sighup <pid>', 'signal this Mosquitto process to reload').argParser(int))
  .action(async (o: { out: string; collectorUser: string; sighup?: number }) => {
    const { config, databaseUrl, dataDir } = program.opts<{ config?: string; databaseUrl?: string; dataDir?: string }>()
    await runMosquittoAcl({ ...o, config, databaseUrl, dataDir })
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(78)
  }
  process.stderr.write(`collector failed to start: ${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
