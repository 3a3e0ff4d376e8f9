import { describe, expect, it } from 'vitest'
import { en } from './en.js'
import { zhCN } from './zh-CN.js'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('console dictionaries', () => {
  it('have the same keys in English and Chinese', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort())
  })
  it('fill every string, with the same placeholders in both languages', () => {
    for (const [key, text] of Object.entries(en)) {
      const zh = zhCN[key as keyof typeof en]
      expect(zh.trim(), key).not.toBe('')
      expect(placeholders(zh), key).toEqual(placeholders(text))
    }
  })
  it('are really translated: most Chinese strings differ from the English ones', () => {
    const same = Object.keys(en).filter((k) => zhCN[k as keyof typeof en] === en[k as keyof typeof en])
    expect(same.length).toBeLessThan(Object.keys(en).length / 20)
  })
})
