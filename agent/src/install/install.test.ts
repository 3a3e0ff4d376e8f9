import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hasCommand, IN_CI } from '../../../test/support/peers.js'
import { loadAgentConfig } from '../config.js'
import { describePlan, installPlan, uninstallPlan } from './index.js'
import { systemdQuote, systemdUnit } from './systemd.js'
import { windowsQuote } from './windows.js'

const launch = { executable: '/usr/bin/node', prefix: ['/opt/patrol agent/patrol-agent.cjs'] }
const config = loadAgentConfig({ env: {}, overrides: { mqttUrl: 'mqtts://broker.example:8883', customer: 'acme', mqttPassword: 'pw-123456', watchedServices: ['nginx'] } })
const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-install-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Wherever systemd-analyze exists the unit is verified, in CI and locally; elsewhere (macOS,
// Windows, minimal containers) it is skipped, with the reason printed.
const systemdAnalyze = hasCommand('systemd-analyze') ? { available: true } : requirePeerUnlessCi()

function requirePeerUnlessCi() {
  if (!IN_CI) console.warn('[skip] systemd-analyze is not installed: apt-get install -y systemd')
  return { available: false }
}

function verify(unitText: string): { ok: boolean; output: string } {
  const file = path.join(dir, 'patrol-agent.service')
  writeFileSync(file, unitText)
  try {
    const output = execFileSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    return { ok: true, output }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('systemd unit', () => {
  it('starts the agent with its config, restarts on failure and keeps the hardening smartctl allows', async () => {
    const plan = await installPlan(config, { platform: 'linux', launch })
    const unit = plan.files.find((f) => f.path === '/etc/systemd/system/patrol-agent.service')!.content
    expect(unit).toContain('ExecStart=/usr/bin/node "/opt/patrol agent/patrol-agent.cjs" run --config /etc/patrol-agent/agent.json')
    expect(unit).toMatch(/^Restart=on-failure$/m)
    expect(unit).toMatch(/^ProtectSystem=strict$/m)
    // smartctl opens the raw disks: a private /dev would hide them.
    expect(unit).not.toMatch(/PrivateDevices=yes/)
    expect(plan.commands).toEqual([['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', 'patrol-agent.service']])
  })

  it.skipIf(!systemdAnalyze.available)('passes systemd-analyze verify (and a broken unit does not)', () => {
    const unit = systemdUnit({ executable: process.execPath, prefix: [path.resolve('agent/src/main.ts')] }, { configFile: '/etc/patrol-agent/agent.json', dataDir: '/var/lib/patrol-agent' })
    const good = verify(unit)
    // Unknown or unparsable settings are only warnings to systemd (exit 0): refuse them here.
    expect(good.output).not.toMatch(/Unknown key|Invalid|Failed to|not executable|ignoring/i)
    expect(good.ok, good.output).toBe(true)
    const broken = verify(unit.replace(/^ExecStart=\S+/m, 'ExecStart=relative/node'))
    // Negative control: the check can fail.
    expect(broken.ok).toBe(false)
    expect(broken.output).toMatch(/absolute path/)
  })

  it('quotes ExecStart words the way systemd reads them', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node')
    expect(systemdQuote('/opt/my dir/a.cjs')).toBe('"/opt/my dir/a.cjs"')
    expect(systemdQuote('100%')).toBe('100%%')
    expect(systemdQuote('a"b')).toBe('"a\\"b"')
  })
})

describe('install plans', () => {
  it('writes the settings given at install time to a 0600 config for the service, secrets included only there', async () => {
    const plan = await installPlan(config, { platform: 'linux', launch })
    const file = plan.files.find((f) => f.path === '/etc/patrol-agent/agent.json')!
    expect(file.mode).toBe(0o600)
    expect(JSON.parse(file.content)).toEqual({ mqttUrl: 'mqtts://broker.example:8883', customer: 'acme', mqttPassword: 'pw-123456', watchedServices: ['nginx'], dataDir: '/var/lib/patrol-agent' })
  })

  it('uses an explicit --config in place', async () => {
    const plan = await installPlan(config, { platform: 'linux', launch, configFile: '/srv/agent.yaml' })
    expect(plan.files.map((f) => f.path)).toEqual(['/etc/systemd/system/patrol-agent.service'])
    expect(plan.files[0]!.content).toContain('--config /srv/agent.yaml')
  })

  it('Windows: a boot task as SYSTEM restarting on failure, in UTF-16 as its XML declares', async () => {
    const plan = await installPlan(config, { platform: 'win32', launch: { executable: 'C:\\Program Files\\nodejs\\node.exe', prefix: ['C:\\Program Files\\patrol-agent\\patrol-agent.cjs'] } })
    const xml = plan.files.find((f) => f.path.endsWith('patrol-agent-task.xml'))!
    expect(xml.encoding).toBe('utf16le')
    expect(xml.content).toContain('<UserId>S-1-5-18</UserId>')
    expect(xml.content).toContain('<BootTrigger>')
    expect(xml.content).toContain('<RestartOnFailure>')
    expect(xml.content).toContain('<Command>C:\\Program Files\\nodejs\\node.exe</Command>')
    expect(xml.content).toContain('<Arguments>&quot;C:\\Program Files\\patrol-agent\\patrol-agent.cjs&quot; run --config')
    expect(plan.commands[0]).toEqual(['schtasks.exe', '/Create', '/TN', '\\patrol\\patrol-agent', '/XML', xml.path, '/F'])
    expect(windowsQuote('C:\\a b\\')).toBe('"C:\\a b\\\\"')
  })

  it('macOS: a launchd daemon kept alive after a failure', async () => {
    const plan = await installPlan(config, { platform: 'darwin', launch })
    const plist = plan.files.find((f) => f.path === '/Library/LaunchDaemons/com.patrol.agent.plist')!.content
    expect(plist).toContain('<string>/opt/patrol agent/patrol-agent.cjs</string>')
    expect(plist).toMatch(/<key>SuccessfulExit<\/key>\s*<false\/>/)
    expect(plan.commands).toEqual([['launchctl', 'bootstrap', 'system', '/Library/LaunchDaemons/com.patrol.agent.plist']])
    if (hasCommand('plutil')) execFileSync('plutil', ['-lint', '-'], { input: plist })
  })

  it('uninstall stops and unregisters, keeping config and data', () => {
    expect(uninstallPlan('linux')).toEqual({ platform: 'linux', files: [], removals: ['/etc/systemd/system/patrol-agent.service'], commands: [['systemctl', 'disable', '--now', 'patrol-agent.service'], ['systemctl', 'daemon-reload']] })
    expect(describePlan(uninstallPlan('darwin'))).toContain('launchctl bootout system/com.patrol.agent')
  })
})
