import { readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PROFILES } from './profiles/index.js'

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiles')
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts')
  .map((f) => f.replace(/\.ts$/, ''))

describe('profile registry', () => {
  it('registers every profile file exactly once, under its file name', () => {
    const names = PROFILES.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
    expect([...names].sort()).toEqual([...files].sort())
  })

  it('gives every profile something to probe and something to walk', () => {
    for (const profile of PROFILES) {
      expect(profile.probes.length, profile.name).toBeGreaterThan(0)
      expect(profile.roots.length, profile.name).toBeGreaterThan(0)
      for (const oid of [...profile.probes, ...profile.roots]) expect(oid, profile.name).toMatch(/^1\.3\.6\.1(\.\d+)+$/)
    }
  })
})
