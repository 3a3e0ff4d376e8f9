/**
 * `agent smart`: disk health and verdict as JSON, for an engineer, from a smartctl output file
 * (taken on a machine without an agent) or by running smartctl here.
 *
 * Exit codes, so scripts can act on the result:
 *   0  every disk healthy or unknown (unknown: no SMART data to judge, never a failure)
 *   1  at least one disk warning
 *   2  at least one disk failing
 *   3  nothing to judge: the file is unreadable or not JSON, smartctl is missing or broke
 * (Option mistakes are reported by commander, which exits 1.)
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { assessDiskHealth, deniedPermission, parseSmartctl, type DiskHealth, type DiskHealthSource, type Verdict } from '@patrol/shared'
import { execRunner, findSmartctl, PERMISSION_HINT, readAllDisks, readDisk, type Runner } from './smartctl.js'

export interface SmartReport {
  device: string
  source: DiskHealthSource
  health: DiskHealth
  verdict: Verdict['verdict']
  reasons: string[]
}

export interface SmartCommandOptions {
  jsonFile?: string
  device?: string
  type?: string
  smartctl?: string
}

export interface SmartCommandIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  runner?: Runner
  /** Reads `--json-file`; `-` is standard input. */
  readInput?: (file: string) => Promise<string>
}

export const EXIT = { ok: 0, warning: 1, failing: 2, error: 3 } as const

export class SmartInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SmartInputError'
  }
}

const defaultIo: SmartCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
  return readFile(file, 'utf8')
}

function report(health: DiskHealth): SmartReport {
  const { verdict, reasons } = assessDiskHealth(health)
  return { device: health.device, source: health.source, health, verdict, reasons }
}

export function exitCodeFor(reports: SmartReport[]): number {
  if (reports.some((r) => r.verdict === 'failing')) return EXIT.failing
  if (reports.some((r) => r.verdict === 'warning')) return EXIT.warning
  return EXIT.ok
}

/** Parses one smartctl JSON file into a report; unreadable or non-JSON input is a SmartInputError. */
export async function reportFromFile(file: string, read: (file: string) => Promise<string> = readInput): Promise<SmartReport> {
  let text: string
  try {
    text = await read(file)
  } catch (error) {
    throw new SmartInputError(`cannot read ${file}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    const hint = text.trimStart().startsWith('smartctl') ? ' (this looks like smartctl text output: run smartctl with --json)' : ''
    throw new SmartInputError(`${file} is not valid JSON${hint}: ${(error as Error).message}`)
  }
  return report(parseSmartctl(json, file))
}

/** Runs the command; returns the exit code instead of exiting, so it can be tested and reused. */
export async function runSmartCommand(options: SmartCommandOptions, io: SmartCommandIo = defaultIo): Promise<number> {
  try {
    if (options.type && !options.device) throw new SmartInputError('--type applies to --device; give both')
    if (options.jsonFile && options.device) throw new SmartInputError('give either --json-file or --device, not both')
    let output: SmartReport | SmartReport[]
    if (options.jsonFile) {
      output = await reportFromFile(options.jsonFile, io.readInput)
    } else if (options.device) {
      const smartctl = await findSmartctl(options.smartctl)
      if (!smartctl) throw new SmartInputError('smartctl not found: install smartmontools (apt-get install smartmontools), or pass --json-file')
      output = report(await readDisk(smartctl, { name: options.device, type: options.type }, io.runner ?? execRunner))
    } else {
      const { disks } = await readAllDisks({ smartctlPath: options.smartctl, runner: io.runner })
      output = disks.map(report)
    }
    const reports = Array.isArray(output) ? output : [output]
    io.stdout(`${JSON.stringify(output, null, 2)}\n`)
    if (reports.some((r) => deniedPermission(r.health))) {
      io.stderr(`warning: ${PERMISSION_HINT}\n`)
    }
    return exitCodeFor(reports)
  } catch (error) {
    io.stderr(`agent smart: ${(error as Error).message}\n`)
    return EXIT.error
  }
}

export function registerSmartCommand(program: Command, io: SmartCommandIo = defaultIo): Command {
  return program
    .command('smart')
    .description(
      'print disk health and the SMART verdict (healthy, warning, failing, unknown) as JSON; exit 0 healthy/unknown, 1 warning, 2 failing, 3 could not read',
    )
    .option('--json-file <path>', 'judge a saved `smartctl --json -x` output instead of this machine (- for stdin)')
    .option('--device <path>', 'run smartctl on this device only, e.g. /dev/sda')
    .option('--type <type>', 'smartctl -d type for --device, e.g. sat, nvme, megaraid,0')
    .option('--smartctl <path>', 'smartctl to use (default: PATH, then /usr/sbin and the usual places)')
    .action(async (options: SmartCommandOptions) => {
      process.exitCode = await runSmartCommand(options, io)
    })
}
