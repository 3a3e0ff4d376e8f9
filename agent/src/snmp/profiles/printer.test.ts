import { describe, expect, it } from 'vitest'
import { decodeErrorState, ERROR_BITS, parsePrinter, supplyLevel } from './printer.js'
import type { SnmpValue, VarbindMap } from '../values.js'

describe('hrPrinterDetectedErrorState', () => {
  it('reads bit 0 as the most significant bit of the first octet, for every bit', () => {
    ERROR_BITS.forEach((name, bit) => {
      const octets = Buffer.alloc(2)
      octets[bit >> 3] = 0x80 >> (bit % 8)
      expect(decodeErrorState(octets), `bit ${bit}`).toEqual([name])
    })
  })

  it.each([
    ['zero-length string: nothing wrong', '', []],
    ['one octet only (many printers)', '04', ['jammed']],
    ['low paper is 0x80, not 0x01', '80', ['lowPaper']],
    ['0x01 of octet 0 is serviceRequested', '01', ['serviceRequested']],
    ['both octets', '2482', ['lowToner', 'jammed', 'inputTrayMissing', 'overduePreventMaint']],
    ['bit 15 is unused', '0001', []],
    ['octets past the second are ignored', '0000ff', []],
    ['all bits', 'ffff', [...ERROR_BITS]],
  ])('%s', (_what, hex, expected) => {
    expect(decodeErrorState(Buffer.from(hex, 'hex'))).toEqual(expected)
  })

  it('takes a missing value as no bits', () => {
    expect(decodeErrorState(undefined)).toEqual([])
  })
})

describe('supply level special values (RFC 3805)', () => {
  it.each([
    [80, 100, 80, 'ok'],
    [800, 10000, 8, 'ok'],
    [1, 3, 33.3, 'ok'],
    [0, 100, 0, 'empty'],
    [250, 200, 100, 'ok'], // above its own maximum after a refill
    [-3, 100, null, 'some-remaining'],
    [-2, 100, null, 'unknown'],
    [-1, 100, null, 'other'],
    [40, -2, null, 'ok'], // max unknown
    [40, -1, null, 'ok'], // max "no restriction"
    [0, -2, null, 'empty'],
    [40, 0, null, 'ok'],
    [undefined, 100, null, 'unknown'],
  ] as const)('level %s of max %s → %s %% (%s)', (level, max, percent, state) => {
    expect(supplyLevel(level, max)).toEqual({ percent, state })
  })
})

describe('parsePrinter', () => {
  const int = (value: number): SnmpValue => ({ kind: 'int', value })
  const str = (value: string): SnmpValue => ({ kind: 'octets', value: Buffer.from(value) })

  it('joins colours from prtMarkerColorantTable through the supply’s colorant index', () => {
    const walked: VarbindMap = new Map([
      ['1.3.6.1.2.1.43.11.1.1.3.1.1', int(2)],
      ['1.3.6.1.2.1.43.11.1.1.6.1.1', str('Toner A')],
      ['1.3.6.1.2.1.43.11.1.1.8.1.1', int(200)],
      ['1.3.6.1.2.1.43.11.1.1.9.1.1', int(50)],
      ['1.3.6.1.2.1.43.12.1.1.4.1.1', str('black')],
      ['1.3.6.1.2.1.43.12.1.1.4.1.2', str('cyan')],
    ])
    const { printer, points } = parsePrinter(walked, { now: 1_800_000_000_000 })
    expect(printer?.supplies).toEqual([{ index: 1, description: 'Toner A', type: 'unknown', level: 50, maxCapacity: 200, percent: 25, state: 'ok', colour: 'cyan' }])
    expect(points).toContainEqual({ ts: 1_800_000_000_000, metric: 'printer.supply_percent', instance: 'Toner A', value: 25 })
  })

  it('leaves binary change events out of the active alerts', () => {
    const walked: VarbindMap = new Map([
      ['1.3.6.1.2.1.43.18.1.1.2.1.7', int(5)],
      ['1.3.6.1.2.1.43.18.1.1.7.1.7', int(4)],
      ['1.3.6.1.2.1.43.18.1.1.2.1.9', int(3)],
      ['1.3.6.1.2.1.43.18.1.1.3.1.9', int(5)],
      ['1.3.6.1.2.1.43.18.1.1.7.1.9', int(8)],
    ])
    expect(parsePrinter(walked, { now: 1_800_000_000_000 }).printer?.alerts).toEqual([{ index: 9, severity: 'critical', trainingLevel: 'fieldService', code: 'jam' }])
  })
})
