/**
 * Real SNMP peers for the SNMP tests and the benchmark: snmpsimd serving .snmprec recordings and
 * Debian's snmpd with a config of our own, each on a free loopback UDP port, each killed by the
 * caller. Readiness is an snmpget that answers, never a sleep.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import dgram from 'node:dgram'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { waitFor } from './peers.js'

const run = promisify(execFile)

/** A free UDP port on 127.0.0.1 (the OS picks; released before returning). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

export interface RunningPeer {
  port: number
  dir: string
  process: ChildProcess
  stop(): Promise<void>
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(killTimer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
}

/** snmpget exit 0 with a value: the agent is up and serves this community/user. */
export async function snmpAnswers(port: number, auth: string[]): Promise<boolean> {
  try {
    const { stdout } = await run('snmpget', [...auth, '-t', '0.5', '-r', '0', '-On', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.1.0'])
    return stdout.includes('1.3.6.1.2.1.1.1.0')
  } catch {
    return false
  }
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

export interface SnmpsimOptions {
  /** Files to serve: path → community (file name without .snmprec unless renamed). */
  files: { source: string; community?: string }[]
  /** A community to wait for; the first file's by default. */
  readyCommunity?: string
  timeoutMs?: number
  /**
   * No per-request logging, for the benchmark (snmpsim logs every varbind otherwise). Its
   * `--v2c-arch` engine would be lighter still, but 0.4.5's answers no multi-varbind GETBULK.
   * Off by default so a failing test still has the simulator's log.
   */
  fast?: boolean
}

/**
 * Copies the recordings into a temp dir readable by `nobody` (snmpsim drops to it when run as
 * root) and starts snmpsimd on a free loopback port. The community of a file is its name.
 */
export async function startSnmpsim(options: SnmpsimOptions): Promise<RunningPeer & { communities: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-snmpsim-'))
  const data = path.join(dir, 'data')
  const cache = path.join(dir, 'cache')
  mkdirSync(data)
  mkdirSync(cache)
  const communities: string[] = []
  for (const file of options.files) {
    const community = file.community ?? path.basename(file.source, '.snmprec')
    copyFileSync(file.source, path.join(data, `${community}.snmprec`))
    communities.push(community)
  }
  chmodSync(dir, 0o755)
  for (const sub of [data, cache]) {
    chmodSync(sub, 0o777)
    for (const f of readdirSync(sub)) chmodSync(path.join(sub, f), 0o644)
  }
  const port = await freeUdpPort()
  const args = [`--data-dir=${data}`, `--cache-dir=${cache}`, `--agent-udpv4-endpoint=127.0.0.1:${port}`]
  if (isRoot) args.push('--process-user=nobody', '--process-group=nogroup')
  if (options.fast) args.push('--logging-method=null')
  const child = spawn('snmpsimd', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const peer = { port, dir, process: child, communities, stop: stopper(child, dir) }
  const community = options.readyCommunity ?? communities[0]
  try {
    await waitFor(
      async () => child.exitCode !== null || (await snmpAnswers(port, ['-v2c', '-c', community ?? 'public'])),
      { timeoutMs: options.timeoutMs ?? 60_000, intervalMs: 200, what: `snmpsimd on 127.0.0.1:${port}` },
    )
    if (child.exitCode !== null) throw new Error(`snmpsimd exited ${child.exitCode}: ${stderr.slice(-800)}`)
  } catch (error) {
    await peer.stop()
    throw error
  }
  return peer
}

export interface SnmpdOptions {
  community?: string
  /** An authPriv user (SHA + AES) and, with `authOnlyUser`, an authNoPriv one (SHA) with the same auth key. */
  v3?: { user: string; authKey: string; privKey: string; authOnlyUser?: string }
}

/**
 * Debian's snmpd on a free loopback port with its own config and persistent dir in a temp
 * folder (`createUser` lines are consumed from there), in the foreground, logging to stdout.
 */
export async function startSnmpd(options: SnmpdOptions = {}): Promise<RunningPeer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-snmpd-'))
  const persistent = path.join(dir, 'persistent')
  mkdirSync(persistent)
  const port = await freeUdpPort()
  const community = options.community ?? 'patrol-test'
  // The listening address is given on the command line only: naming it here too binds it twice.
  const lines = [`rocommunity ${community} 127.0.0.1`, 'sysLocation patrol test rack', 'sysContact patrol@example.invalid']
  if (options.v3) {
    lines.push(`createUser ${options.v3.user} SHA "${options.v3.authKey}" AES "${options.v3.privKey}"`, `rouser ${options.v3.user} priv`)
    if (options.v3.authOnlyUser) lines.push(`createUser ${options.v3.authOnlyUser} SHA "${options.v3.authKey}"`, `rouser ${options.v3.authOnlyUser} auth`)
  }
  const conf = path.join(dir, 'snmpd.conf')
  writeFileSync(conf, lines.join('\n') + '\n')
  // -C: only our config; -f: foreground; -Lo: log to stdout; -p: pid file; persistent dir via env.
  const child = spawn('snmpd', ['-f', '-Lo', '-C', '-c', conf, '-p', path.join(dir, 'snmpd.pid'), `udp:127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SNMP_PERSISTENT_DIR: persistent, MIBS: '' },
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const peer = { port, dir, process: child, stop: stopper(child, dir) }
  try {
    await waitFor(
      async () => child.exitCode !== null || (await snmpAnswers(port, ['-v2c', '-c', community])),
      { timeoutMs: 30_000, intervalMs: 100, what: `snmpd on 127.0.0.1:${port}` },
    )
    if (child.exitCode !== null) throw new Error(`snmpd exited ${child.exitCode}: ${output.slice(-800)}`)
  } catch (error) {
    await peer.stop()
    throw error
  }
  return peer
}
