export { startAgent, CycleRunner, type RunningAgent, type CycleResult } from './runtime.js'
export { loadAgentConfig, AgentConfigSchema, type AgentConfig } from './config.js'
export { COLLECTORS } from './collectors/index.js'
export { AGENT_VERSION } from './version.js'
