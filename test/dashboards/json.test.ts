/**
 * The generated JSON against the SDK's structure (validateDashboard: grid, ids, data source,
 * targets, option keys of each panel type's SDK schema, variables used by the SQL), what
 * `dashboards:build` writes, and the provisioning files that point Grafana at it.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { buildAll, DATASOURCE, FOLDER, postgresDataSource, validateDashboard } from '@patrol/dashboards'
import { writeDashboards } from '../../dashboards/src/build.js'
import { REPO_ROOT } from '../support/peers.js'

const built = buildAll()

describe('generated dashboards', () => {
  it('are the six views, each with a stable uid', () => {
    expect(built.map((b) => b.uid)).toEqual(['patrol-fleet', 'patrol-customer', 'patrol-device', 'patrol-printers', 'patrol-network', 'patrol-tickets'])
  })

  it.each(built.map((b) => [b.uid, b] as const))('%s has no structural problems', (_uid, b) => {
    expect(validateDashboard(b.json)).toEqual([])
    expect(b.json.panels?.length).toBeGreaterThanOrEqual(5)
  })

  it('the validator catches what Grafana would silently get wrong', () => {
    const broken = JSON.parse(JSON.stringify(buildAll()[2]!.json)) as typeof built[number]['json']
    const [first, second] = broken.panels as { id: number; gridPos: { x: number; y: number; w: number; h: number }; options?: Record<string, unknown>; targets?: { rawSql: string }[] }[]
    second!.id = first!.id
    second!.gridPos = { ...first!.gridPos, x: 20, w: 8 }
    first!.options = { ...first!.options, colourMode: 'x' }
    first!.targets![0]!.rawSql += ' and $tenant'
    const problems = validateDashboard(broken as never).join('\n')
    expect(problems).toMatch(/duplicate id/)
    expect(problems).toMatch(/outside the 24-column grid/)
    expect(problems).toMatch(/overlaps/)
    expect(problems).toMatch(/option "colourMode" is not in the SDK's table schema/)
    expect(problems).toMatch(/\$tenant, which the dashboard does not define/)
  })

  it('device, customer and network dashboards have the customer/site/device variables, multi-value', () => {
    const vars = (uid: string) => built.find((b) => b.uid === uid)!.json.templating.list!.map((v) => `${v.name}:${v.multi}:${v.includeAll}`)
    expect(vars('patrol-device')).toEqual(['customer:true:true', 'site:true:true', 'device:true:false'])
    expect(vars('patrol-customer')).toEqual(['customer:true:true', 'site:true:true'])
    expect(vars('patrol-network')).toEqual(['customer:true:true', 'site:true:true', 'device:true:true'])
  })

  it('dashboards:build writes one JSON file per dashboard, equal to the built objects', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'patrol-dash-'))
    try {
      await writeDashboards(dir)
      expect((await readdir(dir)).sort()).toEqual(built.map((b) => `${b.uid}.json`).sort())
      for (const b of built) expect(JSON.parse(await readFile(path.join(dir, `${b.uid}.json`), 'utf8'))).toEqual(JSON.parse(JSON.stringify(b.json)))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('provisioning files', () => {
  it('the data source file matches the uid and type the dashboards use and what push creates', async () => {
    const file = parse(await readFile(path.join(REPO_ROOT, 'dashboards/provisioning/datasources/patrol.yaml'), 'utf8')) as { apiVersion: number; datasources: Record<string, unknown>[] }
    expect(file.apiVersion).toBe(1)
    const ds = file.datasources[0]!
    const pushed = postgresDataSource('postgres://grafana_reader:pw@timescaledb:5432/patrol')
    expect({ uid: ds.uid, type: ds.type }).toEqual({ uid: DATASOURCE.uid, type: DATASOURCE.type })
    expect({ uid: pushed.uid, type: pushed.type, timescaledb: pushed.jsonData.timescaledb }).toEqual({ uid: ds.uid, type: ds.type, timescaledb: (ds.jsonData as Record<string, unknown>).timescaledb })
    expect(ds.secureJsonData).toEqual({ password: '${PATROL_GRAFANA_DB_PASSWORD}' })
    // Grafana's provisioning expands $VAR and ${VAR} only; a shell-style default would stay literal.
    const text = (await readFile(path.join(REPO_ROOT, 'dashboards/provisioning/datasources/patrol.yaml'), 'utf8'))
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n')
    expect(text).not.toMatch(/\$\{\w+:-/)
    // Every variable it uses is set for Grafana by the compose file.
    const compose = parse(await readFile(path.join(REPO_ROOT, 'deploy/docker-compose.yml'), 'utf8')) as { services: { grafana: { environment: Record<string, string> } } }
    const used = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)
    expect(used.length).toBeGreaterThanOrEqual(5)
    for (const name of used) expect(Object.keys(compose.services.grafana.environment), name).toContain(name)
  })

  it('the dashboard provider reads the folder the compose file mounts dist/ into', async () => {
    const file = parse(await readFile(path.join(REPO_ROOT, 'dashboards/provisioning/dashboards/patrol.yaml'), 'utf8')) as { providers: { folderUid: string; options: { path: string } }[] }
    expect(file.providers[0]!.folderUid).toBe(FOLDER.uid)
    const compose = await readFile(path.join(REPO_ROOT, 'deploy/docker-compose.yml'), 'utf8')
    expect(compose).toContain(`../dashboards/dist:${file.providers[0]!.options.path}:ro`)
  })

  it('a data source URL becomes Grafana settings, with the password only in secureJsonData', () => {
    const ds = postgresDataSource('postgres://reader:s%40cret@db.example.com:6432/patrol?sslmode=require')
    expect(ds).toMatchObject({ url: 'db.example.com:6432', user: 'reader', database: 'patrol', jsonData: { sslmode: 'require', database: 'patrol' }, secureJsonData: { password: 's@cret' } })
    expect(() => postgresDataSource('mysql://x@y/z')).toThrow(/postgres:\/\//)
  })
})
