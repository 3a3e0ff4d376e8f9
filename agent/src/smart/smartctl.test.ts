import { mkdir, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { assessDiskHealth } from '@patrol/shared'
import { execRunner, findSmartctl, healthFromSystemInformation, readAllDisks, readDisk, scannedType, virtualDisks } from './smartctl.js'
import { dummyExecutable, fakeSmartctl } from './testing.js'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/smartctl')
const text = (name: string) => readFile(path.join(FIXTURES, name), 'utf8')
const NO_SYS_BLOCK = '/nonexistent/sys/block'

describe('readAllDisks with a recorded smartctl', () => {
  it('scans, reads each disk with the right -d, and keeps RAID members apart', async () => {
    const smartctl = await dummyExecutable()
    const fake = fakeSmartctl(await text('scan-mixed.json'), {
      '/dev/sda -d sat': [await text('ata-one-pending-sector.json'), 0],
      '/dev/nvme0 -d nvme': [await text('nvme-spare-below-threshold.json'), 8],
      '/dev/bus/0 -d megaraid,0': [await text('sas-grown-defects.json'), 0],
      '/dev/bus/0 -d megaraid,1': [await text('permission-denied.json'), 2],
    })
    const { disks, smartctl: used } = await readAllDisks({ smartctlPath: smartctl, runner: fake.runner, sysBlock: NO_SYS_BLOCK })
    expect(used).toBe(smartctl)
    expect(fake.calls).toEqual([
      ['--scan', '--json'],
      ['--json', '-x', '-d', 'sat', '/dev/sda'],
      ['--json', '-x', '-d', 'nvme', '/dev/nvme0'],
      ['--json', '-x', '-d', 'megaraid,0', '/dev/bus/0'],
      ['--json', '-x', '-d', 'megaraid,1', '/dev/bus/0'],
    ])
    expect(disks.map((d) => [d.device, assessDiskHealth(d).verdict])).toEqual([
      ['/dev/sdb', 'warning'], // the recorded output names its own device
      ['/dev/nvme0', 'failing'],
      ['/dev/sdc', 'warning'],
      ['/dev/bus/0', 'unknown'],
    ])
    // The failed read keeps the scan's controller type, so its instance stays distinct.
    expect(disks[3]!.type).toBe('megaraid,1')
  })

  it('adds virtio disks the scan leaves out, and reads them as unknown', async () => {
    const sys = await mkdtemp(path.join(tmpdir(), 'patrol-sysblock-'))
    await mkdir(path.join(sys, 'vda'))
    await mkdir(path.join(sys, 'loop0'))
    await mkdir(path.join(sys, 'zram0'))
    const fake = fakeSmartctl('{"smartctl":{"exit_status":0}}', { '/dev/vda': [await text('virtio-no-device-type.json'), 1] })
    const { disks } = await readAllDisks({ smartctlPath: await dummyExecutable(), runner: fake.runner, sysBlock: sys })
    if (process.platform !== 'linux') return expect(disks).toEqual([])
    expect(disks).toHaveLength(1)
    expect(disks[0]).toMatchObject({ device: '/dev/vda', exitStatus: 1, messages: ['/dev/vda: Unable to detect device type'] })
    expect(assessDiskHealth(disks[0]!).verdict).toBe('unknown')
  })

  it('no disks at all is "unavailable", not an empty success', async () => {
    const fake = fakeSmartctl('{"smartctl":{"exit_status":0},"devices":[]}', {})
    await expect(readAllDisks({ smartctlPath: await dummyExecutable(), runner: fake.runner, sysBlock: NO_SYS_BLOCK })).rejects.toThrow(/found no disks/)
  })

  it('a configured smartctl that is not there is reported with its path', async () => {
    await expect(readAllDisks({ smartctlPath: '/nonexistent/smartctl' })).rejects.toThrow('/nonexistent/smartctl')
  })
})

describe('readDisk', () => {
  it('turns a timeout or garbage into a message on an unknown reading, with device and command', async () => {
    const timeout = fakeSmartctl('', { '/dev/sdx': { stdout: '', stderr: '', exitCode: null, error: 'timed out after 30 s' } })
    const h = await readDisk('/usr/sbin/smartctl', { name: '/dev/sdx' }, timeout.runner)
    expect(h.messages).toEqual(['/usr/sbin/smartctl --json -x /dev/sdx gave no JSON (timed out after 30 s)'])
    expect(assessDiskHealth(h).verdict).toBe('unknown')

    const garbage = fakeSmartctl('', { '/dev/sdx -d sat': ['Segmentation fault', 139] })
    const g = await readDisk('smartctl', { name: '/dev/sdx', type: 'sat' }, garbage.runner)
    expect(g).toMatchObject({ device: '/dev/sdx', type: 'sat', exitStatus: 139 })
    expect(g.messages[0]).toContain('gave no JSON (exit status 139)')
  })

  it('leaves the generic scsi type to smartctl, so SATA disks behind libata are read as ATA', () => {
    expect(scannedType('scsi')).toBeUndefined()
    expect(scannedType(undefined)).toBeUndefined()
    expect(scannedType('sat')).toBe('sat')
    expect(scannedType('megaraid,3')).toBe('megaraid,3')
  })
})

describe('execRunner', () => {
  it('returns the output and the exit code of a failing program instead of throwing', async () => {
    const r = await execRunner(process.execPath, ['-e', 'process.stdout.write("{}"); process.exit(4)'], 10_000)
    expect(r).toEqual({ stdout: '{}', stderr: '', exitCode: 4 })
  })
  it('reports a timeout', async () => {
    const r = await execRunner(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], 300)
    expect(r.exitCode).toBeNull()
    expect(r.error).toMatch(/timed out/)
  })
  it('reports a crash by its signal, not as a timeout', async () => {
    const r = await execRunner(process.execPath, ['-e', 'process.kill(process.pid, "SIGKILL")'], 10_000)
    expect(r).toMatchObject({ exitCode: null, error: 'killed by SIGKILL' })
  })
  it('reports a missing program', async () => {
    const r = await execRunner('/nonexistent/smartctl', [], 1000)
    expect(r.exitCode).toBeNull()
    expect(r.error).toContain('ENOENT')
  })
})

