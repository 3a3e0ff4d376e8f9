import { describe, expect, it } from 'vitest'
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords.js'

describe('password hashes', () => {
  it('are self-describing scrypt strings, salted, and verify only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')])
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(a).not.toBe(b)
    expect(await verifyPassword('correct horse battery', a)).toBe(true)
    expect(await verifyPassword('correct horse batterY', a)).toBe(false)
    expect(await verifyPassword('', a)).toBe(false)
  })

  it('treat the same text in another Unicode normal form as the same password', async () => {
    const hash = await hashPassword('caf\u00e9 au lait')
    expect(await verifyPassword('cafe\u0301 au lait', hash)).toBe(true)
  })

  it('refuse malformed or tampered stored hashes instead of throwing or allocating without bound', async () => {
    const good = await hashPassword('some password')
    const parts = good.split('$')
    for (const bad of ['', 'plain', 'bcrypt$x', parts.slice(0, 5).join('$'), ['scrypt', String(2 ** 30), ...parts.slice(2)].join('$'), ['scrypt', '1000', ...parts.slice(2)].join('$'), [...parts.slice(0, 5), 'AAAA'].join('$')]) {
      expect(await verifyPassword('some password', bad)).toBe(false)
    }
  })

  it('check unknown users against a dummy hash (always false)', async () => {
    expect(await verifyAgainstDummy('anything')).toBe(false)
  })

  it('need 10 to 512 characters', () => {
    expect(passwordProblem('short')).toMatch(/at least 10/)
    expect(passwordProblem('x'.repeat(513))).toMatch(/at most 512/)
    expect(passwordProblem('long enough pw')).toBeNull()
  })
})
