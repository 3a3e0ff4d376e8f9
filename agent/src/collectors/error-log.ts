// The error-log summary of the service contracts' health check: how many critical and error
// entries the system log got since the previous cycle, and which programs wrote most of them.
// Linux: `journalctl -p err` (priorities 0–2 count as critical, 3 as error). Windows: the System
// log's Critical (1) and Error (2) events via PowerShell Get-WinEvent. NotApplicable elsewhere,
// or where there is no journal: "no log" must not read as "no errors".
import { existsSync, readdirSync, statSync } from 'node:fs'
import type { DeviceEvent, MetricPoint } from '@patrol/shared'
import { run } from '../platform/run.js'
import { defineCollector, NotApplicable } from './collector.js'

export interface LogSummary {
  critical: number
  error: number
  /** Entries per program, most first. */
  sources: [string, number][]
}

/** Counts `journalctl -o json` lines (one JSON object per line). */
export function summariseJournal(stdout: string): LogSummary {
  const summary: LogSummary = { critical: 0, error: 0, sources: [] }
  const bySource = new Map<string, number>()
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue
    let entry: Record<string, unknown>
    try {
      entry = JSON.parse(line) as Record<string, unknown>
    } catch {
      continue
    }
    const priority = Number(entry.PRIORITY)
    if (!Number.isFinite(priority) || priority > 3) continue
    if (priority <= 2) summary.critical += 1
    else summary.error += 1
    const source = String(entry.SYSLOG_IDENTIFIER ?? entry._COMM ?? 'unknown').slice(0, 64)
    bySource.set(source, (bySource.get(source) ?? 0) + 1)
  }
  summary.sources = [...bySource].sort((a, b) => b[1] - a[1])
  return summary
}

const JOURNAL_DIRS = ['/var/log/journal', '/run/log/journal']
// Enough to count a bad minute; a flood beyond it is reported as at least this many.
const MAX_ENTRIES = 20_000

/** Newest modification time of any journal file; journald writes every entry to one of them. */
export function journalWrittenAt(dirs = JOURNAL_DIRS): number {
  let newest = 0
  for (const dir of dirs) {
    let entries: string[] = []
    try {
      entries = readdirSync(dir, { recursive: true }) as string[]
    } catch {
      continue
    }
    for (const entry of entries) {
      if (!entry.endsWith('.journal')) continue
      try {
        newest = Math.max(newest, statSync(`${dir}/${entry}`).mtimeMs)
      } catch {
        // rotated away meanwhile
      }
    }
  }
  return newest
}

const EMPTY: LogSummary = { critical: 0, error: 0, sources: [] }

async function linuxSummary(since: number): Promise<LogSummary> {
  if (!JOURNAL_DIRS.some((dir) => existsSync(dir))) throw new NotApplicable('no systemd journal on this machine')
  // Nothing written since the last reading: nothing to count, and no journalctl to pay for.
  if (journalWrittenAt() < since - 1000) return EMPTY
  const result = await run('journalctl', ['-p', 'err', '--since', `@${Math.floor(since / 1000)}`, '-o', 'json', '--output-fields=PRIORITY,SYSLOG_IDENTIFIER,_COMM', '-n', String(MAX_ENTRIES), '-q', '--no-pager'], { maxBytes: 32 * 1024 * 1024 })
  if (result.code !== 0) throw new Error(`journalctl exited with ${result.code}: ${result.stderr.trim().slice(0, 300)}`)
  return summariseJournal(result.stdout)
}

async function windowsSummary(since: number): Promise<LogSummary> {
  const script = [
    `$since = [DateTime]::Parse('${new Date(since).toISOString()}').ToUniversalTime().ToLocalTime()`,
    "$e = @(Get-WinEvent -FilterHashtable @{LogName='System'; Level=1,2; StartTime=$since} -ErrorAction SilentlyContinue)",
    "$s = $e | Group-Object ProviderName | Sort-Object Count -Descending | Select-Object -First 10 | ForEach-Object { @($_.Name, $_.Count) }",
    "@{ critical = @($e | Where-Object Level -eq 1).Count; error = @($e | Where-Object Level -eq 2).Count; sources = @($s) } | ConvertTo-Json -Compress -Depth 3",
  ].join('; ')
  const result = await run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script], { timeoutMs: 30_000 })
  if (result.code !== 0) throw new Error(`Get-WinEvent failed (${result.code}): ${result.stderr.trim().slice(0, 300)}`)
  const parsed = JSON.parse(result.stdout) as { critical: number; error: number; sources: unknown[] }
  const flat = parsed.sources ?? []
  const sources: [string, number][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) sources.push([String(flat[i]), Number(flat[i + 1])])
  return { critical: parsed.critical, error: parsed.error, sources }
}

export const errorLog = defineCollector({
  name: 'error-log',
  every: 'cycle',
  async collect({ now, state }) {
    // First cycle: look back one minute rather than to the beginning of the log.
    const since = (state.get('since') as number | undefined) ?? now - 60_000
    const summary =
      process.platform === 'linux' ? await linuxSummary(since) : process.platform === 'win32' ? await windowsSummary(since) : undefined
    if (!summary) throw new NotApplicable(`no system error log reader on ${process.platform}`)
    state.set('since', now)
    const points: MetricPoint[] = [
      { ts: now, metric: 'log.critical_entries', value: summary.critical },
      { ts: now, metric: 'log.error_entries', value: summary.error },
    ]
    const events: DeviceEvent[] = []
    if (summary.critical > 0) {
      const top = summary.sources.slice(0, 5).map(([source, count]) => `${source} ×${count}`).join(', ')
      events.push({
        ts: now,
        severity: 'critical',
        code: 'log.critical_entries',
        message: `${summary.critical} critical system log entr${summary.critical === 1 ? 'y' : 'ies'} since the last reading (${top})`,
        source: 'error-log',
        data: { critical: summary.critical, error: summary.error, top },
      })
    }
    return { points, events }
  },
})