describe('findSmartctl', () => {
  it('finds it on PATH, and in sbin when PATH lacks it', async () => {
    const exe = await dummyExecutable()
    expect(await findSmartctl(undefined, path.dirname(exe))).toBe(exe)
    expect(await findSmartctl(exe)).toBe(exe)
    expect(await findSmartctl('/nonexistent/smartctl')).toBeUndefined()
  })
})

describe('systeminformation fallback', () => {
  it('maps smartStatus and says where the reading came from', () => {
    const base = { device: '/dev/sda', name: 'Samsung SSD 860', vendor: 'ATA', serialNum: 'S3Y', firmwareRevision: 'RVT02B6Q', size: 500107862016, interfaceType: 'SATA', temperature: null }
    const ok = healthFromSystemInformation({ ...base, smartStatus: 'Ok' })
    expect(ok).toMatchObject({ device: '/dev/sda', source: 'systeminformation', passed: true, model: 'ATA Samsung SSD 860', serial: 'S3Y', capacityBytes: 500107862016 })
    expect(assessDiskHealth(ok).verdict).toBe('healthy')
    const bad = healthFromSystemInformation({ ...base, smartStatus: 'Predicted Failure' })
    expect(assessDiskHealth(bad)).toEqual({ verdict: 'failing', reasons: ['SMART overall-health self-assessment: FAILED'] })
    const unknown = assessDiskHealth(healthFromSystemInformation({ ...base, smartStatus: 'unknown' }))
    expect(unknown.verdict).toBe('unknown')
    expect(unknown.reasons.join('\n')).toContain('install smartmontools')
  })
})

describe('virtualDisks', () => {
  it('is empty when the folder cannot be read', async () => {
    expect(await virtualDisks(NO_SYS_BLOCK)).toEqual([])
  })
})
