#!/usr/bin/env node
/**
 * The agent's command line: `run` (the service), `collect` (one cycle printed as JSON, no broker),
 * and the engineer's tools registered by their own modules.
 */
import { Command, Option } from 'commander'
import pino from 'pino'
import { ConfigError, redact } from '@patrol/shared'
import { loadAgentConfig, type AgentConfig } from './config.js'
import { CycleRunner, startAgent } from './runtime.js'
import { COLLECTORS } from './collectors/index.js'
import { resolveIdentity } from './identity.js'
import { AGENT_VERSION } from './version.js'

const program = new Command('patrol-agent')
  .description('Reports this machine\'s health and inventory to a patrol collector over MQTT.')
  .version(AGENT_VERSION)
  .option('-c, --config <file>', 'config file (JSON or YAML)')
  .option('--mqtt-url <url>', 'broker URL, e.g. mqtt://collector:1883 or mqtts://…')
  .option('--customer <id>', 'customer id')
  .option('--site <id>', 'site id')
  .option('--device-id <id>', 'fixed device id (default: derived from the hardware)')
  .addOption(new Option('--interval <seconds>', 'seconds between cycles').argParser((v) => Number.parseInt(v, 10)))
  .option('--data-dir <dir>', 'identity and queue folder')
  .option('--topic-prefix <prefix>', 'topic prefix (test isolation)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')

function config(): AgentConfig {
  const o = program.opts<{ config?: string; mqttUrl?: string; customer?: string; site?: string; deviceId?: string; interval?: number; dataDir?: string; topicPrefix?: string; logLevel?: AgentConfig['logLevel'] }>()
  return loadAgentConfig({
    file: o.config,
    overrides: { mqttUrl: o.mqttUrl, customer: o.customer, site: o.site, deviceId: o.deviceId, intervalS: o.interval, dataDir: o.dataDir, topicPrefix: o.topicPrefix, logLevel: o.logLevel },
  })
}

program
  .command('run', { isDefault: true })
  .description('run the agent until stopped')
  .action(async () => {
    const cfg = config()
    const logger = pino({ level: cfg.logLevel, name: 'agent' })
    logger.info({ config: redact(cfg) }, 'effective configuration')
    const agent = await startAgent(cfg, { logger })
    const shutdown = async (signal: string) => {
      logger.info({ signal }, 'stopping')
      await agent.stop()
      process.exit(0)
    }
    process.once('SIGINT', () => void shutdown('SIGINT'))
    process.once('SIGTERM', () => void shutdown('SIGTERM'))
  })

program
  .command('collect')
  .description('take one full set of readings and print the messages as JSON, without a broker')
  .action(async () => {
    const cfg = config()
    const identity = await resolveIdentity(cfg.dataDir, cfg.deviceId)
    const result = await new CycleRunner(identity.deviceId, COLLECTORS, { watchedServices: cfg.watchedServices }).run(Date.now(), { all: true })
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(78) // EX_CONFIG
  }
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
