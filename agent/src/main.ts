#!/usr/bin/env node
/**
 * The agent's command line: `run` (the service), `collect` (one cycle printed as JSON, no broker),
 * `doctor`, `install`/`uninstall`, `enroll`, and the engineer's tools registered by their own
 * modules (`smart`, `snmp`).
 */
import { Command, Option } from 'commander'
import { ConfigError, redact } from '@patrol/shared'
import { loadAgentConfig, type AgentConfig } from './config.js'
import { CycleRunner, startAgent } from './runtime.js'
import { COLLECTORS } from './collectors/index.js'
import { formatReport, runDoctor } from './doctor.js'
import { enroll } from './enroll.js'
import { resolveIdentity } from './identity.js'
import { describePlan, executePlan, installPlan, uninstallPlan } from './install/index.js'
import { currentLaunchCommand } from './install/launch.js'
import { readInventory, setInventoryReader } from './collectors/inventory.js'
import { INVENTORY_COMMAND, inventoryFromChildProcess } from './platform/inventory-process.js'
import { createLogger } from './logger.js'
import { registerSmartCommand } from './smart/cli.js'
import { AGENT_VERSION } from './version.js'

const int = (v: string) => Number.parseInt(v, 10)

const program = new Command('patrol-agent')
  .description('Reports this machine\'s health and inventory to a patrol collector over MQTT.')
  .version(AGENT_VERSION)
  .option('-c, --config <file>', 'config file (JSON or YAML)')
  .option('--mqtt-url <url>', 'broker URL, e.g. mqtt://collector:1883 or mqtts://…')
  .option('--ca-file <file>', 'CA certificate (PEM) for mqtts:// and https://')
  .option('--customer <id>', 'customer id')
  .option('--site <id>', 'site id')
  .option('--device-id <id>', 'fixed device id (default: derived from the hardware)')
  .addOption(new Option('--interval <seconds>', 'seconds between cycles').argParser(int))
  .option('--data-dir <dir>', 'identity, credentials and offline queue folder')
  .addOption(new Option('--spool-max-bytes <bytes>', 'bound of the offline queue').argParser(int))
  .option('--collector-url <url>', 'collector HTTP(S) URL, for enrollment')
  .option('--enroll-token <token>', 'site enrollment token (exchanged once for this device\'s credentials)')
  .option('--watch <services>', 'comma-separated services to watch, e.g. nginx,cron or Spooler', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--topic-prefix <prefix>', 'topic prefix (test isolation)')
  .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')

interface GlobalFlags {
  config?: string
  mqttUrl?: string
  caFile?: string
  customer?: string
  site?: string
  deviceId?: string
  interval?: number
  dataDir?: string
  spoolMaxBytes?: number
  collectorUrl?: string
  enrollToken?: string
  watch?: string[]
  topicPrefix?: string
  logLevel?: AgentConfig['logLevel']
}

function config(): AgentConfig {
  const o = program.opts<GlobalFlags>()
  return loadAgentConfig({
    file: o.config,
    overrides: {
      mqttUrl: o.mqttUrl,
      caFile: o.caFile,
      customer: o.customer,
      site: o.site,
      deviceId: o.deviceId,
      intervalS: o.interval,
      dataDir: o.dataDir,
      spoolMaxBytes: o.spoolMaxBytes,
      collectorUrl: o.collectorUrl,
      enrollToken: o.enrollToken,
      watchedServices: o.watch,
      topicPrefix: o.topicPrefix,
      logLevel: o.logLevel,
    },
  })
}

program
  .command('run', { isDefault: true })
  .description('run the agent until stopped')
  .action(async () => {
    const cfg = config()
    const logger = createLogger(cfg.logLevel)
    logger.info({ config: redact(cfg) }, 'effective configuration')
    setInventoryReader(inventoryFromChildProcess(await currentLaunchCommand()))
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

program
  .command('doctor')
  .description('check config, broker, data folder, SMART access and what each collector can read here; exit 1 when the broker is unreachable, 78 when the config is invalid')
  .addOption(new Option('--timeout <ms>', 'broker connect timeout').argParser(int).default(5000))
  .option('--json', 'print the checks as JSON')
  .action(async (options: { timeout: number; json?: boolean }) => {
    let cfg: AgentConfig
    try {
      cfg = config()
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      process.stdout.write(options.json ? `${JSON.stringify({ checks: [{ name: 'config', status: 'fail', detail: error.message }] })}\n` : `FAIL  config  ${error.message}\n`)
      process.exit(78)
    }
    const report = await runDoctor(cfg, { collectors: COLLECTORS, brokerTimeoutMs: options.timeout })
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report))
    process.exit(report.exitCode)
  })

program
  .command('install')
  .description('register the agent as a system service (systemd, Windows boot task, launchd) with the settings given now')
  .option('--dry-run', 'print the files and commands instead of carrying them out')
  .action(async (options: { dryRun?: boolean }) => {
    const cfg = config()
    const plan = await installPlan(cfg, { configFile: program.opts<GlobalFlags>().config })
    if (options.dryRun) return void process.stdout.write(describePlan(plan))
    await executePlan(plan, { log: (line) => process.stdout.write(`${line}\n`) })
  })

program
  .command('uninstall')
  .description('stop and unregister the service (the config and data folder are kept)')
  .option('--dry-run', 'print the commands instead of carrying them out')
  .action(async (options: { dryRun?: boolean }) => {
    const plan = uninstallPlan()
    if (options.dryRun) return void process.stdout.write(describePlan(plan))
    await executePlan(plan, { tolerateCommandFailures: true, log: (line) => process.stdout.write(`${line}\n`) })
  })

program
  .command('enroll')
  .description('exchange the enrollment token (--enroll-token) for this device\'s credentials at --collector-url now')
  .action(async () => {
    const cfg = config()
    const identity = await resolveIdentity(cfg.dataDir, cfg.deviceId)
    const credentials = await enroll(cfg, identity.deviceId)
    process.stdout.write(`enrolled as ${credentials.deviceId} (MQTT user ${credentials.mqttUsername}); credentials stored in ${cfg.dataDir}\n`)
  })

// Internal: the inventory reading, for the running agent's child process (see inventory-process.ts).
program
  .command(INVENTORY_COMMAND, { hidden: true })
  .action(async () => {
    process.stdout.write(JSON.stringify(await readInventory()))
  })

registerSmartCommand(program)

/**
 * The SNMP tools (and net-snmp, ~4 MB of the agent's resident memory) are loaded only when asked
 * for: the service itself never polls SNMP. `--help` lists them through a placeholder.
 */
async function registerSnmp(): Promise<void> {
  if (process.argv.slice(2).includes('snmp')) {
    const { registerSnmpCommands } = await import('./snmp/cli.js')
    registerSnmpCommands(program)
  } else {
    program.command('snmp').description('poll and discover SNMP devices (printers, switches, UPSs, servers); see `snmp --help`')
  }
}

registerSnmp()
  .then(() => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  })
