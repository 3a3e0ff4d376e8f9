/**
 * The command line as a customer's machine runs it (a child process): config errors are clear
 * and exit 78, `doctor` exits 1 without a broker, and no password or enrollment token ever
 * reaches the log output, even at debug level and when enrollment fails.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, REPO_ROOT, requirePeer, tcpReachable, waitFor } from '../../test/support/peers.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const broker = requirePeer('mosquitto on 127.0.0.1:1883', await tcpReachable('127.0.0.1', 1883), 'mosquitto -d -c /etc/mosquitto/mosquitto.conf')

function agent(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'agent/src/main.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

describe('agent command line', () => {
  it('refuses a broken config file with every problem named, exit 78', async () => {
    const file = path.join(dir, 'broken.yaml')
    writeFileSync(file, 'mqttUrl: http://nope\nintervalS: 1\nsurprise: true\n')
    const run = agent(['--config', file, 'doctor'])
    expect(await run.exited).toBe(78)
    expect(run.output()).toMatch(/mqttUrl/)
    expect(run.output()).toMatch(/intervalS/)
    expect(run.output()).toMatch(/surprise: unknown setting/)
  })

  it('doctor exits 1 when the broker is unreachable, saying why', async () => {
    const port = await freePort()
    const run = agent(['--mqtt-url', `mqtt://127.0.0.1:${port}`, '--data-dir', path.join(dir, 'doctor'), 'doctor', '--timeout', '1500'])
    expect(await run.exited).toBe(1)
    expect(run.output()).toMatch(/FAIL\s+broker\s+cannot connect .*ECONNREFUSED/)
    expect(run.output()).toMatch(/collector cpu/)
  })

  it.skipIf(!broker.available)('never logs the MQTT password or the enrollment token, even at debug level', async () => {
    const password = 'Pw-never-in-logs-7731'
    const token = 'Tok-never-in-logs-5519'
    // A collector that refuses enrollment and quotes the request back, token included.
    const collector = http.createServer((request, response) => {
      let body = ''
      request.on('data', (d: Buffer) => (body += d.toString()))
      request.on('end', () => response.writeHead(403).end(`refused: ${body}`))
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    const file = path.join(dir, 'secret.json')
    writeFileSync(
      file,
      JSON.stringify({
        mqttUrl: `mqtt://agent:${password}@127.0.0.1:1883`,
        collectorUrl: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        enrollToken: token,
        topicPrefix: `cli-test-${process.pid}`,
        deviceId: 'dev-cli-secret',
        intervalS: 5,
        dataDir: path.join(dir, 'secret-data'),
        logLevel: 'debug',
      }),
    )
    const run = agent(['--config', file, 'run'])
    try {
      await waitFor(() => run.output().includes('connected to broker'), { what: 'agent connected', timeoutMs: 20_000 })
    } finally {
      run.child.kill('SIGTERM')
      await run.exited
      collector.close()
    }
    const output = run.output()
    expect(output).toMatch(/enrollment failed/)
    expect(output).toMatch(/effective configuration/)
    expect(output).not.toContain(password)
    expect(output).not.toContain(token)
  })
})
