/**
 * How the installed service starts this same program: the Node binary and its flags plus the
 * script (the single-file build, or main.ts under tsx from a checkout), or just the executable
 * when running as a Node single executable application.
 */
import path from 'node:path'

export interface LaunchCommand {
  /** Absolute path of what the service manager executes. */
  executable: string
  /** Arguments before the agent's own (`run --config …`). */
  prefix: string[]
}

/**
 * V8 flags the service runs with: a 1 MB young generation instead of 16 MB keeps the resident
 * memory of a process that allocates in short bursts every interval ~10 MB lower, for a few more
 * (cheap) scavenges. Measured with `pnpm bench:agent`.
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=1']

export async function isSingleExecutable(): Promise<boolean> {
  try {
    const sea = (await import('node:sea')) as { isSea?: () => boolean }
    return sea.isSea?.() ?? false
  } catch {
    return false
  }
}

export async function currentLaunchCommand(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv): Promise<LaunchCommand> {
  if (await isSingleExecutable()) return { executable: process.execPath, prefix: [] }
  const script = argv[1]
  if (!script) throw new Error('cannot tell which script is running; start the agent as `node patrol-agent.cjs install`')
  // Loader flags (tsx's --import/--require when run from a checkout) are needed again by the service.
  const inherited = execArgv.filter((a) => !a.startsWith('--inspect') && !SERVICE_NODE_FLAGS.some((f) => a.startsWith(f.split('=')[0]!)))
  return { executable: process.execPath, prefix: [...SERVICE_NODE_FLAGS, ...inherited, path.resolve(script)] }
}
