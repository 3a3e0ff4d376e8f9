/**
 * `agent install` / `agent uninstall`: a plan of files to write and commands to run for this OS
 * (systemd, a Windows boot task, launchd), printed by --dry-run or carried out. The plan is data
 * so it can be shown, tested and checked (systemd-analyze verify) without touching the machine.
 */
import { execFile } from 'node:child_process'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { loadAgentConfig, type AgentConfig } from '../config.js'
import { currentLaunchCommand, type LaunchCommand } from './launch.js'
import { LAUNCHD_LABEL, LAUNCHD_PLIST_PATH, launchdPlist } from './launchd.js'
import { SYSTEMD_UNIT_NAME, SYSTEMD_UNIT_PATH, systemdUnit } from './systemd.js'
import { WINDOWS_TASK_NAME, windowsTaskXml } from './windows.js'

export type ServicePlatform = 'linux' | 'win32' | 'darwin'

export interface PlannedFile {
  path: string
  content: string
  mode: number
  encoding?: 'utf8' | 'utf16le'
}

export interface InstallPlan {
  platform: ServicePlatform
  files: PlannedFile[]
  /** Files and folders removed (uninstall). */
  removals: string[]
  commands: string[][]
}

const WINDOWS_DIR = path.win32.join(process.env.ProgramData ?? 'C:\\ProgramData', 'patrol-agent')

export const SERVICE_PATHS: Record<ServicePlatform, { configFile: string; dataDir: string; logFile?: string }> = {
  linux: { configFile: '/etc/patrol-agent/agent.json', dataDir: '/var/lib/patrol-agent' },
  win32: { configFile: path.win32.join(WINDOWS_DIR, 'agent.json'), dataDir: WINDOWS_DIR },
  darwin: { configFile: '/Library/Application Support/patrol-agent/agent.json', dataDir: '/Library/Application Support/patrol-agent', logFile: '/Library/Logs/patrol-agent.log' },
}

export function servicePlatform(platform: NodeJS.Platform = process.platform): ServicePlatform {
  if (platform === 'linux' || platform === 'win32' || platform === 'darwin') return platform
  throw new Error(`agent install supports Linux (systemd), Windows and macOS (launchd), not ${platform}`)
}

/** The settings the service runs with: what differs from the defaults, and the service's data folder. */
export function serviceConfig(config: AgentConfig, platform: ServicePlatform): Record<string, unknown> {
  const defaults = loadAgentConfig({ env: {} }) as Record<string, unknown>
  const explicit = Object.fromEntries(
    Object.entries(config).filter(([key, value]) => key !== 'dataDir' && JSON.stringify(value) !== JSON.stringify(defaults[key])),
  )
  return { ...explicit, dataDir: SERVICE_PATHS[platform].dataDir }
}

export async function installPlan(
  config: AgentConfig,
  options: { platform?: ServicePlatform; configFile?: string; launch?: LaunchCommand } = {},
): Promise<InstallPlan> {
  const platform = options.platform ?? servicePlatform()
  const launch = options.launch ?? (await currentLaunchCommand())
  const paths = SERVICE_PATHS[platform]
  const files: PlannedFile[] = []
  // An explicit --config is used in place; otherwise the settings given now are written for the service
  // (0600: it may hold the MQTT password or the enrollment token).
  const configFile = options.configFile ? path.resolve(options.configFile) : paths.configFile
  if (!options.configFile) files.push({ path: configFile, content: `${JSON.stringify(serviceConfig(config, platform), null, 2)}\n`, mode: 0o600 })
  const commands: string[][] = []
  if (platform === 'linux') {
    files.push({ path: SYSTEMD_UNIT_PATH, content: systemdUnit(launch, { configFile, dataDir: paths.dataDir }), mode: 0o644 })
    commands.push(['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', SYSTEMD_UNIT_NAME])
  } else if (platform === 'win32') {
    const xml = path.win32.join(WINDOWS_DIR, 'patrol-agent-task.xml')
    // schtasks wants the encoding the XML declares: UTF-16 with a byte-order mark.
    files.push({ path: xml, content: `\ufeff${windowsTaskXml(launch, { configFile })}`, mode: 0o644, encoding: 'utf16le' })
    commands.push(['schtasks.exe', '/Create', '/TN', WINDOWS_TASK_NAME, '/XML', xml, '/F'], ['schtasks.exe', '/Run', '/TN', WINDOWS_TASK_NAME])
  } else {
    files.push({ path: LAUNCHD_PLIST_PATH, content: launchdPlist(launch, { configFile, logFile: paths.logFile! }), mode: 0o644 })
    commands.push(['launchctl', 'bootstrap', 'system', LAUNCHD_PLIST_PATH])
  }
  return { platform, files, removals: [], commands }
}

/** Stops and unregisters the service; the config and the data folder (identity, queue) are kept. */
export function uninstallPlan(platform: ServicePlatform = servicePlatform()): InstallPlan {
  if (platform === 'linux') {
    return { platform, files: [], removals: [SYSTEMD_UNIT_PATH], commands: [['systemctl', 'disable', '--now', SYSTEMD_UNIT_NAME], ['systemctl', 'daemon-reload']] }
  }
  if (platform === 'win32') {
    return { platform, files: [], removals: [path.win32.join(WINDOWS_DIR, 'patrol-agent-task.xml')], commands: [['schtasks.exe', '/End', '/TN', WINDOWS_TASK_NAME], ['schtasks.exe', '/Delete', '/TN', WINDOWS_TASK_NAME, '/F']] }
  }
  return { platform, files: [], removals: [LAUNCHD_PLIST_PATH], commands: [['launchctl', 'bootout', `system/${LAUNCHD_LABEL}`]] }
}

export function describePlan(plan: InstallPlan): string {
  const parts: string[] = []
  for (const file of plan.files) parts.push(`# write ${file.path} (mode ${file.mode.toString(8)})\n${file.content.replace(/^\ufeff/, '')}`)
  for (const removal of plan.removals) parts.push(`# remove ${removal}`)
  for (const command of plan.commands) parts.push(`# run\n${command.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`)
  return `${parts.join('\n')}\n`
}

const execFileAsync = promisify(execFile)

/**
 * Carries a plan out. Uninstall commands may fail on a service already gone; install commands may
 * not. Needs root (Administrator on Windows).
 */
export async function executePlan(plan: InstallPlan, options: { tolerateCommandFailures?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  const log = options.log ?? (() => undefined)
  if (plan.platform !== 'win32' && process.getuid?.() !== 0) throw new Error('installing a system service needs root: run it with sudo (or use --dry-run to see what it would do)')
  for (const file of plan.files) {
    await mkdir(path.dirname(file.path), { recursive: true })
    await writeFile(file.path, file.content, { encoding: file.encoding ?? 'utf8', mode: file.mode })
    await chmod(file.path, file.mode)
    log(`wrote ${file.path}`)
  }
  for (const command of plan.commands) {
    try {
      await execFileAsync(command[0]!, command.slice(1), { timeout: 60_000 })
      log(`ran ${command.join(' ')}`)
    } catch (error) {
      const e = error as Error & { stderr?: string }
      const message = `${command.join(' ')} failed: ${(e.stderr || e.message).trim()}`
      if (!options.tolerateCommandFailures) throw new Error(message)
      log(`${message} (ignored)`)
    }
  }
  for (const removal of plan.removals) {
    await rm(removal, { force: true })
    log(`removed ${removal}`)
  }
}
