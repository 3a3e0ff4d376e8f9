// Every schema change, in order. Adding one means adding a file and a line here; ids never reuse.
import { core } from './001-core.js'
import { tickets } from './002-tickets.js'
import type { Migration } from './migration.js'
export { gatedSql, type Features } from './migration.js'

export const MIGRATIONS: readonly Migration[] = [core, tickets]
export type { Migration }
