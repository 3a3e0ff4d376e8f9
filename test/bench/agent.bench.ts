/**
 * `pnpm bench:agent [--seconds 120] [--interval 15]`: the agent and Debian's
 * prometheus-node-exporter side by side, each collecting every `interval` seconds:
 *
 *   - resident memory (VmRSS, max and final) of each process;
 *   - CPU seconds of each, its own plus its reaped children's (utime+stime+cutime+cstime from
 *     /proc/PID/stat; systeminformation and the collectors spawn df, smartctl, journalctl...);
 *   - the wall time of one full agent collection cycle (collectors run in parallel, so the
 *     slowest collector's duration from the batch's `collectors` field), and per collector.
 *
 * The agent is the single-file build (agent/dist/patrol-agent.cjs, built if missing) run by plain
 * node with the service's V8 flags, as on a customer's machine, against a private Mosquitto on a free loopback port; the
 * bench subscribes to its batches. node_exporter listens on a free loopback port and the bench
 * scrapes GET /metrics on the same beat. Last line: one JSON object.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { SERVICE_NODE_FLAGS } from '../../agent/src/install/launch.js'
import { PrivateMosquitto } from '../support/mosquitto.js'
import { freePort, REPO_ROOT, tcpReachable, waitFor } from '../support/peers.js'

interface Options {
  seconds: number
  interval: number
}

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 120, interval: 15 }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = Number(argv[i + 1])
    if (flag === '--seconds' || flag === '--interval') {
      if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got ${argv[i + 1]}`)
      options[flag.slice(2) as keyof Options] = value
      i++
    } else if (flag !== '--') {
      throw new Error(`unknown option ${flag} (known: --seconds N, --interval N)`)
    }
  }
  return options
}

const TICKS = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100

/** CPU seconds of a process and of its children it has waited for. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3; utime 14, stime 15, cutime 16, cstime 17.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS
}

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : 0
}

class Tracked {
  maxRss = 0
  lastRss = 0
  lastCpu = 0
  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {}
  sample(): void {
    const pid = this.child.pid
    if (!pid || this.child.exitCode !== null) return
    try {
      this.lastRss = rssMb(pid)
      this.maxRss = Math.max(this.maxRss, this.lastRss)
      this.lastCpu = cpuSeconds(pid)
    } catch {
      // exited between the check and the read
    }
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b)
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0
}
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const bundle = path.join(REPO_ROOT, 'agent/dist/patrol-agent.cjs')
  if (!existsSync(bundle)) execFileSync(process.execPath, [path.join(REPO_ROOT, 'agent/build.mjs')], { cwd: path.join(REPO_ROOT, 'agent'), stdio: 'inherit' })
  const work = mkdtempSync(path.join(os.tmpdir(), 'patrol-bench-'))
  const broker = await PrivateMosquitto.start()
  const children: ChildProcess[] = []
  const subscriber = mqtt.connect(broker.url, { protocolVersion: 4 })
  try {
    const batches: { receivedAt: number; collectors: { name: string; durationMs: number; ok: boolean }[] }[] = []
    subscriber.on('message', (_topic, payload) => {
      const batch = JSON.parse(payload.toString()) as { collectors?: { name: string; durationMs: number; ok: boolean }[] }
      batches.push({ receivedAt: Date.now(), collectors: batch.collectors ?? [] })
    })
    await new Promise<void>((resolve) => subscriber.once('connect', () => resolve()))
    await subscriber.subscribeAsync('bench/patrol/v1/+/+/+/metrics', { qos: 1 })

    const exporterPort = await freePort()
    const exporter = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: 'ignore' })
    children.push(exporter)
    const config = path.join(work, 'agent.json')
    writeFileSync(config, JSON.stringify({ mqttUrl: broker.url, intervalS: options.interval, dataDir: path.join(work, 'data'), topicPrefix: 'bench', deviceId: 'dev-bench', logLevel: 'warn', watchedServices: ['cron', 'mosquitto'] }))
    // With the V8 flags the installed service uses (agent/src/install/launch.ts).
    const agent = spawn(process.execPath, [...SERVICE_NODE_FLAGS, bundle, 'run', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'] })
    children.push(agent)
    const tracked = [new Tracked('agent', agent), new Tracked('node_exporter', exporter)]
    await waitFor(() => tcpReachable('127.0.0.1', exporterPort, 200), { what: 'node_exporter listening', timeoutMs: 10_000 })

    // node_exporter is scraped on the agent's beat, as Prometheus would with scrape_interval = interval.
    let scrapes = 0
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${exporterPort}/metrics`)
      await response.text()
      scrapes++
    }
    const startedAt = Date.now()
    await scrape()
    const scraper = setInterval(() => void scrape().catch((e: Error) => console.error(`scrape failed: ${e.message}`)), options.interval * 1000)
    const sampler = setInterval(() => tracked.forEach((t) => t.sample()), 500)
    // The agent's steady state: CPU counted from its second batch on. Start-up (Node, the first
    // cycle with the inventory child process and SMART) and the second cycle (V8 still compiling
    // the cycle's code paths) are reported apart.
    await waitFor(() => batches.length >= 1, { what: 'the first agent batch', timeoutMs: 60_000 })
    tracked[0]!.sample()
    const agentCpuAtFirstBatch = tracked[0]!.lastCpu
    await waitFor(() => batches.length >= 2, { what: 'the second agent batch', timeoutMs: options.interval * 1000 + 30_000 })
    tracked[0]!.sample()
    const agentCpuAtSecondBatch = tracked[0]!.lastCpu
    const batchesAtSecond = batches.length
    const remaining = options.seconds * 1000 - (Date.now() - startedAt)
    if (remaining > 0) await new Promise((r) => setTimeout(r, remaining))
    clearInterval(scraper)
    clearInterval(sampler)
    tracked.forEach((t) => t.sample())
    const [agentT, exporterT] = tracked as [Tracked, Tracked]

    const cycles = batches.map((b) => Math.max(0, ...b.collectors.map((c) => c.durationMs)))
    const perCollector = new Map<string, number[]>()
    for (const batch of batches) for (const c of batch.collectors) perCollector.set(c.name, [...(perCollector.get(c.name) ?? []), c.durationMs])
    const steadyCycles = batches.length - batchesAtSecond
    const agentCpuPerCycle = steadyCycles > 0 ? (agentT.lastCpu - agentCpuAtSecondBatch) / steadyCycles : NaN
    const exporterCpuPerScrape = scrapes ? exporterT.lastCpu / scrapes : NaN

    console.log(`\nagent vs node_exporter, ${options.seconds} s at ${options.interval} s intervals (${batches.length} agent cycles, ${scrapes} scrapes)\n`)
    console.log(`${'process'.padEnd(15)} ${'max RSS MB'.padStart(10)} ${'final RSS MB'.padStart(12)} ${'CPU s'.padStart(8)} ${'CPU ms / cycle'.padStart(15)}`)
    console.log(`${'agent'.padEnd(15)} ${agentT.maxRss.toFixed(1).padStart(10)} ${agentT.lastRss.toFixed(1).padStart(12)} ${agentT.lastCpu.toFixed(2).padStart(8)} ${(agentCpuPerCycle * 1000).toFixed(1).padStart(15)}  (steady state, from the 2nd cycle on)`)
    console.log(`${'node_exporter'.padEnd(15)} ${exporterT.maxRss.toFixed(1).padStart(10)} ${exporterT.lastRss.toFixed(1).padStart(12)} ${exporterT.lastCpu.toFixed(2).padStart(8)} ${(exporterCpuPerScrape * 1000).toFixed(1).padStart(15)}`)
    console.log(`\nagent start-up and first cycle (inventory child process, SMART): ${agentCpuAtFirstBatch.toFixed(2)} CPU s; second cycle ${(agentCpuAtSecondBatch - agentCpuAtFirstBatch).toFixed(2)} CPU s`)
    console.log(`CPU ticks are 1/${TICKS} s: per-cycle figures are ±${(1000 / TICKS / Math.max(1, steadyCycles)).toFixed(1)} ms over ${steadyCycles} cycles`)
    console.log(`agent cycle wall time: median ${median(cycles).toFixed(1)} ms, first ${cycles[0]?.toFixed(1)} ms`)
    console.log('per collector, median ms (runs):')
    for (const [name, durations] of [...perCollector].sort((a, b) => median(b[1]) - median(a[1]))) {
      console.log(`  ${name.padEnd(14)} ${median(durations).toFixed(1).padStart(8)}  (${durations.length})`)
    }
    const result = {
      bench: 'agent',
      agent_rss_mb: round(agentT.maxRss, 1),
      node_exporter_rss_mb: round(exporterT.maxRss, 1),
      agent_cpu_s: round(agentT.lastCpu),
      node_exporter_cpu_s: round(exporterT.lastCpu),
      cpu_ratio: round(agentT.lastCpu / exporterT.lastCpu),
      cycle_ms: round(median(cycles), 1),
      agent_cpu_ms_per_cycle: round(agentCpuPerCycle * 1000, 1),
      node_exporter_cpu_ms_per_scrape: round(exporterCpuPerScrape * 1000, 1),
      cycles: batches.length,
      seconds: options.seconds,
    }
    console.log(JSON.stringify(result))
  } finally {
    for (const child of children) await stop(child)
    await subscriber.endAsync(true)
    await broker.close()
    rmSync(work, { recursive: true, force: true })
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message)
  process.exit(1)
})
