/**
 * `pnpm bench:snmp` — SNMP polling throughput and walk speed, on loopback against snmpsim.
 *
 * 1. N simulated devices (N = 100, 500, 1000): copies of the project's recordings, each served
 *    under its own community by one of several snmpsimd processes (one Python process answers
 *    only so fast; more processes spread the simulator's load). The poller polls all of them once
 *    from cold (probing each device's profile) and once warm; devices per second for both.
 * 2. One device's full walk: our walk (session open, GETBULK walk of the whole tree, close)
 *    against net-snmp's `snmpbulkwalk` walking the same tree of the same device with the same
 *    max-repetitions, interleaved, repeated; min and median of each.
 *
 * Prints a table, then LAST one JSON line:
 * {"bench":"snmp","walk_ms":…,"snmpbulkwalk_ms":…,"walk_ratio":…,"devices":1000,"poll_all_s":…}
 */
import { execFile } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { createPoller } from '../../agent/src/snmp/poller.js'
import { openSession } from '../../agent/src/snmp/session.js'
import type { SnmpTarget } from '../../agent/src/snmp/targets.js'
import { walkSubtrees } from '../../agent/src/snmp/walk.js'
import { hasCommand, REPO_ROOT } from '../support/peers.js'
import { startSnmpsim, type RunningPeer } from '../support/snmp-peers.js'

const run = promisify(execFile)
const SIZES = (process.env.SNMP_BENCH_SIZES ?? '100,500,1000').split(',').map(Number)
const SIMULATORS = Number(process.env.SNMP_BENCH_SIMULATORS ?? Math.max(2, os.cpus().length))
const CONCURRENCY = Number(process.env.SNMP_BENCH_CONCURRENCY ?? 64)
const WALK_REPEATS = Number(process.env.SNMP_BENCH_WALK_REPEATS ?? 30)
const MAX_REPETITIONS = 25
const RECORDINGS = ['printer-laser-jam', 'switch-access-24', 'ups-on-battery', 'ups-apc-powernet', 'host-linux-nas'].map((name) =>
  path.join(REPO_ROOT, 'agent/fixtures/snmprec', `${name}.snmprec`),
)
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const ms = (n: number) => Math.round(n * 100) / 100

interface Device {
  port: number
  community: string
}

async function startSimulators(devices: number): Promise<{ sims: RunningPeer[]; all: Device[] }> {
  const perSim = Math.ceil(devices / SIMULATORS)
  const sims = await Promise.all(
    Array.from({ length: SIMULATORS }, (_, s) =>
      startSnmpsim({
        files: Array.from({ length: perSim }, (_, i) => {
          const n = s * perSim + i
          return { source: RECORDINGS[n % RECORDINGS.length]!, community: `dev${String(n).padStart(4, '0')}` }
        }),
        timeoutMs: 180_000,
        fast: process.env.SNMP_BENCH_SLOW_SIM !== '1',
      }),
    ),
  )
  const all = sims.flatMap((sim) => sim.communities.map((community) => ({ port: sim.port, community }))).slice(0, devices)
  return { sims, all }
}

async function pollAll(devices: Device[]) {
  const targets: SnmpTarget[] = devices.map((d) => ({ id: d.community, host: '127.0.0.1', port: d.port, community: d.community, timeoutMs: 3000, retries: 1, ping: false }))
  let messages = 0
  const poller = createPoller({
    targets,
    deviceId: 'bench-poller',
    concurrency: CONCURRENCY,
    logger: quiet,
    publish: async () => {
      messages++
    },
  })
  const measure = async () => {
    const cpu = process.cpuUsage()
    const t0 = performance.now()
    const { snmp } = await poller.pollAll()
    const wall = (performance.now() - t0) / 1000
    const used = process.cpuUsage(cpu)
    const failed = snmp.filter((r) => r.status !== 'ok')
    return { wall, cpu: (used.user + used.system) / 1e6, ok: snmp.length - failed.length, failed: failed.length, firstError: failed[0]?.error }
  }
  const cold = await measure()
  const warm = await measure()
  return { cold, warm, messages }
}

async function ourWalk(device: Device): Promise<{ ms: number; varbinds: number }> {
  const t0 = performance.now()
  const session = openSession({ host: '127.0.0.1', port: device.port, community: device.community, timeoutMs: 3000, retries: 1 })
  try {
    const walk = await walkSubtrees(session, ['1.3.6.1'], { maxRepetitions: MAX_REPETITIONS })
    if (walk.failure) throw walk.failure
    return { ms: performance.now() - t0, varbinds: walk.varbinds.size }
  } finally {
    session.close()
  }
}

async function snmpbulkwalk(device: Device): Promise<{ ms: number; varbinds: number }> {
  const t0 = performance.now()
  // No MIB loading (-m ''), numeric OIDs: snmpbulkwalk at its fastest, same max-repetitions as ours.
  const { stdout } = await run('snmpbulkwalk', ['-m', '', '-v2c', '-c', device.community, '-On', `-Cr${MAX_REPETITIONS}`, '-t', '3', '-r', '1', `127.0.0.1:${device.port}`, '1.3.6.1'])
  return { ms: performance.now() - t0, varbinds: stdout.split('\n').filter((l) => l.startsWith('.1.3.6') && !l.includes('No more variables')).length }
}

