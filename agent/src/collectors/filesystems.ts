// Size, use and inodes of each local filesystem. Source: systeminformation fsSize() (df on
// Unix, WMI on Windows). Pseudo, network and read-only image filesystems are left out: their
// fill level is not the machine's health (a squashfs snap is always 100 % full).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import si from 'systeminformation'
import type { MetricPoint } from '@patrol/shared'
import { defineCollector } from './collector.js'

const IGNORED_TYPES = new Set([
  'squashfs', 'iso9660', 'udf', 'tmpfs', 'devtmpfs', 'overlay', 'proc', 'sysfs', 'cgroup', 'cgroup2', 'nfs', 'nfs4',
  'cifs', 'smbfs', 'fuse.sshfs', 'autofs', 'ramfs', 'efivarfs', 'tracefs', 'debugfs', 'fuse.portal', 'fuse.gvfsd-fuse',
])

export function isLocalFilesystem(fs: { type: string; mount: string; size: number }): boolean {
  if (fs.size <= 0) return false
  if (IGNORED_TYPES.has(fs.type.toLowerCase())) return false
  if (/^\/(snap|proc|sys|dev|run)(\/|$)/.test(fs.mount)) return false
  return true
}

const execFileAsync = promisify(execFile)

/** Inode use per mount from `df -iP` (POSIX output); Windows has no inodes. */
async function inodeUsage(): Promise<Map<string, number>> {
  const usage = new Map<string, number>()
  if (process.platform === 'win32') return usage
  const { stdout } = await execFileAsync('df', ['-iP'], { timeout: 10_000 })
  for (const line of stdout.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    if (cols.length < 6) continue
    const percent = Number.parseFloat(cols[4] ?? '')
    const mount = cols.slice(5).join(' ')
    if (Number.isFinite(percent)) usage.set(mount, percent)
  }
  return usage
}

export const filesystems = defineCollector({
  name: 'filesystems',
  every: 'cycle',
  async collect({ now }) {
    const [volumes, inodes] = await Promise.all([si.fsSize(), inodeUsage().catch(() => new Map<string, number>())])
    const points: MetricPoint[] = []
    const seen = new Set<string>()
    for (const fs of volumes) {
      if (!isLocalFilesystem(fs) || seen.has(fs.mount)) continue
      seen.add(fs.mount)
      const instance = fs.mount
      points.push(
        { ts: now, metric: 'fs.size_bytes', instance, value: fs.size },
        { ts: now, metric: 'fs.used_bytes', instance, value: fs.used },
        { ts: now, metric: 'fs.used_percent', instance, value: Number.isFinite(fs.use) ? fs.use : Math.round((10_000 * fs.used) / fs.size) / 100 },
      )
      const inodePercent = inodes.get(fs.mount)
      if (inodePercent !== undefined) points.push({ ts: now, metric: 'fs.inodes_used_percent', instance, value: inodePercent })
    }
    return { points }
  },
})
