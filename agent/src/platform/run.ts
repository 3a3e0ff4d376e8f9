/**
 * Running a command for a collector: no shell (arguments are passed as they are, so a service
 * name from remote configuration cannot inject anything), a timeout, bounded output, and an
 * error that says which command failed and how.
 */
import { execFile } from 'node:child_process'

export interface RunResult {
  stdout: string
  stderr: string
  /** Exit status; commands like `systemctl is-active` answer through it. */
  code: number
}

export class CommandMissing extends Error {
  constructor(readonly command: string) {
    super(`${command} is not installed or not on PATH`)
    this.name = 'CommandMissing'
  }
}

export function run(command: string, args: readonly string[], options: { timeoutMs?: number; maxBytes?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 10_000, maxBuffer: options.maxBytes ?? 8 * 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, code: 0 })
        const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string }
        if (e.code === 'ENOENT') return reject(new CommandMissing(command))
        if (e.killed || e.signal) return reject(new Error(`${command} ${args.join(' ')} was stopped (${e.signal ?? 'timeout'}) after ${options.timeoutMs ?? 10_000} ms`))
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code })
        reject(new Error(`${command} failed: ${e.message}`))
      },
    )
  })
}
