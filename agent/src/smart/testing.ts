/**
 * A stand-in smartctl for tests: answers `--scan` and `-x <device>` from recorded outputs, and
 * records the argument lists it was called with.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RunResult, Runner } from './smartctl.js'

export interface FakeSmartctl {
  runner: Runner
  calls: string[][]
}

/** `byDevice` maps `device` or `device -d type` to [stdout, exit code] (or a RunResult). */
export function fakeSmartctl(scan: string, byDevice: Record<string, [string, number] | RunResult>): FakeSmartctl {
  const calls: string[][] = []
  const runner: Runner = async (_file, args) => {
    calls.push(args)
    if (args.includes('--scan')) return { stdout: scan, stderr: '', exitCode: 0 }
    const device = args[args.length - 1]!
    const d = args.indexOf('-d')
    const key = d >= 0 ? `${device} -d ${args[d + 1]}` : device
    const answer = byDevice[key]
    if (!answer) return { stdout: '', stderr: `fake smartctl: nothing recorded for ${key}`, exitCode: 2 }
    return Array.isArray(answer) ? { stdout: answer[0], stderr: '', exitCode: answer[1] } : answer
  }
  return { runner, calls }
}

/** An executable file to pass as the smartctl path (findSmartctl checks it exists and can run). */
export async function dummyExecutable(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'patrol-smartctl-'))
  const file = path.join(dir, 'smartctl')
  await writeFile(file, '#!/bin/sh\nexit 0\n')
  await chmod(file, 0o755)
  return file
}
