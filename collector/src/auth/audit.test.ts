import { describe, expect, it } from 'vitest'
import { targetTypeOf } from '../api/auth/audit-hook.js'
import { summariseBody } from './audit.js'

describe('audit entries', () => {
  it('leave out every secret-looking field, however deep, and cut long values', () => {
    const body = {
      username: 'li',
      password: 'hunter2hunter2',
      config: { kind: 'webhook', url: 'http://127.0.0.1/x', secret: 's3cret-s3cret-s3cret', smtpUrl: 'smtp://u:pw@host' },
      poller: { targets: [{ host: '127.0.0.1', community: 'c0mmunity-string', authKey: 'k', privPassphrase: 'p' }] },
      apiToken: 'ptk_x',
      text: 'x'.repeat(1000),
      list: Array.from({ length: 30 }, (_, i) => i),
    }
    const out = JSON.stringify(summariseBody(body))
    for (const secret of ['hunter2hunter2', 's3cret-s3cret-s3cret', 'smtp://u:pw@host', 'ptk_x', '"k"', '"p"', 'c0mmunity-string']) expect(out).not.toContain(secret)
    expect(out).toContain('"username":"li"')
    expect(out).toContain('(1000 characters)')
    expect(out).toContain('… 10 more')
  })

  it('name the thing changed from the route pattern', () => {
    expect(targetTypeOf('/api/tickets/:id/acknowledge')).toBe('tickets')
    expect(targetTypeOf('/api/customers/:customer/sites/:site')).toBe('sites')
    expect(targetTypeOf('/api/rule-overrides/:scope/:scopeId/:rule')).toBe('rule-overrides')
    expect(targetTypeOf('/api/maintenance-windows')).toBe('maintenance-windows')
  })
})
