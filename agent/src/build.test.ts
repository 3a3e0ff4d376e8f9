/** The single-file build runs on its own: version, and one full collection cycle. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validateMessage } from '@patrol/shared'
import { REPO_ROOT } from '../../test/support/peers.js'

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'patrol-build-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

describe('single-file build (agent/dist/patrol-agent.cjs)', () => {
  it('bundles every dependency and collects a valid batch with plain node', () => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'agent/build.mjs')], { cwd: path.join(REPO_ROOT, 'agent'), stdio: 'pipe' })
    const bundle = path.join(REPO_ROOT, 'agent/dist/patrol-agent.cjs')
    // Run from a folder without node_modules, as on a customer's PC.
    const version = execFileSync(process.execPath, [bundle, '--version'], { cwd: os.tmpdir(), encoding: 'utf8' }).trim()
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    const output = execFileSync(process.execPath, [bundle, 'collect', '--data-dir', dataDir], { cwd: os.tmpdir(), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
    const result = JSON.parse(output) as { batch: unknown; inventory: unknown }
    expect(validateMessage('metrics', result.batch).points.length).toBeGreaterThan(5)
  })
})
