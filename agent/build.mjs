// Single-file build of the agent: `pnpm --filter @patrol/agent build`.
//   dist/patrol-agent.cjs  one JavaScript file with every dependency; runs with `node patrol-agent.cjs`
//   dist/patrol-agent      (with --sea) a Node single executable application: node itself with the
//                          bundle injected, for machines without Node
// CommonJS because Node's SEA runs only a CommonJS main script.
import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, statSync, writeFileSync, chmodSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = path.dirname(fileURLToPath(import.meta.url))
const dist = path.join(here, 'dist')
const { version } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'))
const bundle = path.join(dist, 'patrol-agent.cjs')
const mb = (file) => `${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`

// Optional native helpers that dependencies try to load inside try/catch (ws: bufferutil,
// utf-8-validate; systeminformation on macOS: temperature sensors). Bundled as modules that throw,
// so the dependencies take their pure-JS path, and a SEA does not warn about require() from disk.
const optionalNative = {
  name: 'optional-native',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|osx-temperature-sensor|macos-temperature-sensor)$/ }, (args) => ({ path: args.path, namespace: 'optional-native' }))
    b.onLoad({ filter: /.*/, namespace: 'optional-native' }, (args) => ({ contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled`)})`, loader: 'js' }))
  },
}

await build({
  plugins: [optionalNative],
  entryPoints: [path.join(here, 'src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'linked',
  define: { __PATROL_AGENT_VERSION__: JSON.stringify(version) },
  // version.ts reads package.json via import.meta only when the define above is absent: never here.
  logOverride: { 'empty-import-meta': 'silent' },
  logLevel: 'warning',
})
chmodSync(bundle, 0o755)
console.log(`${path.relative(process.cwd(), bundle)}  ${mb(bundle)}`)

if (process.argv.includes('--sea')) {
  // https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html
  const blob = path.join(dist, 'patrol-agent.blob')
  const seaConfig = path.join(dist, 'sea-config.json')
  const executable = path.join(dist, process.platform === 'win32' ? 'patrol-agent.exe' : 'patrol-agent')
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }))
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' })
  rmSync(executable, { force: true })
  copyFileSync(process.execPath, executable)
  chmodSync(executable, 0o755)
  const postject = path.join(here, 'node_modules/postject/dist/cli.js')
  const args = [postject, executable, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2']
  if (process.platform === 'darwin') args.push('--macho-segment-name', 'NODE_SEA')
  execFileSync(process.execPath, args, { stdio: 'inherit' })
  rmSync(blob)
  rmSync(seaConfig)
  console.log(`${path.relative(process.cwd(), executable)}  ${mb(executable)}`)
}
