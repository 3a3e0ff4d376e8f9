// Size, use and inodes of each local filesystem. Linux: /proc/self/mounts and statfs(2), no
// process at all; elsewhere systeminformation fsSize() (df on macOS, WMI on Windows) and
// `df -iP` for inodes. Pseudo, network and read-only image filesystems are left out: their fill
// level is not the machine's health (a squashfs snap is always 100 % full), and statfs on a hung
// NFS mount would hang the collector.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { statfs } from 'node:fs/promises'
import { promisify } from 'node:util'
import { systeminformation } from '../platform/si.js'
import type { MetricPoint } from '@patrol/shared'
import { parseMounts } from '../platform/procfs.js'
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

interface Usage {
  mount: string
  size: number
  used: number
  usedPercent: number
  inodesPercent?: number
}

/** df's arithmetic: use % is used / (used + available to users), root's reserve not counted as free. */
export function usageFromStatfs(mount: string, s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }): Usage | undefined {
  const size = s.blocks * s.bsize
  if (size <= 0) return undefined
  const used = (s.blocks - s.bfree) * s.bsize
  const usable = used + s.bavail * s.bsize
  const usage: Usage = { mount, size, used, usedPercent: usable > 0 ? Math.round((10_000 * used) / usable) / 100 : 0 }
  if (s.files > 0) usage.inodesPercent = Math.round((10_000 * (s.files - s.ffree)) / s.files) / 100
  return usage
}

async function linuxUsage(): Promise<Usage[]> {
  const mounts = parseMounts(readFileSync('/proc/self/mounts', 'utf8')).filter((m) => isLocalFilesystem({ type: m.type, mount: m.mount, size: 1 }) && m.device !== 'none')
  const seen = new Set<string>()
  const usages: Usage[] = []
  for (const m of mounts) {
    if (seen.has(m.mount)) continue
    seen.add(m.mount)
    try {
      const usage = usageFromStatfs(m.mount, await statfs(m.mount))
      if (usage) usages.push(usage)
    } catch {
      // unmounted meanwhile, or not ours to read
    }
  }
  return usages
}

function toPoints(usages: Usage[], now: number): MetricPoint[] {
  return usages.flatMap((u) => [
    { ts: now, metric: 'fs.size_bytes', instance: u.mount, value: u.size },
    { ts: now, metric: 'fs.used_bytes', instance: u.mount, value: u.used },
    { ts: now, metric: 'fs.used_percent', instance: u.mount, value: u.usedPercent },
    ...(u.inodesPercent !== undefined ? [{ ts: now, metric: 'fs.inodes_used_percent', instance: u.mount, value: u.inodesPercent }] : []),
  ])
}

export const filesystems = defineCollector({
  name: 'filesystems',
  every: 'cycle',
  async collect({ now }) {
    if (process.platform === 'linux') return { points: toPoints(await linuxUsage(), now) }
    const [volumes, inodes] = await Promise.all([systeminformation().then((si) => si.fsSize()), inodeUsage().catch(() => new Map<string, number>())])
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
