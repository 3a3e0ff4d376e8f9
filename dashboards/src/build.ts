/**
 * `pnpm dashboards:build [--out dir]`: writes each dashboard's JSON (what Grafana's dashboard
 * provisioning and the import dialog read) into dashboards/dist/.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildAll } from './index.js'
import { validateDashboard } from './validate.js'

export const DEFAULT_OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist')

export async function writeDashboards(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true })
  const files: string[] = []
  const all = buildAll()
  const problems = all.flatMap((b) => validateDashboard(b.json))
  if (problems.length) throw new Error(`dashboards have problems:\n  ${problems.join('\n  ')}`)
  for (const built of all) {
    const file = path.join(outDir, `${built.uid}.json`)
    await writeFile(file, `${JSON.stringify(built.json, null, 2)}\n`)
    files.push(file)
  }
  return files
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out')
  const out = i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]!) : DEFAULT_OUT
  writeDashboards(out).then(
    (files) => console.log(`wrote ${files.length} dashboards to ${out}:\n${files.map((f) => `  ${path.basename(f)}`).join('\n')}`),
    (error: Error) => {
      console.error(`dashboards:build failed: ${error.stack ?? error.message}`)
      process.exit(1)
    },
  )
}
