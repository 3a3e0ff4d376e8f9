import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { EXIT, registerSmartCommand, runSmartCommand, type SmartCommandIo, type SmartReport } from './cli.js'
import { dummyExecutable, fakeSmartctl } from './testing.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/smartctl')
const fixture = (name: string) => path.join(FIXTURES, name)

function capture(extra: Partial<SmartCommandIo> = {}) {
  const out: string[] = []
  const err: string[] = []
  const io: SmartCommandIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), ...extra }
  return { io, out: () => out.join(''), err: () => err.join(''), json: () => JSON.parse(out.join('')) as unknown }
}

describe('agent smart --json-file', () => {
  it.each([
    ['ata-failed-self-assessment.json', 'failing', EXIT.failing],
    ['ata-one-pending-sector.json', 'warning', EXIT.warning],
    ['virtio-no-device-type.json', 'unknown', EXIT.ok],
  ] as const)('%s → %s, exit %i', async (file, verdict, code) => {
    const c = capture()
    expect(await runSmartCommand({ jsonFile: fixture(file) }, c.io)).toBe(code)
    const report = c.json() as SmartReport
    expect(report.verdict).toBe(verdict)
    expect(report.source).toBe('smartctl')
    expect(Object.keys(report)).toEqual(['device', 'source', 'health', 'verdict', 'reasons'])
    if (verdict !== 'unknown') expect(report.reasons.length).toBeGreaterThan(0)
  })

  it('prints the parsed figures with the verdict', async () => {
    const c = capture()
    await runSmartCommand({ jsonFile: fixture('nvme-spare-below-threshold.json') }, c.io)
    const report = c.json() as SmartReport
    expect(report.device).toBe('/dev/nvme0')
    expect(report.health.nvme).toEqual({ criticalWarning: 1, mediaErrors: 3, percentageUsed: 97, availableSpare: 5, availableSpareThreshold: 10 })
    expect(report.reasons).toContain('NVMe available_spare 5% below its threshold 10%')
  })

  it('a missing file is exit 3 with the path in the message, and nothing on stdout', async () => {
    const c = capture()
    expect(await runSmartCommand({ jsonFile: '/nonexistent/smart.json' }, c.io)).toBe(EXIT.error)
    expect(c.err()).toMatch(/cannot read \/nonexistent\/smart\.json: ENOENT/)
    expect(c.out()).toBe('')
  })

  it('text output instead of JSON is exit 3 and says to use --json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'patrol-smart-cli-'))
    const file = path.join(dir, 'sda.txt')
    await writeFile(file, 'smartctl 7.3 2022-02-28 r5338 [x86_64-linux] (local build)\n=== START OF INFORMATION SECTION ===\n')
    const c = capture()
    expect(await runSmartCommand({ jsonFile: file }, c.io)).toBe(EXIT.error)
    expect(c.err()).toContain(`${file} is not valid JSON (this looks like smartctl text output: run smartctl with --json)`)
  })

  it('refuses contradictory options', async () => {
    const c = capture()
    expect(await runSmartCommand({ type: 'sat' }, c.io)).toBe(EXIT.error)
    expect(c.err()).toContain('--type applies to --device')
  })
})

describe('agent smart --device', () => {
  it('runs smartctl on that device with the given type and judges it', async () => {
    const fake = fakeSmartctl('', { '/dev/sdc -d scsi': [await readFile(fixture('sas-grown-defects.json'), 'utf8'), 0] })
    const c = capture({ runner: fake.runner })
    const code = await runSmartCommand({ device: '/dev/sdc', type: 'scsi', smartctl: await dummyExecutable() }, c.io)
    // An explicit --type is the engineer's choice and is passed even when it is the generic scsi.
    expect(fake.calls).toEqual([['--json', '-x', '-d', 'scsi', '/dev/sdc']])
    expect(code).toBe(EXIT.warning)
    expect((c.json() as SmartReport).health.scsi).toEqual({ grownDefects: 312, uncorrectedErrors: 2 })
  })

  it('says so when it cannot open the device for lack of root', async () => {
    const fake = fakeSmartctl('', { '/dev/sda': [await readFile(fixture('permission-denied.json'), 'utf8'), 2] })
    const c = capture({ runner: fake.runner })
    expect(await runSmartCommand({ device: '/dev/sda', smartctl: await dummyExecutable() }, c.io)).toBe(EXIT.ok)
    expect((c.json() as SmartReport).verdict).toBe('unknown')
    expect(c.err()).toMatch(/needs (root|Administrator)/)
  })
})

describe('registerSmartCommand', () => {
  it('adds `smart` to a program and sets the exit code', async () => {
    const c = capture()
    const program = new Command('patrol-agent').exitOverride()
    registerSmartCommand(program, c.io)
    const saved = process.exitCode
    try {
      await program.parseAsync(['node', 'patrol-agent', 'smart', '--json-file', fixture('ata-degrading-after.json')])
      expect(process.exitCode).toBe(EXIT.failing)
    } finally {
      process.exitCode = saved
    }
    expect((c.json() as SmartReport).verdict).toBe('failing')
  })
})
