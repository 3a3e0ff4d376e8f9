// Every schema change, in order. Adding one means adding a file and a line here; ids never reuse.
import { core } from './001-core.js'
import { tickets } from './002-tickets.js'
import { accounts } from './003-accounts.js'
import { enrollment } from './004-enrollment.js'
import { reports } from './005-reports.js'
import { liveEvents } from './006-live-events.js'
import { hourlyRollup } from './007-hourly-rollup.js'
import type { Migration } from './migration.js'
export { gatedSql, type Features } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [core, tickets, accounts, enrollment, reports, liveEvents, hourlyRollup]
export type { Migration }
