// Watched services (configured list, e.g. Spooler, MSSQLSERVER, nginx): running (1) or not (0),
// and a `service.stopped` / `service.started` event when that changes. Linux: one
// `systemctl is-active` call for all of them; where systemd is not PID 1 (containers), whether a
// process of that name runs. Windows: `sc query`. macOS: one `launchctl list`.
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

async function linuxStates(names: readonly string[]): Promise<ServiceStates> {
  const units = names.map((n) => (n.includes('.') ? n : `${n}.service`))
  const result = await run('systemctl', ['is-active', '--', ...units]).catch(() => undefined)
  if (result && result.stdout.trim().split('\n').length === names.length) return parseSystemctl(names, result.stdout)
  // No systemd here (a container, an old init): fall back to "is a process of that name running".
  const running = new Set(readProcesses().map((p) => p.name))
  return new Map(names.map((name) => [name, running.has(name.replace(/\.service$/, '').slice(0, 15))]))
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
        ? await linuxStates(names)
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