/** One snmpget of one OID: what starting a net-snmp tool and one round trip cost, for reading the walk figures. */
async function snmpgetOnce(device: Device): Promise<number> {
  const t0 = performance.now()
  await run('snmpget', ['-m', '', '-v2c', '-c', device.community, '-On', '-t', '3', '-r', '1', `127.0.0.1:${device.port}`, '1.3.6.1.2.1.1.1.0'])
  return performance.now() - t0
}

async function main(): Promise<void> {
  for (const command of ['snmpsimd', 'snmpbulkwalk']) {
    if (!hasCommand(command)) throw new Error(`${command} is needed: apt-get install -y snmpsim snmp`)
  }
  console.log(`SNMP benchmark on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`)
  console.log(`${SIMULATORS} snmpsimd processes; poller concurrency ${CONCURRENCY}; GETBULK max-repetitions ${MAX_REPETITIONS}\n`)

  const rows: string[][] = []
  let walkMs = NaN
  let bulkMs = NaN
  let pollAll1000 = NaN
  let walkLine = ''
  for (const size of SIZES) {
    const t0 = performance.now()
    const { sims, all } = await startSimulators(size)
    const startS = (performance.now() - t0) / 1000
    try {
      const result = await pollAll(all)
      rows.push([
        String(size),
        result.cold.wall.toFixed(2),
        (size / result.cold.wall).toFixed(0),
        result.warm.wall.toFixed(2),
        (size / result.warm.wall).toFixed(0),
        result.cold.cpu.toFixed(2),
        (size / result.cold.cpu).toFixed(0),
        `${result.cold.ok}/${size}`,
        startS.toFixed(1),
      ])
      if (result.cold.failed > 0) console.log(`  ${result.cold.failed} devices failed at N=${size}: ${result.cold.firstError}`)
      if (size === 1000 || size === SIZES[SIZES.length - 1]) pollAll1000 = result.cold.wall

      if (size === SIZES[0]) {
        // The biggest recording (the NAS: storage, CPU, UCD, interfaces) is the walk to compare.
        const device = all.find((d, i) => RECORDINGS[i % RECORDINGS.length]!.includes('host-linux-nas')) ?? all[0]!
        await ourWalk(device) // warm-up: module loading and JIT are not the walk
        await snmpbulkwalk(device)
        const ours: number[] = []
        const theirs: number[] = []
        const getOnce: number[] = []
        let counts = [0, 0]
        for (let i = 0; i < WALK_REPEATS; i++) {
          const a = await ourWalk(device)
          const b = await snmpbulkwalk(device)
          ours.push(a.ms)
          theirs.push(b.ms)
          getOnce.push(await snmpgetOnce(device))
          counts = [a.varbinds, b.varbinds]
        }
        if (counts[0] !== counts[1]) console.log(`  note: our walk returned ${counts[0]} varbinds, snmpbulkwalk ${counts[1]}`)
        walkMs = median(ours)
        bulkMs = median(theirs)
        walkLine =
          `one device's full walk (${counts[0]} varbinds, ${WALK_REPEATS} runs, interleaved):\n` +
          `  ours          min ${ms(Math.min(...ours))} ms  median ${ms(walkMs)} ms\n` +
          `  snmpbulkwalk  min ${ms(Math.min(...theirs))} ms  median ${ms(bulkMs)} ms  (a process per walk, as a script would run it)\n` +
          `  ratio (median ours / snmpbulkwalk) ${(walkMs / bulkMs).toFixed(2)}, min ratio ${(Math.min(...ours) / Math.min(...theirs)).toFixed(2)}\n` +
          `  for reference, one snmpget of one OID (tool start + one round trip): median ${ms(median(getOnce))} ms`
      }
    } finally {
      await Promise.all(sims.map((s) => s.stop()))
    }
  }

  const header = ['devices', 'cold poll s', 'dev/s', 'warm poll s', 'dev/s', 'poller CPU s (cold)', 'dev per poller CPU-s', 'ok', 'sim start s']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')
  console.log(line(header))
  for (const row of rows) console.log(line(row))
  console.log('\ncold = first poll, probing every device for its profile; warm = second poll, profile remembered.')
  console.log('poller CPU s = user+system CPU of this process during the cold poll. The poller is one Node process (one core);')
  console.log('when its CPU time is well under the wall time, the Python simulator is the limit, and "dev per poller CPU-s"')
  console.log(`is what one core of poller could do against faster devices. ${SIMULATORS} snmpsimd processes share the machine's cores with it.\n`)
  console.log(walkLine + '\n')
  console.log(
    JSON.stringify({
      bench: 'snmp',
      walk_ms: ms(walkMs),
      snmpbulkwalk_ms: ms(bulkMs),
      walk_ratio: Math.round((walkMs / bulkMs) * 100) / 100,
      devices: SIZES.includes(1000) ? 1000 : SIZES[SIZES.length - 1],
      poll_all_s: Math.round(pollAll1000 * 100) / 100,
    }),
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
