/** The parsers behind processes, services, battery and error-log, on recorded outputs. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseStat } from '../platform/procfs.js'
import { batteryPoints, readSysBatteries } from './battery.js'
import { summariseJournal } from './error-log.js'
import { topPoints, usageByName } from './processes.js'
import { parseLaunchctl, parseScQuery, parseSystemctl } from './services.js'

describe('/proc/PID/stat', () => {
  it('finds the fields after a process name holding spaces and parentheses', () => {
    const line = '4242 (tmux: server (1)) S 1 4242 4242 0 -1 4194560 1500 0 0 0 700 300 0 0 20 0 1 0 12345 30000000 2500 18446744073709551615'
    expect(parseStat(line, 4096)).toEqual({ pid: 4242, name: 'tmux: server (1)', cpuTicks: 1000, rssBytes: 2500 * 4096 })
  })
})

describe('top processes', () => {
  it('adds up processes of one name and turns ticks into a share of the whole machine', () => {
    const before = new Map([
      [1, { pid: 1, name: 'chrome', cpuTicks: 100, rssBytes: 100 }],
      [2, { pid: 2, name: 'chrome', cpuTicks: 50, rssBytes: 200 }],
    ])
    const now = [
      { pid: 1, name: 'chrome', cpuTicks: 300, rssBytes: 100 },
      { pid: 2, name: 'chrome', cpuTicks: 250, rssBytes: 200 },
      { pid: 3, name: 'kworker/0:1H-events', cpuTicks: 10, rssBytes: 0 },
    ]
    // 400 ticks at 100/s over 2 s on 2 CPUs = 100 % of the machine.
    const usages = usageByName(before, now, 2, 100, 2)
    expect(usages.find((u) => u.name === 'chrome')).toEqual({ name: 'chrome', cpuPercent: 100, memoryBytes: 300 })
    expect(usages.find((u) => u.name === 'kworker')?.cpuPercent).toBe(2.5)
    const points = topPoints(usages, 1_800_000_000_000)
    expect(points.filter((p) => p.metric === 'process.cpu_percent').map((p) => p.instance)).toEqual(['chrome', 'kworker'])
  })

  it('gives memory but no CPU on the first sample', () => {
    const points = topPoints(usageByName(undefined, [{ pid: 1, name: 'a', cpuTicks: 5, rssBytes: 10 }], 0, 100, 1), 1_800_000_000_000)
    expect(points.map((p) => p.metric)).toEqual(['process.memory_bytes'])
  })
})

describe('service state parsers', () => {
  it('systemctl is-active: only "active" is running', () => {
    expect([...parseSystemctl(['nginx', 'cron', 'x'], 'active\ninactive\nactivating\n')]).toEqual([['nginx', true], ['cron', false], ['x', false]])
  })
  it('sc query: STATE 4 is running', () => {
    expect(parseScQuery('SERVICE_NAME: Spooler\n        TYPE               : 110  WIN32_OWN_PROCESS\n        STATE              : 4  RUNNING\n')).toBe(true)
    expect(parseScQuery('        STATE              : 1  STOPPED\n')).toBe(false)
  })
  it('launchctl list: a PID means running', () => {
    const out = 'PID\tStatus\tLabel\n312\t0\tcom.openssh.sshd\n-\t0\torg.nginx.nginx\n'
    expect([...parseLaunchctl(['com.openssh.sshd', 'nginx', 'sshd'], out)]).toEqual([['com.openssh.sshd', true], ['nginx', false], ['sshd', true]])
  })
})

describe('journal summary', () => {
  it('counts priorities 0–2 as critical and 3 as error, by program', () => {
    const lines = [
      { PRIORITY: '3', SYSLOG_IDENTIFIER: 'kernel' },
      { PRIORITY: '2', SYSLOG_IDENTIFIER: 'smartd' },
      { PRIORITY: '3', SYSLOG_IDENTIFIER: 'kernel' },
      { PRIORITY: '4', SYSLOG_IDENTIFIER: 'noise' },
      { PRIORITY: '0', _COMM: 'systemd' },
    ].map((l) => JSON.stringify(l))
    expect(summariseJournal(`${lines.join('\n')}\nnot json\n`)).toEqual({ critical: 2, error: 2, sources: [['kernel', 2], ['smartd', 1], ['systemd', 1]] })
  })
})

describe('battery from sysfs', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'patrol-power-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const supply = (name: string, files: Record<string, string>) => {
    mkdirSync(path.join(root, name))
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, name, file), `${text}\n`)
  }

  it('reads system batteries only and computes wear from full against design capacity', () => {
    supply('AC', { type: 'Mains', online: '1' })
    supply('BAT0', { type: 'Battery', capacity: '87', energy_full_design: '57000000', energy_full: '45600000', cycle_count: '412' })
    supply('hidpp_battery_0', { type: 'Battery', scope: 'Device', capacity: '40' })
    const batteries = readSysBatteries(root)
    expect(batteries.map((b) => b.name)).toEqual(['BAT0'])
    expect(batteryPoints(batteries[0]!, 1_800_000_000_000).map((p) => [p.metric, p.value])).toEqual([
      ['battery.charge_percent', 87],
      ['battery.wear_percent', 20],
      ['battery.cycle_count', 412],
    ])
  })

  it('finds none where there is no power_supply folder', () => {
    expect(readSysBatteries(path.join(root, 'missing'))).toEqual([])
  })
})
