// Every collector the agent runs, in one list. Adding a reading means adding a file here.
// collectors.contract.test.ts checks that each file in this folder is registered exactly once.
import type { Collector } from './collector.js'
import { battery } from './battery.js'
import { cpu } from './cpu.js'
import { diskIo } from './disk-io.js'
import { errorLog } from './error-log.js'
import { filesystems } from './filesystems.js'
import { inventory } from './inventory.js'
import { memory } from './memory.js'
import { network } from './network.js'
import { processes } from './processes.js'
import { services } from './services.js'
import { smart } from './smart.js'
import { system } from './system.js'

export const COLLECTORS: readonly Collector[] = [cpu, memory, filesystems, diskIo, network, system, processes, battery, services, errorLog, smart, inventory]
