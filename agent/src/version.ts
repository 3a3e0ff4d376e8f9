import { createRequire } from 'node:module'

// The single-file build (agent/build.mjs) fills this in, so the bundle needs no package.json beside it.
declare const __PATROL_AGENT_VERSION__: string | undefined

function packageVersion(): string {
  const require = createRequire(import.meta.url)
  return (require('../package.json') as { version: string }).version
}

export const AGENT_VERSION: string = typeof __PATROL_AGENT_VERSION__ === 'string' ? __PATROL_AGENT_VERSION__ : packageVersion()
