/**
 * Reads the inventory in a child process of the same program (`<agent> inventory-json`), so the
 * long-running agent never loads systeminformation nor keeps the garbage of an hourly reading:
 * the child's memory goes back to the OS when it exits. Costs one Node start-up an hour.
 */
import { execFile } from 'node:child_process'
import type { Inventory } from '@patrol/shared'
import type { LaunchCommand } from '../install/launch.js'

export const INVENTORY_COMMAND = 'inventory-json'

export function inventoryFromChildProcess(launch: LaunchCommand, timeoutMs = 120_000): () => Promise<Inventory> {
  return () =>
    new Promise((resolve, reject) => {
      execFile(
        launch.executable,
        [...launch.prefix, INVENTORY_COMMAND],
        { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
        (error, stdout, stderr) => {
          if (error) return reject(new Error(`inventory child process failed: ${(stderr || error.message).trim().slice(0, 500)}`))
          try {
            resolve(JSON.parse(stdout) as Inventory)
          } catch (parseError) {
            reject(new Error(`inventory child process printed something that is not JSON: ${(parseError as Error).message}`))
          }
        },
      )
    })
}
