// Watched services (configured list, e.g. Spooler, MSSQLSERVER, nginx): running (1) or not (0),
// and a `service.stopped` / `service.started` event when that changes. Linux with systemd: a
// unit whose cgroup (/sys/fs/cgroup/system.slice/<unit>) holds processes is running, read without
// spawning anything; the others are asked with one `systemctl is-active` call (a stopped unit has
// no cgroup, a unit in another slice neither). Without systemd as PID 1 (containers): whether a
// process of that name runs. Windows: `sc query`. macOS: one `launchctl list`.
import { readFileSync } from 'node:fs'
import type { DeviceEvent, MetricPoint } from '@patrol/shared'
import { readProcesses } from '../platform/procfs.js'
import { run } from '../platform/run.js'
import { defineCollector, NotApplicable } from './collector.js'

export type ServiceStates = Map<string, boolean>

/** `systemctl is-active a b c` prints one state per unit, in order; only "active" runs. */
export function parseSystemctl(names: readonly string[], stdout: string): ServiceStates {
  const lines = stdout.split('\n')
  return new Map(names.map((name, i) => [name, lines[i]?.trim() === 'active']))
}

/** `sc query NAME`: "STATE : 4  RUNNING". */
export function parseScQuery(stdout: string): boolean {
  return /STATE\s*:\s*4\b/.test(stdout)
}

/** `launchctl list`: "PID\tStatus\tLabel"; a number in the PID column means running. */
export function parseLaunchctl(names: readonly string[], stdout: string): ServiceStates {
  const running = new Set<string>()
  for (const line of stdout.split('\n').slice(1)) {
    const [pid, , label] = line.split('\t')
    if (label && /^\d+$/.test(pid ?? '')) running.add(label.trim())
  }
  return new Map(names.map((name) => [name, running.has(name) || [...running].some((label) => label.endsWith(`.${name}`))]))
}

let systemdIsInit: boolean | undefined

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

const unitName = (name: string) => (name.includes('.') ? name : `${name}.service`)

async function linuxStates(names: readonly string[], now: number): Promise<ServiceStates> {
  systemdIsInit ??= readOr('/proc/1/comm', '').trim() === 'systemd'
  if (!systemdIsInit) {
    // No systemd here (a container, an old init): "is a process of that name running".
    const running = new Set(readProcesses({ cycle: now }).map((p) => p.name))
    return new Map(names.map((name) => [name, running.has(name.replace(/\.service$/, '').slice(0, 15))]))
  }
  const states: ServiceStates = new Map()
  for (const name of names) {
    if (readOr(`/sys/fs/cgroup/system.slice/${unitName(name)}/cgroup.procs`, '').trim()) states.set(name, true)
  }
  const ask = names.filter((name) => !states.has(name))
  if (ask.length) {
    const result = await run('systemctl', ['is-active', '--', ...ask.map(unitName)])
    for (const [name, running] of parseSystemctl(ask, result.stdout)) states.set(name, running)
  }
  return new Map(names.map((name) => [name, states.get(name) ?? false]))
}

async function windowsStates(names: readonly string[]): Promise<ServiceStates> {
  const states: ServiceStates = new Map()
  for (const name of names) states.set(name, parseScQuery((await run('sc.exe', ['query', name])).stdout))
  return states
}

export const services = defineCollector({
  name: 'services',
  every: 'cycle',
  async collect({ now, settings, state }) {
    const names = [...new Set(settings.watchedServices)]
    if (!names.length) throw new NotApplicable('no watched services configured (watchedServices)')
    const states =
      process.platform === 'linux'
        ? await linuxStates(names, now)
        : process.platform === 'win32'
          ? await windowsStates(names)
          : process.platform === 'darwin'
            ? parseLaunchctl(names, (await run('launchctl', ['list'])).stdout)
            : undefined
    if (!states) throw new NotApplicable(`service checks are not implemented on ${process.platform}`)
    const points: MetricPoint[] = []
    const events: DeviceEvent[] = []
    for (const [name, running] of states) {
      points.push({ ts: now, metric: 'service.running', instance: name, value: running ? 1 : 0 })
      const before = state.get(name) as boolean | undefined
      if (before !== undefined && before !== running) {
        events.push({
          ts: now,
          severity: running ? 'info' : 'error',
          code: running ? 'service.started' : 'service.stopped',
          message: running ? `service ${name} is running again` : `service ${name} stopped`,
          source: 'services',
          data: { service: name },
        })
      }
      state.set(name, running)
    }
    return { points, events }
  },
})
