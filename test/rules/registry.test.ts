/** The rule registry's contract: every rule file registered once, ids are file names, parameters have defaults. */
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { describe, expect, it } from 'vitest'
import { LEVELS, raiseForCriticality, resolveParams, RULES } from '../../collector/src/rules/index.js'
import { REPO_ROOT } from '../support/peers.js'
import { snapshot } from './snapshots.js'

const DIR = path.join(REPO_ROOT, 'collector/src/rules')
const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))

describe('rule registry', () => {
  it('registers every rule file exactly once, under its file name', async () => {
    expect(RULES.map((r) => r.id).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')).sort())
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length)
    for (const file of files) {
      const mod = (await import(path.join(DIR, file))) as { default: { id: string } }
      expect(RULES).toContain(mod.default)
      expect(mod.default.id).toBe(file.replace(/\.ts$/, ''))
    }
  })

  it('covers what the issue asks for', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(24)
  })

  it.each(RULES.map((r) => [r.id, r] as const))('%s: defaults fill every parameter, a level, and an empty snapshot raises nothing', (_id, rule) => {
    const params = resolveParams(rule)
    expect(Value.Check(rule.params, params)).toBe(true)
    for (const [name, schema] of Object.entries(rule.params.properties)) expect((schema as { default?: unknown }).default, `${rule.id}.${name} has no default`).not.toBeUndefined()
    expect(LEVELS).toContain(rule.level)
    expect(rule.title.length).toBeGreaterThan(3)
    expect(rule.evaluate(snapshot(), params, Date.parse('2026-11-23T12:00:00Z'))).toEqual([])
    if (rule.history) expect(rule.history.windowS(params)).toBeGreaterThan(0)
  })

  it('takes overrides narrowest last, and refuses wrong ones with the rule and parameter named', () => {
    const rule = RULES.find((r) => r.id === 'fs-nearly-full')!
    expect(resolveParams(rule, { warningPercent: 80 }, { warningPercent: 70 }).warningPercent).toBe(70)
    expect(() => resolveParams(rule, { warningPercent: 'lots' })).toThrow(/fs-nearly-full: parameter \/warningPercent/)
    expect(() => resolveParams(rule, { bogus: 1 })).toThrow(/fs-nearly-full/)
  })

  it('raises the level with criticality, never above L1', () => {
    expect(raiseForCriticality('L4', 'normal')).toBe('L4')
    expect(raiseForCriticality('L4', 'high')).toBe('L3')
    expect(raiseForCriticality('L3', 'critical')).toBe('L1')
    expect(raiseForCriticality('L2', 'critical')).toBe('L1')
    expect(raiseForCriticality('L3', 'low')).toBe('L3')
  })
})
