#!/usr/bin/env node
// Builds the console when console/dist is missing or older than its sources; does nothing (in a
// few milliseconds) when it is up to date. `pnpm start` and `pnpm test:e2e` run it first, so a
// fresh checkout serves the console without a separate step and an edit is never served stale.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const built = path.join(here, 'dist', 'index.html')
const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(here, p))

function newest(p) {
  const s = statSync(p, { throwIfNoEntry: false })
  if (!s) return 0
  if (!s.isDirectory()) return s.mtimeMs
  return Math.max(s.mtimeMs, ...readdirSync(p).map((name) => newest(path.join(p, name))))
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0
const force = process.argv.includes('--force')
if (!force && builtAt && builtAt >= Math.max(...sources.map(newest))) process.exit(0)
console.log(builtAt ? 'console: sources changed, rebuilding console/dist' : 'console: console/dist is missing, building it')
const result = spawnSync('pnpm', ['--filter', '@patrol/console', 'build'], { cwd: path.join(here, '..'), stdio: 'inherit' })
if (result.error) {
  console.error(`console: could not run pnpm: ${result.error.message}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
