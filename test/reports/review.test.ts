/**
 * The pre-inspection review of one site, against the seeded facts: the bring list names the
 * cartridges as the printers report them and disks by size and type; silent devices and open
 * tickets are listed; the API route serves it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, openPglite, type Db } from '@patrol/collector'
import { buildSiteReview, renderReviewHtml, type SiteReview } from '../../collector/src/reports/review.js'
import { apiAuth } from '../support/auth.js'
import { makeTarget, startTestCollector } from '../support/targets.js'
import { CUSTOMER, seedQuarter, TZ, type SeededQuarter } from './seed.js'

const DAY = 86_400_000

describe('pre-inspection review', () => {
  let db: Db
  let facts: SeededQuarter
  let en: SiteReview
  let zh: SiteReview

  beforeAll(async () => {
    db = await openPglite()
    await migrate(db)
    facts = await seedQuarter(db)
    en = await buildSiteReview(db, { customerId: CUSTOMER, site: 'hz', lang: 'en', tz: TZ, now: facts.to })
    zh = await buildSiteReview(db, { customerId: CUSTOMER, site: 'hz', lang: 'zh-CN', tz: TZ, now: facts.to })
  })
  afterAll(async () => {
    await db?.close()
  })

  it('brings the toner that will run out before the next quarterly visit, by the name the printer reports', () => {
    const lastDay = (facts.to.getTime() - 3_600_000 - facts.from.getTime()) / DAY
    const here = new Set(facts.devices.filter((d) => d.site === 'hz').map((d) => d.id))
    const expected = facts.supplies
      .filter((s) => here.has(s.id))
      .filter((s) => {
        const level = Math.max(0, s.start - s.perDay * lastDay)
        return level < 20 || level / s.perDay <= 90
      })
      .map((s) => s.supply)
      .sort()
    expect(expected.length).toBeGreaterThan(0)
    expect(en.bringList.filter((b) => b.kind === 'toner').flatMap((b) => Array(b.quantity).fill(b.item)).sort()).toEqual(expected)
  })

  it('brings a disk of the size and type of the degrading one', () => {
    expect(en.bringList.filter((b) => b.kind === 'disk')).toEqual([{ kind: 'disk', item: 'Replacement disk SSD 256 GB SATA', quantity: 1, for: ['PC-005'] }])
    expect(zh.bringList.find((b) => b.kind === 'disk')!.item).toBe('备用硬盘 SSD 256 GB SATA')
    expect(en.toReplace.map((r) => r.deviceId)).toEqual(['pc-005'])
  })

  it('lists silent devices and open tickets of the site only', () => {
    expect(en.notSeen.map((n) => n.deviceId)).toEqual(['pc-029'])
    const openHere = facts.tickets.filter((t) => t.resolveAfterMin === null && facts.devices.find((d) => d.id === t.id)!.site === 'hz')
    expect(en.tickets.filter((t) => t.status !== 'resolved').length).toBe(openHere.length)
    expect(en.tickets.every((t) => facts.devices.find((d) => d.hostname === t.name)?.site === 'hz')).toBe(true)
  })

  it('renders one page of HTML with the bring list and a checklist in both languages', () => {
    const htmlZh = renderReviewHtml(zh)
    expect(htmlZh).toContain('巡检前检查单')
    expect(htmlZh).toContain('携带清单')
    expect(htmlZh).toContain('杭州办事处')
    expect(htmlZh).toContain('class="checklist"')
    expect(htmlZh).toContain('已响应') // ticket states in the reader's language
    expect(htmlZh).not.toContain('>acknowledged<')
    expect(renderReviewHtml(en)).toContain('Bring list')
  })

  it('is served at GET /api/sites/:site/review', async () => {
    const target = makeTarget('embedded')
    const collector = await startTestCollector(await target.config())
    try {
      await seedQuarter(collector.db)
      const { headers } = await apiAuth(collector.db, { role: 'engineer', customers: [CUSTOMER] })
      const json = await fetch(`${collector.url}/api/sites/hz/review?customer=${CUSTOMER}&lang=en&format=json`, { headers })
      expect(json.status, await json.clone().text()).toBe(200)
      expect(((await json.json()) as SiteReview).site).toEqual({ id: 'hz', name: '杭州办事处' })
      const html = await fetch(`${collector.url}/api/sites/hz/review?customer=${CUSTOMER}`, { headers })
      expect(html.headers.get('content-type')).toContain('text/html')
      expect(await html.text()).toContain('携带清单')
      const missing = await fetch(`${collector.url}/api/sites/nowhere/review?customer=${CUSTOMER}`, { headers })
      expect(missing.status).toBe(404)
    } finally {
      await collector.close()
      await target.cleanup()
    }
  })
})
