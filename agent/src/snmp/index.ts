/** The SNMP/ping poller's public surface, for the agent runtime and for tests. */
export { createPoller, chunks, type Poller, type PollerLogger, type PollerOptions } from './poller.js'
export { pollDevice, type DeviceState, type PollOptions } from './poll.js'
export { discover, expandCidr, type Candidate, type DiscoverOptions } from './discover.js'
export { registerSnmpCommands, createSnmpProgram } from './cli.js'
export { parseTarget, targetId, SnmpTarget, SnmpV3Settings } from './targets.js'
export { PROFILES } from './profiles/index.js'
export { pingHost, pingPoints, type PingOptions } from '../ping/ping.js'
