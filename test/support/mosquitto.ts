/**
 * A private Mosquitto on a free loopback port, for tests that stop and restart the broker (the
 * system broker on 1883 is shared by every suite and must never be stopped).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { commandPeer, freePort, tcpReachable, waitFor, type Peer } from './peers.js'

export function mosquittoPeer(): Peer {
  return commandPeer('mosquitto', 'mosquitto')
}

export class PrivateMosquitto {
  private process: ChildProcess | undefined
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-mosquitto-'))

  /**
   * With `persistence`, sessions (clean: false) and their queued QoS 1 messages survive a broker
   * restart, so a subscriber misses nothing that arrived while it was reconnecting.
   */
  private constructor(
    readonly port: number,
    private readonly persistence: boolean,
    private readonly auth: string,
  ) {}

  /**
   * `auth` replaces `allow_anonymous true` with other lines (e.g. `allow_anonymous false`,
   * `password_file …`, `acl_file …`: test/security/mqtt-acl.test.ts).
   */
  static async start(options: { persistence?: boolean; auth?: string } = {}): Promise<PrivateMosquitto> {
    const broker = new PrivateMosquitto(await freePort(), options.persistence ?? false, options.auth ?? 'allow_anonymous true')
    await broker.start()
    return broker
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    if (this.process) return
    const config = path.join(this.dir, 'mosquitto.conf')
    const persistence = this.persistence ? `persistence true\npersistence_location ${this.dir}/\nautosave_interval 1\n` : 'persistence false\n'
    // As root, mosquitto would switch to its own user, who cannot write this private folder.
    const user = process.getuid?.() === 0 ? 'user root\n' : ''
    writeFileSync(config, `listener ${this.port} 127.0.0.1\n${this.auth}\nmax_queued_messages 100000\n${user}${persistence}`)
    const child = spawn('mosquitto', ['-c', config], { stdio: 'ignore' })
    this.process = child
    child.once('exit', () => {
      if (this.process === child) this.process = undefined
    })
    await waitFor(() => tcpReachable('127.0.0.1', this.port, 200), { timeoutMs: 10_000, intervalMs: 50, what: `mosquitto on port ${this.port}` })
  }

  /** The process id, to signal (SIGHUP: read the password file and ACL again). */
  get pid(): number | undefined {
    return this.process?.pid
  }

  /** Stops the broker and waits until the port is closed. */
  async stop(): Promise<void> {
    const child = this.process
    if (!child) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
    this.process = undefined
  }

  async close(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
