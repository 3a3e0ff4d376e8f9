/** Broken config files never crash the agent: always a ConfigError that names the problem. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ConfigError } from '@patrol/shared'
import { AgentConfigSchema, loadAgentConfig } from './config.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
// The YAML parser warns (process.emitWarning) about odd directives in random text: expected here, not news.
beforeAll(() => void vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined))

const fields = Object.keys(AgentConfigSchema.properties)
// Values of every JSON type, including the wrong ones for each field.
const anyValue = fc.oneof(fc.string(), fc.integer({ min: -1e12, max: 1e12 }), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }))

function load(text: string, ext: string) {
  const file = path.join(dir, `c${ext}`)
  writeFileSync(file, text)
  return loadAgentConfig({ file, env: {} })
}

function loadsOrConfigError(text: string, ext: string): void {
  try {
    const config = load(text, ext)
    expect(typeof config.mqttUrl).toBe('string')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).problems.length).toBeGreaterThan(0)
    expect((error as Error).message).toContain(path.join(dir, `c${ext}`))
  }
}

describe('broken config files', () => {
  it('objects with known and unknown fields of any type (JSON)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 12 })), anyValue, { maxKeys: 6 }), (object) => {
        loadsOrConfigError(JSON.stringify(object), '.json')
      }),
      { numRuns: 300 },
    )
  })

  it('arbitrary text as JSON and as YAML', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('.json', '.yaml'), (text, ext) => loadsOrConfigError(text, ext)),
      { numRuns: 300 },
    )
  })

  it('names the field, the value and where it came from', () => {
    try {
      load('{"intervalS": 1, "spoolMaxBytes": "big"}', '.json')
      expect.unreachable()
    } catch (error) {
      expect((error as Error).message).toMatch(/intervalS: .*got 1 from .*c\.json/)
      expect((error as Error).message).toMatch(/spoolMaxBytes/)
    }
  })

  it('a missing file is a ConfigError too', () => {
    expect(() => loadAgentConfig({ file: path.join(dir, 'missing.yaml'), env: {} })).toThrow(ConfigError)
  })
})
