/**
 * Download and attachment names of archived reports: whatever a customer is called (quotes, line
 * breaks, slashes, dots, emoji), the Content-Disposition header stays one header with a plain
 * ASCII name and a UTF-8 name that names no path.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { archiveFileNames, contentDisposition, type ArchiveEntry } from '../../collector/src/reports/archive.js'

const entry = (over: Partial<ArchiveEntry> = {}) => ({ customer: 'acme', site: null, periodLabel: '2026Q3', lang: 'zh-CN', version: 3, ...over }) as ArchiveEntry

describe('archived report file names', () => {
  it('reads well for a normal customer', () => {
    const names = archiveFileNames(entry(), '华东制造集团', 'pdf')
    expect(names).toEqual({ ascii: 'inspection-acme-2026Q3-zh-CN-v3.pdf', utf8: '华东制造集团 2026Q3 巡检报告 v3.pdf' })
    expect(contentDisposition(names)).toBe(`attachment; filename="inspection-acme-2026Q3-zh-CN-v3.pdf"; filename*=UTF-8''${encodeURIComponent('华东制造集团 2026Q3 巡检报告 v3.pdf')}`)
    expect(archiveFileNames(entry({ site: 'hq', periodLabel: '2026-07-01 – 2026-07-31', lang: 'en' }), 'Acme', 'html').ascii).toBe('inspection-acme-hq-2026-07-01_2026-07-31-en-v3.html')
  })

  it('never breaks the header or names a path, whatever the customer is called', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.constantFrom('..', '.', 'a.b', 'x_y-z'), (name, id) => {
        const names = archiveFileNames(entry({ customer: id }), name, 'pdf')
        const header = contentDisposition(names)
        expect(header).toMatch(/^attachment; filename="[0-9A-Za-z._-]+"; filename\*=UTF-8''[0-9A-Za-z%._~!-]+$/)
        expect([...names.utf8].filter((c) => c.charCodeAt(0) < 0x20 || '/\\"'.includes(c))).toEqual([])
        expect(names.utf8.endsWith('.pdf')).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
